import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { MyFeedbackSchema } from "@/lib/feedback/schemas";
import { applyFeedback, feedbackStates } from "@/lib/feedback/service";

const StatesQuery = z.object({
  item_ids: z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,199}$/, { message: "must be up to 200 comma-separated item ids" })
    .transform((v) => [...new Set(v.split(",").map(Number))])
    .refine((ids) => ids.every((n) => n >= 1 && n <= 2_147_483_647), { message: "item ids must be between 1 and 2147483647" }),
});

export const GET = apiRoute({ scope: "read", query: StatesQuery }, async ({ principal, query }) => ({ items: await feedbackStates(principal.user.id, query.item_ids), next_cursor: null }));

// One reaction from the signed-in person; answers with the item's new state.
export const POST = apiRoute({ scope: "write", body: MyFeedbackSchema }, async ({ principal, body }) =>
  applyFeedback(principal.user.id, { itemId: body.item_id, type: body.type, value: body.value }),
);
