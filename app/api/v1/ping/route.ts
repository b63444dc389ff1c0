import { apiRoute } from "@/lib/api/handler";

// The rating service's ping, kept for its old clients.
export const GET = apiRoute({ auth: "none" }, async () => ({ message: "pong" }));
