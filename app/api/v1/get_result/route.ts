import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { GetResultQuerySchema, LEGACY_STATUS } from "@/lib/experiments/legacy";
import { getJobFor, toJobView } from "@/lib/jobs/store";


// An unknown id is a 404, never "PENDING": a pending task is one that exists and has not started.
export const GET = apiRoute({ scope: "read", query: GetResultQuerySchema }, async ({ principal, query }) => {
  const job = toJobView(await getJobFor(principal.user, (query.task_id ?? query.id) as string));
  return {
    task_id: job.id,
    status: LEGACY_STATUS[job.status],
    progress: job.progress,
    ...(job.status === "succeeded" ? { result: job.result } : {}),
    ...(job.status === "failed" ? { error: job.error } : {}),
  };
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
