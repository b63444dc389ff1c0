import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";

export const GET = apiRoute({ scope: "read" }, async ({ principal }) => ({
  id: principal.user.id,
  email: principal.user.email,
  name: principal.user.name,
  role: principal.user.role,
  scopes: principal.scopes,
  via: principal.via,
}));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
