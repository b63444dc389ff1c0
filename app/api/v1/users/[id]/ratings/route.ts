import { apiRoute, cachedJson, methodsNotAllowed } from "@/lib/api/handler";
import { ratingHistory, readableUser } from "@/lib/ratings/history";
import { RatingHistoryQuerySchema, UserRefParamSchema } from "@/lib/ratings/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", params: UserRefParamSchema, query: RatingHistoryQuerySchema }, async ({ params, query, principal }) => {
  const user = await readableUser(params.id, principal?.user);
  return cachedJson(await ratingHistory(user.id, query));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
