import { apiRoute, json, methodsNotAllowed, parseWith } from "@/lib/api/handler";
import { CreateExperimentSchema } from "@/lib/experiments/schemas";
import { createExperiment } from "@/lib/experiments/service";
import { ApiError } from "@/lib/api/errors";

// The old analytics API: start a long computation, get a task id back. An empty body runs the default offline
// evaluation; a body is an experiment definition as POST /api/v1/experiments takes it. Old clients sent JSON with
// whatever content type their HTTP library chose, hence anyContentType.
const LaunchBodySchema = CreateExperimentSchema.optional();

export const POST = apiRoute({ scope: "write", body: LaunchBodySchema, maxBodyBytes: 100_000, anyContentType: true }, async ({ principal, body }) => {
  const experiment = await createExperiment(principal.user, body ?? parseWith(CreateExperimentSchema, {}, "body"));
  if (!experiment.job) throw new ApiError(400, "bad_request", "Only offline evaluations run as tasks; start A/B tests with POST /api/v1/experiments");
  return json({ task_id: experiment.job.id }, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
