import { z } from "zod";
import { ApiError, notFound } from "../api/errors";
import { decodeCursor, encodeCursor, type Page } from "../api/pagination";
import { cache, remember } from "../cache";
import { jsonBytesOf, textOfRawJson, type JsonBytes, type RawJson } from "../cache/bytes";
import { prisma, Prisma } from "../db/client";
import { queryRows } from "../db/raw";
import { legacyUidKey, RATINGS_EPOCH_KEY, ratingsEntryKey, ratingsVersionKey } from "./cache-keys";
import { RAISED_VERSION } from "./lists";
import { type LegacyUser, externalIdsOf, legacyRatesBytes, listLength, readLegacyUser, readRatingList, type RatingList } from "./legacy-rates";
import type { LegacyRate, Profile, RatingHistoryQuery, RatingView } from "./schemas";

// Rating history and profiles, read through the cache. Every entry's key carries the user's version and the
// global import epoch, so a write invalidates by raising one number: a user's version is `users.ratings_version`,
// raised in the transaction of every rating write and then published to the cache (which only ever raises it); an
// import bumps the epoch after each batch commits.
//
// A cache miss reads the version before the data (the epoch from the cache, the user's version from the cache or
// from the same statement as the ratings), so an entry never holds data older than its key says: a write that lands
// in between raises the version, and readers look past the entry.

const TTL_SECONDS = 600;
/** Which sources a bare legacy uid is looked up in, in order. */
const LEGACY_SOURCES = ["movielens", "movietweetings", "legacy", "demo"];
/** The item id namespace each user source's files use. */
const ITEM_NAMESPACE: Record<string, string> = { movielens: "movielens", movietweetings: "imdb" };

/**
 * A cached answer: the JSON text's bytes as stored (sent as they are by the API), and the value for pages that need it
 * (parsed from lent bytes, it must be read before they are released).
 */
export type Cached<T, Raw extends RawJson = JsonBytes> = { raw: Raw; hit: boolean; value: () => T };

type UserRow = LegacyUser;
const USER_FIELDS = { id: true, source: true, externalId: true, email: true } as const;

/** Imported and demo people are public data; a person with an account is visible only to themselves and admins. */
export function assertCanRead(user: UserRow, viewer: { id: number; role: "user" | "admin" } | null | undefined): UserRow {
  if (user.email && !(viewer && (viewer.id === user.id || viewer.role === "admin"))) throw notFound(`User ${user.id}`);
  return user;
}

/** `me` (the caller; 401 without one), a numeric id or `<source>:<id>`, as a user this viewer may read. */
export async function readableUser(ref: string, viewer: { id: number; role: "user" | "admin" } | null | undefined): Promise<UserRow> {
  if (ref === "me") {
    if (!viewer) throw new ApiError(401, "unauthorized", "Sign in or send a token to read your own data as `me`");
    return resolveUserRef(String(viewer.id));
  }
  return assertCanRead(await resolveUserRef(ref), viewer);
}

// Which user an id names hardly ever changes: remembered for a minute, so a cache hit needs no query.
const LOOKUP_TTL_SECONDS = 60;

export async function resolveUserRef(ref: string): Promise<UserRow> {
  const colon = ref.indexOf(":");
  const user = await remember(`user-ref:v1:${ref}`, LOOKUP_TTL_SECONDS, () =>
    colon === -1
      ? prisma().user.findUnique({ where: { id: Number(ref) }, select: USER_FIELDS })
      : prisma().user.findUnique({ where: { source_externalId: { source: ref.slice(0, colon), externalId: ref.slice(colon + 1) } }, select: USER_FIELDS }),
  );
  if (!user) throw notFound(`User ${ref}`);
  return user;
}

/**
 * The old `/rates/{uid}` took the id from ratings.csv: look it up among the imported sources, in LEGACY_SOURCES'
 * order when several have it; `<source>:<id>` (movietweetings:1) names one.
 */
export async function resolveLegacyUid(uid: string): Promise<UserRow> {
  const colon = uid.indexOf(":");
  if (colon > 0 && LEGACY_SOURCES.includes(uid.slice(0, colon))) return resolveUserRef(uid);
  const { user: known, epoch } = await rememberedLegacyUid(uid);
  if (known) return known;
  // On the plain pool: through Prisma this lookup cost a cache miss 1.6 ms of its 5.
  const rows = (await queryRows("SELECT id, source, external_id, email FROM users WHERE external_id = $1 AND source = ANY($2)", [uid, LEGACY_SOURCES], { prepare: true })) as [
    number,
    string,
    string,
    string | null,
  ][];
  const users: UserRow[] = rows.map(([id, source, externalId, email]) => ({ id, source, externalId, email }));
  users.sort((a, b) => LEGACY_SOURCES.indexOf(a.source ?? "") - LEGACY_SOURCES.indexOf(b.source ?? ""));
  if (!users[0]) throw notFound(`User ${uid}`);
  await rememberLegacyUid(uid, users[0], epoch);
  return users[0];
}

