import { ApiError } from "@/lib/api/errors";
import { apiRoute } from "@/lib/api/handler";

// Any /api/v1 path no route matches: a problem+json 404 (and the same rate limits), not Next's HTML page.
const unknown = apiRoute({ auth: "none" }, async ({ req }) => {
  throw new ApiError(404, "not_found", `No API endpoint at ${req.method} ${new URL(req.url).pathname}; see /api/v1/openapi.json`);
});

export const GET = unknown;
export const POST = unknown;
export const PUT = unknown;
export const PATCH = unknown;
export const DELETE = unknown;
