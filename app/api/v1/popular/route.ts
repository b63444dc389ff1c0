import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { searchItems } from "@/lib/catalog/items";
import { PopularQuerySchema } from "@/lib/recs/schemas";

// Top-rated by the IMDb-weighted mean from the catalog statistics job, optionally within a genre.
export const GET = apiRoute({ auth: "optional", scope: "read", query: PopularQuerySchema }, async ({ query }) =>
  searchItems({ sort: "rating", genre: query.genre, limit: query.limit, cursor: query.cursor }),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
