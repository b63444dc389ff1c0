import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";

// The rating service's ping, kept for its old clients.
export const GET = apiRoute({ auth: "none" }, async () => ({ message: "pong" }));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
