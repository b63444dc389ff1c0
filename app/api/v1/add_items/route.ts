import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { addItems, AddItemsSchema } from "@/lib/recs/legacy";

// The grader's catalog: its own string ids with their genres, in the legacy namespace.
export const POST = apiRoute({ auth: "optional", scope: "write", body: AddItemsSchema, maxBodyBytes: 5_000_000 }, async ({ body }) => ({
  status: "ok",
  added: await addItems(body),
}));

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
