import { ApiError } from "../api/errors";
import { prisma, Prisma } from "../db/client";
import { invalidateUserRatings } from "../ratings/history";
import { invalidateUserRecs } from "../recs/service";
import { logOutcome } from "../experiments/ab";
import { RATING_STEPS, type FeedbackState, type FeedbackType } from "./schemas";

// Likes, dislikes, hides and ratings: the current state per user and item, an append-only event log, and
// invalidation of that user's cached recommendations and rating history, all at once.

type Tx = Prisma.TransactionClient;
export type FeedbackInput = { itemId: number; type: FeedbackType; value?: number; at?: Date };

const CHANGES_RECS: FeedbackType[] = ["like", "dislike", "unlike", "hide", "unhide", "rate", "unrate"];
const CHANGES_RATINGS: FeedbackType[] = ["rate", "unrate"];

async function applyOne(tx: Tx, userId: number, e: FeedbackInput): Promise<void> {
  const at = e.at ?? new Date();
  const upsert = (data: { reaction?: "like" | "dislike" | null; hidden?: boolean }) =>
    tx.feedback.upsert({
      where: { userId_itemId: { userId, itemId: e.itemId } },
      create: { userId, itemId: e.itemId, reaction: data.reaction ?? null, hidden: data.hidden ?? false },
      update: data,
    });
  switch (e.type) {
    case "like":
      await upsert({ reaction: "like" });
      break;
    case "dislike":
      await upsert({ reaction: "dislike" });
      break;
    case "unlike":
      await upsert({ reaction: null });
      break;
    case "hide":
      await upsert({ hidden: true });
      break;
    case "unhide":
      await upsert({ hidden: false });
      break;
    // Ratings and clears of one person's rating of one item: the newest wins, in whatever order they arrive (a late
    // retry, a batch out of time order, two requests at once): a clear leaves a mark on the feedback row that an
    // older rating cannot pass, and the two take the same lock.
    case "rate": {
      const value = RATING_STEPS.parse(e.value);
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${userId}::int, ${e.itemId}::int)`;
      await tx.$executeRaw`
        INSERT INTO ratings (user_id, item_id, rating, rated_at)
        SELECT ${userId}, ${e.itemId}, ${value}, ${at}
        WHERE NOT EXISTS (SELECT 1 FROM feedback WHERE user_id = ${userId} AND item_id = ${e.itemId} AND rating_cleared_at > ${at})
        ON CONFLICT (user_id, item_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = EXCLUDED.rated_at
        WHERE EXCLUDED.rated_at >= ratings.rated_at`;
      break;
    }
    case "unrate": {
      // A clear from the page (no time given) takes whatever rating is shown, even one stamped ahead of the clock.
      const onlyOlder = e.at !== undefined;
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${userId}::int, ${e.itemId}::int)`;
      await tx.$executeRaw`
        WITH gone AS (
          DELETE FROM ratings WHERE user_id = ${userId} AND item_id = ${e.itemId} AND (NOT ${onlyOlder} OR rated_at <= ${at}) RETURNING rated_at
        )
        INSERT INTO feedback (user_id, item_id, hidden, rating_cleared_at)
        VALUES (${userId}, ${e.itemId}, false, GREATEST(${at}::timestamptz, (SELECT max(rated_at) FROM gone)))
        ON CONFLICT (user_id, item_id) DO UPDATE SET rating_cleared_at = GREATEST(feedback.rating_cleared_at, EXCLUDED.rating_cleared_at)`;
      break;
    }
    default:
      break;
  }
  // A clear has no value (one sent with it is not kept, so the log does not read as a rating).
  await tx.event.create({ data: { userId, itemId: e.itemId, type: e.type, value: e.type === "unrate" ? null : (e.value ?? null), createdAt: at } });
}

async function assertItemsExist(tx: Tx | ReturnType<typeof prisma>, ids: number[]): Promise<void> {
  const unique = [...new Set(ids)];
  const found = await tx.item.findMany({ where: { id: { in: unique } }, select: { id: true } });
  if (found.length === unique.length) return;
  const known = new Set(found.map((f) => f.id));
  const missing = unique.filter((id) => !known.has(id));
  throw new ApiError(422, "unprocessable", `Unknown item id${missing.length > 1 ? "s" : ""}: ${missing.slice(0, 20).join(", ")}`, {
    errors: missing.slice(0, 100).map((id) => ({ path: "item_id", message: `item ${id} does not exist` })),
  });
}

/** Applies a batch for several users atomically: all events or none. */
export async function applyFeedbackBatch(events: { userId: number; input: FeedbackInput }[]): Promise<{ accepted: number }> {
  await prisma().$transaction(async (tx) => {
    await assertItemsExist(tx, events.map((e) => e.input.itemId));
    for (const e of events) await applyOne(tx, e.userId, e.input);
  });
  const users = new Set(events.filter((e) => CHANGES_RECS.includes(e.input.type)).map((e) => e.userId));
  const raters = new Set(events.filter((e) => CHANGES_RATINGS.includes(e.input.type)).map((e) => e.userId));
  await Promise.all([...users].map((u) => invalidateUserRecs(u)));
  await Promise.all([...raters].map((u) => invalidateUserRatings(u)));
  for (const e of events) {
    if (e.input.type === "like" || e.input.type === "click") await logOutcome(e.userId, e.input.itemId, e.input.type);
  }
  return { accepted: events.length };
}

export async function applyFeedback(userId: number, input: FeedbackInput): Promise<FeedbackState> {
  await applyFeedbackBatch([{ userId, input }]);
  const [state] = await feedbackStates(userId, [input.itemId]);
  return state;
}

export async function feedbackStates(userId: number, itemIds: number[]): Promise<FeedbackState[]> {
  const [fb, rt] = await Promise.all([
    prisma().feedback.findMany({ where: { userId, itemId: { in: itemIds } } }),
    prisma().rating.findMany({ where: { userId, itemId: { in: itemIds } }, select: { itemId: true, rating: true } }),
  ]);
  const f = new Map(fb.map((x) => [x.itemId, x]));
  const r = new Map(rt.map((x) => [x.itemId, x.rating]));
  return itemIds.map((id) => ({ item_id: id, reaction: f.get(id)?.reaction ?? null, hidden: f.get(id)?.hidden ?? false, rating: r.get(id) ?? null }));
}

export async function hiddenItems(userId: number): Promise<{ id: number; title: string; year: number | null; hidden_at: string }[]> {
  const rows = await prisma().feedback.findMany({
    where: { userId, hidden: true },
    include: { item: { select: { id: true, title: true, year: true } } },
    orderBy: { updatedAt: "desc" },
  });
  return rows.map((r) => ({ id: r.item.id, title: r.item.title, year: r.item.year, hidden_at: r.updatedAt.toISOString() }));
}
