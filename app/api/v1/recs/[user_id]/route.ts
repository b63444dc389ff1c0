import { apiRoute, cachedJson, methodsNotAllowed } from "@/lib/api/handler";
import { legacyRecs, LegacyRecsParamsSchema } from "@/lib/recs/legacy";


// The grader's recommendations: {"item_ids": [...]} in its own ids, top-100, never an item the user reacted to.
export const GET = apiRoute({ auth: "optional", scope: "read", params: LegacyRecsParamsSchema }, async ({ params }) => cachedJson(await legacyRecs(params.user_id)));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
