import { ApiError } from "../api/errors";
import { decodeCursor, NewestFirstCursor, toPage, type Page } from "../api/pagination";
import { prisma, Prisma } from "../db/client";
import { bumpRatingsVersions, publishRatingsVersions } from "../ratings/history";
import { invalidateUserRecs } from "../recs/service";
import { logOutcome } from "../experiments/ab";
import { applyStatsDelta } from "../catalog/stats";
import { toFiveStars } from "../ratings/scales";
import { RATING_STEPS, type FeedbackState, type FeedbackType } from "./schemas";

// Likes, dislikes, hides and ratings: the current state per user and item, an append-only event log, and
// invalidation of that user's cached recommendations and rating history, all at once.

type Tx = Prisma.TransactionClient;
export type FeedbackInput = { itemId: number; type: FeedbackType; value?: number; at?: Date };

const CHANGES_RECS: FeedbackType[] = ["like", "dislike", "unlike", "hide", "unhide", "rate", "unrate"];
const CHANGES_RATINGS: FeedbackType[] = ["rate", "unrate"];

/** The film's statistics follow a rating written (`after`) over what was there (`before`, null for none), both as stored. */
function ratingDelta(before: number | null, after: number | null, source: string | null) {
  const stars = (r: number | null) => (r === null ? 0 : toFiveStars(r, source));
  return { ratings: (after === null ? 0 : 1) - (before === null ? 0 : 1), stars: stars(after) - stars(before), likes: 0 };
}

async function applyOne(tx: Tx, userId: number, e: FeedbackInput): Promise<void> {
  const at = e.at ?? new Date();
  const upsert = (data: { reaction?: "like" | "dislike" | null; hidden?: boolean }) =>
    tx.feedback.upsert({
      where: { userId_itemId: { userId, itemId: e.itemId } },
      create: { userId, itemId: e.itemId, reaction: data.reaction ?? null, hidden: data.hidden ?? false },
      update: data,
    });
  // A like given or taken back moves the film's count of likes; the lock keeps two at once from both counting.
  const react = async (reaction: "like" | "dislike" | null) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${userId}::int, ${e.itemId}::int)`;
    const before = await tx.feedback.findUnique({ where: { userId_itemId: { userId, itemId: e.itemId } }, select: { reaction: true } });
    await upsert({ reaction });
    const likes = (reaction === "like" ? 1 : 0) - (before?.reaction === "like" ? 1 : 0);
    await applyStatsDelta(tx, e.itemId, { ratings: 0, stars: 0, likes });
  };
  switch (e.type) {
    case "like":
      await react("like");
      break;
    case "dislike":
      await react("dislike");
      break;
    case "unlike":
      await react(null);
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
      // What was there and what was written (nothing, for a rating older than the one kept or than a clear).
      const [row] = await tx.$queryRaw<{ before: number | null; after: number | null; source: string | null }[]>`
        WITH prev AS (SELECT rating FROM ratings WHERE user_id = ${userId} AND item_id = ${e.itemId}),
        written AS (
          INSERT INTO ratings (user_id, item_id, rating, rated_at)
          SELECT ${userId}, ${e.itemId}, ${value}, ${at}
          WHERE NOT EXISTS (SELECT 1 FROM feedback WHERE user_id = ${userId} AND item_id = ${e.itemId} AND rating_cleared_at > ${at})
          ON CONFLICT (user_id, item_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = EXCLUDED.rated_at
          WHERE EXCLUDED.rated_at >= ratings.rated_at
          RETURNING rating
        )
        SELECT (SELECT rating FROM prev)::float8 AS before, (SELECT rating FROM written)::float8 AS after, (SELECT source FROM users WHERE id = ${userId}) AS source`;
      if (row && row.after !== null) await applyStatsDelta(tx, e.itemId, ratingDelta(row.before, row.after, row.source));
      break;
    }
    case "unrate": {
      // A clear from the page (no time given) takes whatever rating is shown, even one stamped ahead of the clock.
      const onlyOlder = e.at !== undefined;
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${userId}::int, ${e.itemId}::int)`;
      const [row] = await tx.$queryRaw<{ before: number | null; source: string | null }[]>`
        WITH gone AS (
          DELETE FROM ratings WHERE user_id = ${userId} AND item_id = ${e.itemId} AND (NOT ${onlyOlder} OR rated_at <= ${at}) RETURNING rated_at, rating
        ),
        mark AS (
          INSERT INTO feedback (user_id, item_id, hidden, rating_cleared_at)
          VALUES (${userId}, ${e.itemId}, false, GREATEST(${at}::timestamptz, (SELECT max(rated_at) FROM gone)))
          ON CONFLICT (user_id, item_id) DO UPDATE SET rating_cleared_at = GREATEST(feedback.rating_cleared_at, EXCLUDED.rating_cleared_at)
        )
        SELECT (SELECT rating FROM gone)::float8 AS before, (SELECT source FROM users WHERE id = ${userId}) AS source`;
      if (row && row.before !== null) await applyStatsDelta(tx, e.itemId, ratingDelta(row.before, null, row.source));
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
  const raters = [...new Set(events.filter((e) => CHANGES_RATINGS.includes(e.input.type)).map((e) => e.userId))];
  const versions = await prisma().$transaction(async (tx) => {
    await assertItemsExist(tx, events.map((e) => e.input.itemId));
    for (const e of events) await applyOne(tx, e.userId, e.input);
    return bumpRatingsVersions(tx, raters);
  });
  const users = new Set(events.filter((e) => CHANGES_RECS.includes(e.input.type)).map((e) => e.userId));
  await Promise.all([...users].map((u) => invalidateUserRecs(u)));
  await publishRatingsVersions(versions);
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

/** The films a person hid, most recently hidden first, a page at a time (keyset: hiding another between pages shifts nothing). */
export async function hiddenItems(userId: number, page: { limit: number; cursor?: string }): Promise<Page<HiddenItem>> {
  const after = decodeCursor(page.cursor, NewestFirstCursor);
  const rows = await prisma().feedback.findMany({
    where: {
      userId,
      hidden: true,
      ...(after ? { OR: [{ updatedAt: { lt: new Date(after.t) } }, { updatedAt: new Date(after.t), itemId: { lt: after.i } }] } : {}),
    },
    include: { item: { select: { id: true, title: true, year: true } } },
    orderBy: [{ updatedAt: "desc" }, { itemId: "desc" }],
    take: page.limit + 1,
  });
  return toPage(rows, page.limit, (r) => ({ id: r.item.id, title: r.item.title, year: r.item.year, hidden_at: r.updatedAt.toISOString() }), (r) => ({ t: r.updatedAt.toISOString(), i: r.itemId }));
}
export type HiddenItem = { id: number; title: string; year: number | null; hidden_at: string };
