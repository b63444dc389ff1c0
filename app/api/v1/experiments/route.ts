import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { CreateExperimentSchema, ExperimentListQuerySchema } from "@/lib/experiments/schemas";
import { createExperiment, listExperiments } from "@/lib/experiments/service";

export const GET = apiRoute({ scope: "read", query: ExperimentListQuerySchema }, async ({ principal, query }) => listExperiments(principal.user, query));

export const POST = apiRoute({ scope: "write", body: CreateExperimentSchema }, async ({ principal, body }) => {
  const experiment = await createExperiment(principal.user, body);
  return json(experiment, { status: 201, headers: { location: `/api/v1/experiments/${experiment.id}` } });
});

export const { PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET", "POST");
