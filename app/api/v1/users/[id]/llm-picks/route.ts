import { apiRoute } from "@/lib/api/handler";
import { llmPicksOf } from "@/lib/llm/picks";
import { recsUserId } from "@/lib/recs/api";
import { RecsUserParamSchema } from "@/lib/recs/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", params: RecsUserParamSchema }, async ({ params, principal }) => llmPicksOf(await recsUserId(params.id, principal)));
