import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { interact, InteractSchema } from "@/lib/recs/legacy";

// The grader's event collector: likes and dislikes by its own user and item ids; they count at once.
export const POST = apiRoute({ auth: "optional", scope: "write", body: InteractSchema, maxBodyBytes: 5_000_000 }, async ({ body }) => ({
  status: "ok",
  accepted: await interact(body),
}));

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
