import { ApiError } from "@/lib/api/errors";
import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { enqueueJob } from "@/lib/jobs/dispatch";
import { requestedJobDefinition } from "@/lib/jobs/registry";
import { JobListQuerySchema, StartJobSchema } from "@/lib/jobs/schemas";
import { listJobs } from "@/lib/jobs/store";
import type { Json } from "@/lib/jobs/types";

export const GET = apiRoute({ scope: "read", query: JobListQuerySchema }, async ({ principal, query }) =>
  listJobs(principal.user, { ...query, all: query.mine !== "true" }),
);

export const POST = apiRoute({ scope: "write", body: StartJobSchema }, async ({ principal, body }) => {
  const def = requestedJobDefinition(body.kind);
  // Imports read files from the server's disk: they start only from an upload (or the CLI), never with a path.
  if (body.kind === "import") throw new ApiError(400, "bad_request", "Start imports by uploading the file to POST /api/v1/imports/{kind}");
  if (def.startableBy === "admin" && !principal.scopes.includes("admin")) {
    throw new ApiError(403, "insufficient_scope", `Starting ${body.kind} needs the admin scope`);
  }
  const job = await enqueueJob(body.kind, body.payload as Json, { ownerId: principal.user.id });
  return json(job, { status: 202, headers: { location: `/api/v1/jobs/${job.id}` } });
});

export const { PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET", "POST");
