import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { cancelJob } from "@/lib/jobs/dispatch";
import { JobIdParamSchema } from "@/lib/jobs/schemas";
import { getJobFor } from "@/lib/jobs/store";

export const POST = apiRoute({ scope: "write", params: JobIdParamSchema }, async ({ principal, params }) => {
  const job = await getJobFor(principal.user, params.id);
  return cancelJob(job.id);
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
