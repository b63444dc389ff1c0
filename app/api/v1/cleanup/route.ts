import { ApiError } from "@/lib/api/errors";
import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { cleanupLegacy } from "@/lib/recs/legacy";

// The grader's reset: removes everything the old endpoints created and every recommendation cache.
const handler = apiRoute({ scope: "admin" }, async ({ principal }) => {
  // GET is part of the old contract, so a browser session (which cross-site navigations carry) is not enough.
  if (principal.via !== "token") throw new ApiError(403, "forbidden", "Cleanup needs an admin bearer token, not a browser session");
  if (process.env.ALLOW_CLEANUP !== "true") {
    throw new ApiError(403, "forbidden", "Cleanup is disabled on this server; start it with ALLOW_CLEANUP=true to allow it");
  }
  const removed = await cleanupLegacy();
  return { status: "ok", removed };
});

export const GET = handler;
export const POST = handler;

export const { PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET", "POST");
