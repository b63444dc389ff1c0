import { ApiError } from "@/lib/api/errors";
import { apiRoute, json } from "@/lib/api/handler";
import { enqueueJob } from "@/lib/jobs/dispatch";
import { llmStatus } from "@/lib/llm/client";

// A person asks for fresh AI picks now: a job for them alone, which they can watch.
export const POST = apiRoute({ scope: "write" }, async ({ principal }) => {
  const status = llmStatus();
  if (!status.enabled) throw new ApiError(409, "conflict", `AI picks are off on this server: ${status.reason}`);
  const job = await enqueueJob("llm-picks", { user_ids: [principal.user.id] }, { ownerId: principal.user.id });
  return json(job, { status: 202, headers: { location: `/api/v1/jobs/${job.id}` } });
});