// Which user a bare uid names changes when a file brings a user of an earlier source with that id, or the legacy
// cleanup deletes one: both move the ratings epoch. So a remembered answer holds the epoch it was looked up in, and
// counts only while the epoch is still that one (read in the same round trip).
type RememberedUid = { user: UserRow; epoch: number };

/** The user a bare uid named when last looked up, unless a bulk write has come since; and the epoch now. */
async function rememberedLegacyUid(uid: string): Promise<{ user: UserRow | null; epoch: number }> {
  const [known, epoch] = (await cache().mget<unknown>(legacyUidKey(uid), RATINGS_EPOCH_KEY)) as [RememberedUid | null, number | null];
  return { user: known && known.epoch === (epoch ?? 0) ? known.user : null, epoch: epoch ?? 0 };
}

/** Remembers a lookup made after reading `epoch` (so one that raced a bulk write is dropped at the next read). */
async function rememberLegacyUid(uid: string, user: UserRow, epoch: number): Promise<void> {
  await cache().set(legacyUidKey(uid), { user, epoch } satisfies RememberedUid, LOOKUP_TTL_SECONDS);
}

/** An answer as read or stored: its bytes, whether they came from the cache, and their value parsed when asked for. */
const cachedAnswer = <T, Raw extends RawJson>(raw: Raw, hit: boolean): Cached<T, Raw> => ({ raw, hit, value: () => JSON.parse(textOfRawJson(raw)) as T });

/** Reads an answer's JSON text (as bytes) through the cache, `loadRaw` giving it on a miss. */
async function readThroughRaw<T>(userId: number, variant: string, loadRaw: () => Promise<JsonBytes>): Promise<Cached<T>> {
  const [epoch, version] = await cache().mget<number>(RATINGS_EPOCH_KEY, ratingsVersionKey(userId));
  const key = ratingsEntryKey(userId, epoch ?? 0, version ?? 0, variant);
  const hit = await cache().getRaw(key);
  const raw = hit ?? (await loadRaw());
  if (hit === null) await cache().setRaw(key, raw, TTL_SECONDS);
  return cachedAnswer(raw, hit !== null);
}

async function readThrough<T>(userId: number, variant: string, load: () => Promise<T>): Promise<Cached<T>> {
  let loaded: { value: T } | null = null;
  const cached = await readThroughRaw<T>(userId, variant, async () => {
    loaded = { value: await load() };
    return jsonBytesOf(JSON.stringify(loaded.value));
  });
  const fresh = loaded as { value: T } | null;
  return fresh ? { ...cached, value: () => fresh.value } : cached;
}

/** A version number no earlier bump has used, even within one millisecond. */
const freshVersion = () => Date.now() * 1000 + Math.floor(Math.random() * 1000);
const VERSION_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Raises the rating-history version of these users, inside the transaction that writes their ratings (RAISED_VERSION:
 * it also makes their stored rating lists stale). Publish the result with publishRatingsVersions once the transaction
 * has committed.
 */
export async function bumpRatingsVersions(tx: Pick<Prisma.TransactionClient, "$queryRaw">, userIds: number[]): Promise<RatingsVersion[]> {
  if (userIds.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: number; version: bigint }[]>`
    UPDATE users SET ratings_version = ${Prisma.raw(RAISED_VERSION)} WHERE id = ANY(${userIds}::int[]) RETURNING id, ratings_version AS version`;
  return rows.map((r) => ({ userId: r.id, version: Number(r.version) }));
}
export type RatingsVersion = { userId: number; version: number };

/** After a write to a user's ratings outside the feedback service, once it has committed: raises and publishes their version. */
export async function invalidateUserRatings(userId: number): Promise<void> {
  await publishRatingsVersions(await bumpRatingsVersions(prisma(), [userId]));
}

/** Tells readers of the cache about committed versions: from then on they look past every entry of an older one. */
export async function publishRatingsVersions(versions: RatingsVersion[]): Promise<void> {
  await Promise.all(versions.map((v) => cache().setMax(ratingsVersionKey(v.userId), v.version, VERSION_TTL_SECONDS)));
}

