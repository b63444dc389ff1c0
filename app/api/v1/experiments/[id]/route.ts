import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { getExperiment } from "@/lib/experiments/service";

export const GET = apiRoute({ scope: "read", params: z.object({ id: z.string().min(1).max(100) }) }, async ({ principal, params }) => getExperiment(principal.user, params.id));
