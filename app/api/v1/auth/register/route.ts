import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { RegisterSchema } from "@/lib/auth/schemas";
import { registerUser } from "@/lib/auth/users";

export const POST = apiRoute({ auth: "none", body: RegisterSchema }, async ({ body }) => {
  const user = await registerUser(body);
  return json({ id: user.id, email: user.email, name: user.name, role: user.role }, { status: 201 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