// A page's cursor: the offset it starts at (for "page N of M" and the links back) and, on cursors this API hands out
// as next_cursor, the sort key of the last rating shown, from which the next page reads on: a rating added, changed
// or cleared between two pages then neither repeats a rating nor skips one, as an offset alone would. Times as
// microseconds since 1970 in a string: exact whatever precision the column keeps (milliseconds today).
const HistoryCursor = z.object({
  o: z.number().int().min(0).max(10_000_000),
  k: z.tuple([z.number().nullable(), z.string().regex(/^-?\d{1,20}$/), z.number().int()]).optional(),
});

/**
 * Where a rating-history cursor stands: its page number (from 1) and the cursor of the page before: null on the
 * first page, "" when the page before is the first (which needs no cursor).
 */
export function historyPosition(cursor: string | undefined, limit: number): { page: number; previous: string | null } {
  const offset = decodeCursor(cursor, HistoryCursor)?.o ?? 0;
  if (offset === 0) return { page: 1, previous: null };
  return { page: Math.floor(offset / limit) + 1, previous: offset > limit ? encodeCursor({ o: offset - limit }) : "" };
}

type HistoryRow = { item_id: number; title: string; year: number | null; rating: number; rated_at: Date; us: string };

const ORDER: Record<RatingHistoryQuery["sort"], Prisma.Sql> = {
  newest: Prisma.sql`r.rated_at DESC, r.item_id DESC`,
  oldest: Prisma.sql`r.rated_at ASC, r.item_id ASC`,
  highest: Prisma.sql`r.rating DESC, r.rated_at DESC, r.item_id DESC`,
  lowest: Prisma.sql`r.rating ASC, r.rated_at DESC, r.item_id DESC`,
};

/** The ratings that come after the one with this sort key, in the `sort` order above. */
function afterKey(sort: RatingHistoryQuery["sort"], [rating, us, item]: [number | null, string, number]): Prisma.Sql {
  const at = Prisma.sql`(timestamptz 'epoch' + ${us}::bigint * interval '1 microsecond')`;
  const later = sort === "oldest" ? Prisma.sql`(r.rated_at > ${at} OR (r.rated_at = ${at} AND r.item_id > ${item}))` : Prisma.sql`(r.rated_at < ${at} OR (r.rated_at = ${at} AND r.item_id < ${item}))`;
  if (sort === "newest" || sort === "oldest") return later;
  // As a real, the column's own type: 0.1 as a double is not the real 0.1 stored.
  const value = Prisma.sql`${rating ?? 0}::real`;
  return sort === "highest" ? Prisma.sql`(r.rating < ${value} OR (r.rating = ${value} AND ${later}))` : Prisma.sql`(r.rating > ${value} OR (r.rating = ${value} AND ${later}))`;
}

export async function ratingHistory(userId: number, q: RatingHistoryQuery): Promise<Cached<Page<RatingView>>> {
  const cursor = decodeCursor(q.cursor, HistoryCursor);
  const offset = cursor?.o ?? 0;
  const variant = `h:${q.sort}:${q.limit}:${offset}:${cursor?.k?.join("/") ?? ""}:${q.from?.toISOString() ?? ""}:${q.to?.toISOString() ?? ""}`;
  return readThrough(userId, variant, async () => {
    const where = [Prisma.sql`r.user_id = ${userId}`];
    if (q.from) where.push(Prisma.sql`r.rated_at >= ${q.from}`);
    if (q.to) where.push(Prisma.sql`r.rated_at < ${q.to}`);
    if (cursor?.k) where.push(afterKey(q.sort, cursor.k));
    // From a sort key the next rows follow it; a cursor of an offset alone (the links back to earlier pages) skips.
    const skip = cursor?.k ? 0 : offset;
    const rows = await prisma().$queryRaw<HistoryRow[]>`
      SELECT r.item_id, i.title, i.year, r.rating, r.rated_at, (extract(epoch FROM r.rated_at) * 1000000)::bigint::text AS us
      FROM ratings r JOIN items i ON i.id = r.item_id
      WHERE ${Prisma.join(where, " AND ")} ORDER BY ${ORDER[q.sort]} LIMIT ${q.limit + 1} OFFSET ${skip}`;
    const last = rows[q.limit - 1];
    return {
      items: rows.slice(0, q.limit).map((r) => ({ item_id: r.item_id, title: r.title, year: r.year, rating: r.rating, rated_at: r.rated_at.toISOString() })),
      next_cursor: rows.length > q.limit ? encodeCursor({ o: offset + q.limit, k: [last.rating, last.us, last.item_id] }) : null,
    };
  });
}

/**
 * The old shape: every rating, oldest first, with the movie id as the user's source files spell it
 * (lib/ratings/legacy-rates.ts).
 */
