import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { checkHealth } from "@/lib/ops/health";

export const GET = apiRoute({ auth: "none" }, async () => {
  const health = await checkHealth();
  return json(health, { status: health.status === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
