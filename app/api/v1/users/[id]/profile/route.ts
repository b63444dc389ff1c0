import { apiRoute, cachedJson, methodsNotAllowed } from "@/lib/api/handler";
import { readableUser, userProfile } from "@/lib/ratings/history";
import { UserRefParamSchema } from "@/lib/ratings/schemas";

export const GET = apiRoute({ auth: "optional", scope: "read", params: UserRefParamSchema }, async ({ params, principal }) => {
  return cachedJson(await userProfile(await readableUser(params.id, principal?.user)));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
