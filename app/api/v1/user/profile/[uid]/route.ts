import { apiRoute, cachedJson, methodsNotAllowed } from "@/lib/api/handler";
import { assertCanRead, resolveLegacyUid, userProfile } from "@/lib/ratings/history";
import { LegacyUidParamSchema } from "@/lib/ratings/schemas";

// The rating service's old profile endpoint; the id is the one from ratings.csv.
export const GET = apiRoute({ auth: "optional", scope: "read", params: LegacyUidParamSchema }, async ({ params, principal }) => {
  return cachedJson(await userProfile(assertCanRead(await resolveLegacyUid(params.uid), principal?.user)));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
