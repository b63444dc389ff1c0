import pg from "pg";
import { databaseUrl } from "../db/client";
import { queryRows } from "../db/raw";

// Rating lists: each user's ratings as one stored value (rating_lists.packed), in the order and the form the old
// /rates answer is written from (lib/ratings/legacy-rates.ts): 16 bytes a rating, oldest first. A cache miss of /rates
// reads the list, one row, instead of aggregating the user's thousand ratings from the index: PostgreSQL's CPU a user
// 129-142 us against 396-454 (2,400 users with 1,000 ratings, three rounds).
//
// A list counts only while its `version` is the user's `users.ratings_version`, read in the same statement. Every
// write to a user's ratings raises that version in its own transaction (the feedback service, the importer for the
// users it merges into, item merges, item deletions), and a list is built in one statement from one snapshot of the
// ratings and the version, so a list is never read stale: at worst it is passed over, and the ratings are aggregated
// as before, until the rating-lists job builds it again. Users created by an import need no raise: nobody can have
// built a list of theirs before that import's transaction committed.

/** A user's ratings as one bytea in list order; `user` is the SQL naming the user's id. */
export const listOfUser = (user: string) =>
  `(SELECT string_agg(int4send(r.item_id) || float4send(r.rating) || timestamptz_send(r.rated_at), ''::bytea ORDER BY r.rated_at, r.item_id)
     FROM ratings r WHERE r.user_id = ${user})`;

/**
 * A user's next ratings version: microseconds since 1970 and always past the one before, so it also passes whatever an
 * earlier database left in a shared cache.
 */
export const RAISED_VERSION = "GREATEST(ratings_version + 1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)";

/** SQL raising the ratings version of the users `ids` (SQL yielding user ids) names, as every rating write does. */
export const raiseRatingsVersions = (ids: string) => `UPDATE users SET ratings_version = ${RAISED_VERSION} WHERE id IN (${ids})`;

/** Users with ratings whose list is missing or stale, after user id $1. */
const STALE = `FROM users u LEFT JOIN rating_lists l ON l.user_id = u.id
  WHERE u.id > $1 AND (l.user_id IS NULL OR l.version <> u.ratings_version) AND EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = u.id)`;

/** How many users have ratings and no current list (one scan of the users). */
export async function countStaleLists(): Promise<number> {
  const [[n]] = (await queryRows(`SELECT count(*) ${STALE}`, [0])) as [[string]];
  return Number(n);
}

// A newer version is never replaced by an older one: two builds of the same user at once keep the later snapshot's.
const BUILD = `INSERT INTO rating_lists (user_id, version, packed)
  SELECT u.id, u.ratings_version, p.packed FROM users u CROSS JOIN LATERAL (SELECT ${listOfUser("u.id")} AS packed) p
  WHERE u.id = ANY($1::int[]) AND p.packed IS NOT NULL
  ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version, packed = EXCLUDED.packed WHERE rating_lists.version <= EXCLUDED.version`;

/** Lists nobody reads again: of deleted users, and stale ones of users who have no ratings left. */
const DROP_DEAD = `DELETE FROM rating_lists l WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = l.user_id AND u.ratings_version = l.version)
  AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = l.user_id)`;

export type ListsProgress = { built: number; total: number };

/**
 * Builds the lists of users who have ratings and no current list: `usersPerStatement` at a time, in id order, from
 * user id `after` on (a resumed run passes where the last one stopped). `onProgress` hears after each statement and
 * may throw to stop (a cancel); what was built stays. Then drops the lists of users gone or left with no ratings.
 */
export async function refreshRatingLists(
  opts: { after?: number; usersPerStatement?: number; maxUsers?: number; onProgress?: (p: ListsProgress & { last: number }) => Promise<void> | void } = {},
): Promise<ListsProgress & { last: number; done: boolean; dropped: number }> {
  const per = opts.usersPerStatement ?? 500;
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const limit = opts.maxUsers ?? 2 ** 31 - 1;
    const { rows: stale } = await client.query<{ id: number }>(`SELECT u.id ${STALE} ORDER BY u.id LIMIT $2`, [opts.after ?? 0, limit]);
    const ids = stale.map((r) => r.id);
    let built = 0;
    let last = opts.after ?? 0;
    for (let i = 0; i < ids.length; i += per) {
      const chunk = ids.slice(i, i + per);
      // Derived data: a list lost to a crash before it reached the disk is only built again. SET LOCAL, not for the
      // session: behind a transaction pooler the session is other clients' too.
      await client.query("BEGIN; SET LOCAL synchronous_commit = off");
      try {
        built += (await client.query(BUILD, [chunk])).rowCount ?? 0;
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
      last = chunk[chunk.length - 1];
      await opts.onProgress?.({ built, total: ids.length, last });
    }
    const done = ids.length < limit;
    const dropped = done ? ((await client.query(DROP_DEAD)).rowCount ?? 0) : 0;
    return { built, total: ids.length, last, done, dropped };
  } finally {
    await client.end().catch(() => undefined);
  }
}
