import { ApiError } from "@/lib/api/errors";
import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { clientIp, enforceRateLimit } from "@/lib/api/rate-limit";
import { TokenExchangeSchema } from "@/lib/auth/schemas";
import { createToken } from "@/lib/auth/tokens";
import { verifyCredentials } from "@/lib/auth/users";

// Email + password in, a personal API token out: how programs sign in.
export const POST = apiRoute({ auth: "none", body: TokenExchangeSchema }, async ({ req, body }) => {
  await enforceRateLimit("signin", `${body.email}|${clientIp(req)}`);
  const user = await verifyCredentials(body.email, body.password);
  if (!user) throw new ApiError(401, "invalid_credentials", "Wrong email or password");
  const { token, summary } = await createToken(user, body.name ?? "API token", body.scopes ?? ["read", "write"]);
  return json({ token, token_type: "Bearer", ...summary }, { status: 201 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
