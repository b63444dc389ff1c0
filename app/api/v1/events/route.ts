import { ApiError } from "@/lib/api/errors";
import { apiRoute, hasScope, json, methodsNotAllowed } from "@/lib/api/handler";
import { EventsBatchSchema } from "@/lib/feedback/schemas";
import { applyFeedbackBatch } from "@/lib/feedback/service";
import { resolveUserRef } from "@/lib/ratings/history";

// A batch of feedback events, applied all-or-nothing. user_id defaults to the caller; only admins may send
// events for other people (e.g. imported users, as `source:id`). Repeats with the same Idempotency-Key replay (apiRoute).
export const POST = apiRoute({ scope: "write", body: EventsBatchSchema, maxBodyBytes: 2_000_000 }, async ({ principal, body }) => {
  const resolved = new Map<string, number>();
  const events = [];
  for (const [index, e] of body.entries()) {
    let userId = principal.user.id;
    if (e.user_id !== undefined && String(e.user_id) !== String(principal.user.id)) {
      if (!hasScope(principal, "admin")) throw new ApiError(403, "forbidden", `Event ${index}: you can only send your own events (user_id ${principal.user.id})`);
      const ref = String(e.user_id);
      if (!resolved.has(ref)) resolved.set(ref, (await resolveUserRef(ref)).id);
      userId = resolved.get(ref) as number;
    }
    events.push({ userId, input: { itemId: e.item_id, type: e.type, value: e.value, at: e.timestamp } });
  }
  const result = await applyFeedbackBatch(events);
  return json({ accepted: result.accepted }, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
