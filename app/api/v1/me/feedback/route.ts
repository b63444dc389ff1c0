import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { FeedbackStatesQuerySchema, MyFeedbackSchema } from "@/lib/feedback/schemas";
import { applyFeedback, feedbackStates } from "@/lib/feedback/service";


export const GET = apiRoute({ scope: "read", query: FeedbackStatesQuerySchema }, async ({ principal, query }) => ({ items: await feedbackStates(principal.user.id, query.item_ids), next_cursor: null }));

// One reaction from the signed-in person; answers with the item's new state.
export const POST = apiRoute({ scope: "write", body: MyFeedbackSchema }, async ({ principal, body }) =>
  applyFeedback(principal.user.id, { itemId: body.item_id, type: body.type, value: body.value }),
);

export const { PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET", "POST");