export async function legacyRates(user: UserRow, knownEpoch?: number): Promise<Cached<LegacyRate[], RawJson>> {
  const [epoch, version] =
    knownEpoch === undefined ? await cache().mget<number>(RATINGS_EPOCH_KEY, ratingsVersionKey(user.id)) : [knownEpoch, await cache().get<number>(ratingsVersionKey(user.id))];
  const hit = await cache().lendRaw(ratingsEntryKey(user.id, epoch ?? 0, version ?? 0, "legacy"));
  if (hit !== null) return cachedAnswer(hit, true);
  return storeLegacyRates(user, await readRatingList(user.id), epoch ?? 0, version ?? 0);
}

/**
 * The old /rates/{uid} answer for the user a ratings-file id names, as this viewer may read it. When the id's user is
 * not remembered (a cache miss of the whole request, as a rarely asked uid always is) the user and their ratings come
 * from one statement.
 */
export async function legacyRatesOf(uid: string, viewer: Parameters<typeof assertCanRead>[1]): Promise<Cached<LegacyRate[], RawJson>> {
  const colon = uid.indexOf(":");
  if (colon > 0 && LEGACY_SOURCES.includes(uid.slice(0, colon))) return legacyRates(assertCanRead(await resolveUserRef(uid), viewer));
  // The epoch before the snapshot, as for every entry; the user's version comes with the ratings.
  const { user: known, epoch } = await rememberedLegacyUid(uid);
  if (known) return legacyRates(assertCanRead(known, viewer), epoch);
  const found = await readLegacyUser(uid, LEGACY_SOURCES);
  if (!found) throw notFound(`User ${uid}`);
  await rememberLegacyUid(uid, found.user, epoch);
  return storeLegacyRates(assertCanRead(found.user, viewer), found.list, epoch, 0);
}

/**
 * Writes the answer of `list` into the cache under the version it was read at, and, when that is newer than the
 * version the reader saw (`seen`), publishes it: a write committed but not yet published, or a version the cache lost.
 */
async function storeLegacyRates(user: UserRow, list: RatingList, epoch: number, seen: number): Promise<Cached<LegacyRate[], RawJson>> {
  const namespace = ITEM_NAMESPACE[user.source ?? ""] ?? null;
  const ids = namespace && listLength(list) ? await externalIdsOf(namespace, list.catalogVersion) : null;
  // Written into a working buffer and copied into the cache in the same turn (keepRaw copies before it yields).
  const raw = await cache().keepRaw(ratingsEntryKey(user.id, epoch, list.version, "legacy"), legacyRatesBytes(list, ids), TTL_SECONDS);
  if (list.version > seen) await publishRatingsVersions([{ userId: user.id, version: list.version }]);
  return cachedAnswer(raw, false);
}

export async function userProfile(user: UserRow): Promise<Cached<Profile>> {
  return readThrough(user.id, "profile", async () => {
    const [agg] = await prisma().$queryRaw<{ n: number; mean: number | null; first: Date | null; last: Date | null }[]>`
      SELECT count(*)::int AS n, avg(rating)::float8 AS mean, min(rated_at) AS first, max(rated_at) AS last FROM ratings WHERE user_id = ${user.id}`;
    const genres = await prisma().$queryRaw<{ genre: string; count: number; mean: number }[]>`
      SELECT g AS genre, count(*)::int AS count, avg(r.rating)::float8 AS mean
      FROM ratings r JOIN items i ON i.id = r.item_id, unnest(i.genres) AS g
      WHERE r.user_id = ${user.id} GROUP BY g ORDER BY count(*) DESC, avg(r.rating) DESC, g LIMIT 5`;
    return {
      user_id: user.id,
      source: user.source,
      external_id: user.externalId,
      ratings_count: agg?.n ?? 0,
      mean_rating: agg?.mean === null || agg?.mean === undefined ? null : Math.round(agg.mean * 100) / 100,
      top_genres: genres.map((g) => ({ genre: g.genre, count: g.count, mean_rating: Math.round(g.mean * 100) / 100 })),
      first_rating_at: agg?.first?.toISOString() ?? null,
      last_rating_at: agg?.last?.toISOString() ?? null,
    };
  });
}

/**
 * Called after a bulk write commits (each import batch, each catalog file): every user's cached history and
 * profile is read again, so a cancelled or failed import leaves nothing stale behind.
 */
export async function invalidateAllRatings(): Promise<void> {
  await cache().set(RATINGS_EPOCH_KEY, freshVersion(), 30 * 24 * 3600);
}
