import { apiRoute, IdParamSchema, methodsNotAllowed } from "@/lib/api/handler";
import { revokeToken } from "@/lib/auth/tokens";

export const DELETE = apiRoute({ scope: "write", params: IdParamSchema }, async ({ principal, params }) => {
  await revokeToken(principal.user.id, params.id);
  return new Response(null, { status: 204 });
});

export const { GET, POST, PUT, PATCH, OPTIONS } = methodsNotAllowed("DELETE");
