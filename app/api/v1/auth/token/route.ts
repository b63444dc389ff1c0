import { ApiError } from "@/lib/api/errors";
import { apiRoute, json } from "@/lib/api/handler";
import { TokenExchangeSchema } from "@/lib/auth/schemas";
import { createToken } from "@/lib/auth/tokens";
import { verifyCredentials } from "@/lib/auth/users";

// Email + password in, a personal API token out: how programs sign in.
export const POST = apiRoute({ auth: "none", body: TokenExchangeSchema }, async ({ body }) => {
  const user = await verifyCredentials(body.email, body.password);
  if (!user) throw new ApiError(401, "invalid_credentials", "Wrong email or password");
  const { token, summary } = await createToken(user, body.name ?? "API token", body.scopes ?? ["read", "write"]);
  return json({ token, token_type: "Bearer", ...summary }, { status: 201 });
});
