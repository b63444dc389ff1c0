import { apiRoute, cachedJson, methodsNotAllowed } from "@/lib/api/handler";
import { legacyRatesOf } from "@/lib/ratings/history";
import { LegacyUidParamSchema } from "@/lib/ratings/schemas";

// The rating aggregation service's contract: every rating of the user with this ratings.csv id, oldest first.
export const GET = apiRoute({ auth: "optional", scope: "read", params: LegacyUidParamSchema }, async ({ params, principal }) => {
  return cachedJson(await legacyRatesOf(params.uid, principal?.user));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
