import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { ExperimentIdParamSchema } from "@/lib/experiments/schemas";
import { cancelExperiment } from "@/lib/experiments/service";

export const POST = apiRoute({ scope: "write", params: ExperimentIdParamSchema }, async ({ principal, params }) => cancelExperiment(principal.user, params.id));

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
