import { apiRoute, json } from "@/lib/api/handler";
import { assertCanRead, resolveUserRef, userProfile } from "@/lib/ratings/history";
import { UserRefParamSchema } from "@/lib/ratings/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", params: UserRefParamSchema }, async ({ params, principal }) => {
  const { value, hit } = await userProfile(assertCanRead(await resolveUserRef(params.id), principal?.user));
  return json(value, { headers: { "x-cache": hit ? "HIT" : "MISS" } });
});
