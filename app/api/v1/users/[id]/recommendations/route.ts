import { apiRoute, cachedJson, methodsNotAllowed } from "@/lib/api/handler";
import { pagedRecommendations, recsUserId } from "@/lib/recs/api";
import { UserRefParamSchema } from "@/lib/ratings/schemas";
import { RecsQuerySchema } from "@/lib/recs/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", params: UserRefParamSchema, query: RecsQuerySchema }, async ({ params, query, principal }) => {
  return cachedJson(await pagedRecommendations(await recsUserId(params.id, principal), query, principal?.user.id ?? null));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
