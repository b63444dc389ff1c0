import { z } from "zod";
import { apiRoute, IdParamSchema, methodsNotAllowed } from "@/lib/api/handler";
import { decodeCursor, encodeCursor } from "@/lib/api/pagination";
import { getItemTitle } from "@/lib/catalog/items";
import { presentRecs } from "@/lib/recs/present";
import { SimilarQuerySchema } from "@/lib/recs/schemas";
import { similarToItem } from "@/lib/recs/service";

// A page of the list, by its place in it: the list only changes when a new model is trained.
const SimilarCursor = z.object({ o: z.number().int().min(0).max(1000) });

// "More like this": the item's nearest neighbours by who liked both, then by shared genres.
export const GET = apiRoute({ auth: "optional", scope: "read", params: IdParamSchema, query: SimilarQuerySchema }, async ({ params, query }) => {
  const item = await getItemTitle(params.id);
  const offset = decodeCursor(query.cursor, SimilarCursor)?.o ?? 0;
  const similar = await similarToItem(item.id, offset + query.limit + 1);
  const page = similar.slice(offset, offset + query.limit);
  const items = await presentRecs(page.map((s) => ({ id: s.id, score: s.score, source: "item_knn", because: item.id, genre: null })), []);
  return {
    item_id: item.id,
    items: items.map((r) => ({ ...r, reason: `Similar to ${item.title}` })),
    next_cursor: similar.length > offset + query.limit ? encodeCursor({ o: offset + query.limit }) : null,
  };
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
