import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";

// The grader service's liveness probe: 200 while the process answers.
export const GET = apiRoute({ auth: "none" }, async () => ({ status: "ok" }));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
