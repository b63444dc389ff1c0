import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { ExperimentIdParamSchema } from "@/lib/experiments/schemas";
import { getExperiment } from "@/lib/experiments/service";

export const GET = apiRoute({ scope: "read", params: ExperimentIdParamSchema }, async ({ principal, params }) => getExperiment(principal.user, params.id));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
