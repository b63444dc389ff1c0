import { apiRoute, json } from "@/lib/api/handler";
import { CreateTokenSchema } from "@/lib/auth/schemas";
import { createToken, listTokens } from "@/lib/auth/tokens";

export const GET = apiRoute({ scope: "read" }, async ({ principal }) => ({
  items: await listTokens(principal.user.id),
  next_cursor: null,
}));

export const POST = apiRoute({ scope: "write", body: CreateTokenSchema }, async ({ principal, body }) => {
  const { token, summary } = await createToken(principal.user, body.name, body.scopes);
  return json({ token, ...summary }, { status: 201 });
});
