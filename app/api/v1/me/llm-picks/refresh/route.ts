import { ApiError } from "@/lib/api/errors";
import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { prisma } from "@/lib/db/client";
import { enqueueJob } from "@/lib/jobs/dispatch";
import { llmStatus } from "@/lib/llm/client";

// A person asks for fresh AI picks now: a job for them alone, which they can watch.
export const POST = apiRoute({ scope: "write" }, async ({ principal }) => {
  const status = llmStatus();
  if (!status.enabled) throw new ApiError(409, "conflict", `AI picks are off on this server: ${status.reason}`);
  // One refresh at a time per person, and not more than once a minute: the model costs money.
  const recent = await prisma().job.findFirst({ where: { kind: "llm-picks", ownerId: principal.user.id }, orderBy: { createdAt: "desc" } });
  if (recent && (["queued", "sent", "running"].includes(recent.status) || Date.now() - recent.createdAt.getTime() < 60_000)) {
    const wait = Math.max(1, Math.ceil((60_000 - (Date.now() - recent.createdAt.getTime())) / 1000));
    throw new ApiError(429, "rate_limited", "Your AI picks were refreshed a moment ago; try again in a minute", { headers: { "retry-after": String(wait) } });
  }
  const job = await enqueueJob("llm-picks", { user_ids: [principal.user.id] }, { ownerId: principal.user.id });
  return json(job, { status: 202, headers: { location: `/api/v1/jobs/${job.id}` } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
