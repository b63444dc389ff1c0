import { statSync } from "node:fs";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ApiError } from "@/lib/api/errors";
import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { enqueueJob } from "@/lib/jobs/dispatch";
import { ImportParamsSchema, ImportQuerySchema } from "@/lib/jobs/handlers/import";
import { saveUpload } from "@/lib/ratings/uploads";


// The raw file as the body (streamed to disk), or multipart/form-data with a `file` field. Answers 202 with the job.
export const POST = apiRoute({ scope: "admin", params: ImportParamsSchema, query: ImportQuerySchema }, async ({ req, params, query, principal }) => {
  const type = req.headers.get("content-type") ?? "";
  let saved: { path: string; bytes: number };
  let name = query.name ?? `${params.kind}-upload`;
  if (type.startsWith("multipart/form-data")) {
    const form = await req.formData().catch(() => {
      throw new ApiError(400, "bad_request", "The multipart body could not be read");
    });
    const file = form.get("file");
    if (!(file instanceof File)) throw new ApiError(400, "validation_failed", "Send the file in a form field named `file`");
    name = query.name ?? file.name ?? name;
    saved = await saveUpload(file.stream() as unknown as WebReadableStream<Uint8Array>, name);
  } else {
    if (!req.body) throw new ApiError(400, "validation_failed", "The request has no body: send the file as the body");
    saved = await saveUpload(req.body as unknown as WebReadableStream<Uint8Array>, name);
  }
  const stat = statSync(saved.path);
  const job = await enqueueJob(
    "import",
    { format: params.kind, path: saved.path, name, fingerprint: `${stat.size}:${stat.mtimeMs}`, delete_after: true },
    { ownerId: principal.user.id },
  );
  return json({ job_id: job.id, job, bytes: saved.bytes }, { status: 202, headers: { location: `/api/v1/jobs/${job.id}` } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
