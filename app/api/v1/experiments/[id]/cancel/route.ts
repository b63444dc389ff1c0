import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { cancelExperiment } from "@/lib/experiments/service";

export const POST = apiRoute({ scope: "write", params: z.object({ id: z.string().min(1).max(100) }) }, async ({ principal, params }) => cancelExperiment(principal.user, params.id));
