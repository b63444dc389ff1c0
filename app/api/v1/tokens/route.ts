import { ApiError } from "@/lib/api/errors";
import { apiRoute, hasScope, json, methodsNotAllowed } from "@/lib/api/handler";
import { PageQuerySchema } from "@/lib/api/pagination";
import { CreateTokenSchema } from "@/lib/auth/schemas";
import { createToken, listTokens } from "@/lib/auth/tokens";

export const GET = apiRoute({ scope: "read", query: PageQuerySchema }, async ({ principal, query }) => listTokens(principal.user.id, query));

export const POST = apiRoute({ scope: "write", body: CreateTokenSchema }, async ({ principal, body }) => {
  // A token can only create tokens with scopes it has itself.
  const beyond = body.scopes.filter((s) => !hasScope(principal, s));
  if (beyond.length) throw new ApiError(403, "insufficient_scope", `This token cannot grant the ${beyond.join(", ")} scope`);
  const { token, summary } = await createToken(principal.user, body.name, body.scopes);
  return json({ token, ...summary }, { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET", "POST");
