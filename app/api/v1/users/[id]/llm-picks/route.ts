import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { llmPicksOf } from "@/lib/llm/picks";
import { recsUserId } from "@/lib/recs/api";
import { UserRefParamSchema } from "@/lib/ratings/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", params: UserRefParamSchema }, async ({ params, principal }) => llmPicksOf(await recsUserId(params.id, principal)));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
