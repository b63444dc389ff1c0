import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { PageQuerySchema } from "@/lib/api/pagination";
import { playsOf } from "@/lib/lastfm/plays";
import { recsUserId } from "@/lib/recs/api";
import { UserRefParamSchema } from "@/lib/ratings/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", params: UserRefParamSchema, query: PageQuerySchema }, async ({ params, query, principal }) =>
  playsOf(await recsUserId(params.id, principal), query),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
