import { apiRoute, IdParamSchema } from "@/lib/api/handler";
import { getItemTitle } from "@/lib/catalog/items";
import { presentRecs } from "@/lib/recs/present";
import { SimilarQuerySchema } from "@/lib/recs/schemas";
import { similarToItem } from "@/lib/recs/service";

// "More like this": the item's nearest neighbours by who liked both, then by shared genres.
export const GET = apiRoute({ auth: "optional", scope: "read", params: IdParamSchema, query: SimilarQuerySchema }, async ({ params, query }) => {
  const item = await getItemTitle(params.id);
  const similar = await similarToItem(item.id, query.limit);
  const items = await presentRecs(similar.map((s) => ({ id: s.id, score: s.score, source: "item_knn", because: item.id, genre: null })), []);
  return { item_id: item.id, items: items.map((r) => ({ ...r, reason: `Similar to ${item.title}` })), next_cursor: null };
});
