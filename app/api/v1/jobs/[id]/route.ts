import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { JobIdParamSchema } from "@/lib/jobs/schemas";
import { getJobFor, toJobView } from "@/lib/jobs/store";

export const GET = apiRoute({ scope: "read", params: JobIdParamSchema }, async ({ principal, params }) =>
  toJobView(await getJobFor(principal.user, params.id)),
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
