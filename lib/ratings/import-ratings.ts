import pg from "pg";
import { copyRatingRowsBinary } from "../db/copy";
import { raiseRatingsVersions } from "./lists";
import { lineChunks } from "./lines";
import { maxTimestamp, parseRatingBytes, type RatingFormat, type RatingRow } from "./formats";
import { lineError, MAX_REPORTED_ERRORS, NUL_REASON, type LineError } from "./report";

// One batch of a ratings import, in one transaction: parse lines from a byte offset, resolve the file's user and
// movie ids to Tastebud's (creating unknown users and placeholder items), keep one rating per user and movie
// (the newest), then write. Rows of users created in this very batch cannot conflict with anything stored, so
// they go straight into `ratings` with COPY; rows of users seen before are staged with COPY and merged, keeping
// the newest rating. A batch commits whole or not at all, so a killed import never leaves half a batch, and
// re-running a batch changes nothing. Three things overlap so the server is never idle: parsing the next batch,
// writing this one, and (in long-lived processes) writing the next one on a second connection before this commits.

export type BatchInput = {
  path: string;
  format: RatingFormat;
  start: number;
  firstLine: number;
  maxLines: number;
  /** How many more rejected lines the report still wants in detail. */
  errorBudget: number;
  /** Start writing the next batch while this one commits (long-lived processes only: it holds a transaction open). */
  overlap?: boolean;
};

export type BatchResult = {
  next: number;
  nextLine: number;
  done: boolean;
  read: number;
  loaded: number;
  rejected: number;
  changed: number;
  usersCreated: number;
  itemsCreated: number;
  errors: LineError[];
  /** The Tastebud ids of the films the batch's lines name, when there are at most TOUCHED_ITEMS_LIMIT; else null. */
  items?: number[] | null;
};

/** Up to this many films touched, an import refreshes their statistics alone (lib/catalog/stats.ts). */
export const TOUCHED_ITEMS_LIMIT = 5_000;

// External id -> Tastebud id, per source, shared by the batches of an import in this process. Entries are added
// only after their batch commits, so a rolled-back batch never leaves an id behind. Users of rating files are keyed
// by their number (the importer stores it in canonical form), which takes a fraction of the memory of strings:
// the 270,000 users of The Movies Dataset stay in memory for the whole import.
const knownUsers = new Map<string, Map<number, number>>();
const knownItems = new Map<string, Map<string, number>>();
/** The file's numeric item id -> Tastebud id, per format, so known items need no string per line batch. */
const knownItemKeys = new Map<string, Map<number, number>>();

async function userMap(client: pg.ClientBase, source: string): Promise<Map<number, number>> {
  let map = knownUsers.get(source);
  if (!map) {
    const { rows } = await client.query<{ ext: string; id: number }>("SELECT external_id AS ext, id FROM users WHERE source = $1", [source]);
    map = new Map();
    for (const r of rows) if (String(Number(r.ext)) === r.ext) map.set(Number(r.ext), r.id);
    knownUsers.set(source, map);
  }
  return map;
}

async function itemMap(client: pg.ClientBase, source: string): Promise<Map<string, number>> {
  let map = knownItems.get(source);
  if (!map) {
    const { rows } = await client.query<{ ext: string; id: number }>("SELECT value AS ext, item_id AS id FROM external_ids WHERE source = $1", [source]);
    map = new Map(rows.map((r) => [r.ext, r.id]));
    knownItems.set(source, map);
  }
  return map;
}

export function forgetImportIds(): void {
  knownUsers.clear();
  knownItems.clear();
  knownItemKeys.clear();
}


type ParsedBatch = {
  result: BatchResult;
  /** The file's distinct user and item ids in this batch; each good line points into them. */
  userKeys: number[];
  itemKeys: number[];
  userOf: Int32Array;
  itemOf: Int32Array;
  ratings: Float32Array;
  /** Unix seconds (whole, as the formats require). */
  times: Uint32Array;
};

function intern(keys: number[], index: Map<number, number>, key: number): number {
  let k = index.get(key);
  if (k === undefined) {
    k = keys.length;
    keys.push(key);
    index.set(key, k);
  }
  return k;
}

async function parseBatch(input: BatchInput): Promise<ParsedBatch> {
  const { format } = input;
  const result: BatchResult = { next: input.start, nextLine: input.firstLine, done: true, read: 0, loaded: 0, rejected: 0, changed: 0, usersCreated: 0, itemsCreated: 0, errors: [] };
  const userKeys: number[] = [];
  const itemKeys: number[] = [];
  const userIndex = new Map<number, number>();
  const itemIndex = new Map<number, number>();
  const userOf = new Int32Array(input.maxLines);
  const itemOf = new Int32Array(input.maxLines);
  const ratings = new Float32Array(input.maxLines);
  const times = new Uint32Array(input.maxLines);
  const row: RatingRow = { user: 0, item: 0, rating: 0, timestamp: 0 };
  const maxTs = maxTimestamp();
  let lines = 0;
  chunks: for await (const chunk of lineChunks(input.path, { start: input.start, firstLineNumber: input.firstLine })) {
    for (let x = 0; x < chunk.count; x++) {
      lines++;
      const number = chunk.firstNumber + x;
      result.next = chunk.nexts[x];
      result.nextLine = number + 1;
      let good = parseRatingBytes(chunk.buf, chunk.starts[x], chunk.ends[x], format, maxTs, row);
      if (!good) {
        const text = chunk.buf.toString("utf8", chunk.starts[x], chunk.ends[x]);
        const parsed = text.includes("\u0000") ? { error: NUL_REASON } : format.parse(text, number);
        if ("error" in parsed) {
          result.read++;
          result.rejected++;
          if (result.errors.length < input.errorBudget) result.errors.push(lineError(number, parsed.error, text));
        } else if ("row" in parsed) {
          Object.assign(row, parsed.row);
          good = true;
        }
      }
      if (good) {
        const k = result.loaded;
        userOf[k] = intern(userKeys, userIndex, row.user);
        itemOf[k] = intern(itemKeys, itemIndex, row.item);
        ratings[k] = row.rating;
        times[k] = row.timestamp;
        result.read++;
        result.loaded++;
      }
      if (lines >= input.maxLines) {
        result.done = false;
        break chunks;
      }
    }
  }
  return { result, userKeys, itemKeys, userOf, itemOf, ratings, times };
}

// A native sort of packed (user, item) ids finds repeats far faster than sorting rows with a comparator. The
// scratch array is reused: this runs synchronously, one batch at a time.
let scratch = new Float64Array(0);
function hasRepeats(uid: Int32Array, iid: Int32Array, n: number): boolean {
  if (scratch.length < n) scratch = new Float64Array(n);
  const pairs = scratch.subarray(0, n);
  for (let k = 0; k < n; k++) pairs[k] = uid[k] * 2 ** 26 + iid[k];
  pairs.sort();
  for (let k = 1; k < n; k++) if (pairs[k] === pairs[k - 1]) return true;
  return false;
}

/** The lines to write when some (user, item) pair repeats: the newest rating of each pair, then the higher. */
function newestPerPair(uid: Int32Array, iid: Int32Array, times: Uint32Array, ratings: Float32Array, n: number): Int32Array {
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => uid[a] - uid[b] || iid[a] - iid[b] || times[b] - times[a] || ratings[b] - ratings[a]);
  const keep: number[] = [];
  for (let x = 0; x < order.length; x++) {
    const k = order[x];
    const prev = x > 0 ? order[x - 1] : -1;
    if (prev >= 0 && uid[prev] === uid[k] && iid[prev] === iid[k]) continue;
    keep.push(k);
  }
  return Int32Array.from(keep);
}

// While the database writes one batch, the next one is parsed: the two overlap instead of taking turns.
let prefetched: { key: string; batch: Promise<ParsedBatch> } | null = null;
const batchKey = (input: BatchInput) => `${input.path}:${input.start}:${input.firstLine}:${input.maxLines}:${input.format.id}`;

function takeParsed(input: BatchInput): Promise<ParsedBatch> {
  if (prefetched && prefetched.key === batchKey(input)) {
    const batch = prefetched.batch;
    prefetched = null;
    return batch;
  }
  prefetched = null;
  return parseBatch(input);
}

function prefetch(next: BatchInput | null): void {
  if (!next) return;
  prefetched = { key: batchKey(next), batch: parseBatch(next) };
  prefetched.batch.catch(() => undefined);
}

const nextInput = (input: BatchInput, result: BatchResult): BatchInput => ({ ...input, start: result.next, firstLine: result.nextLine, errorBudget: MAX_REPORTED_ERRORS });

// Connections stay open across the batches of an import (one per batch in flight).
const pools = new Map<string, pg.Pool>();
function poolFor(databaseUrl: string): pg.Pool {
  let pool = pools.get(databaseUrl);
  if (!pool) {
    pool = new pg.Pool({ connectionString: databaseUrl, max: 3, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    pool.on("error", () => undefined); // an idle connection that drops is simply replaced
    pools.set(databaseUrl, pool);
  }
  return pool;
}

// Placeholder items are made in their own short transactions, one at a time: two batches in flight never wait
// on each other's items, and a rolled-back batch leaves at most unused placeholders that the next run reuses.
let itemsLock: Promise<unknown> = Promise.resolve();

async function ensureItems(pool: pg.Pool, format: RatingFormat, itemExt: string[], itemIds: Map<string, number>): Promise<number> {
  const run = itemsLock.then(async () => {
    const missing = itemExt.filter((i) => !itemIds.has(i));
    if (!missing.length) return 0;
    const { rows } = await pool.query<{ ext: string; id: number }>(
      `WITH ids AS (SELECT ext, nextval(pg_get_serial_sequence('items', 'id'))::int AS id FROM unnest($2::text[]) AS ext
                    WHERE NOT EXISTS (SELECT 1 FROM external_ids e WHERE e.source = $1 AND e.value = ext)),
            made AS (INSERT INTO items (id, kind, title, genres) SELECT id, 'movie', 'Unknown title (' || $1 || ' ' || ext || ')', '{}' FROM ids RETURNING id)
       INSERT INTO external_ids (source, value, item_id) SELECT $1, ext, id FROM ids RETURNING value AS ext, item_id AS id`,
      [format.itemSource, missing],
    );
    for (const r of rows) itemIds.set(r.ext, r.id);
    const raced = missing.filter((i) => !itemIds.has(i));
    if (raced.length) {
      const found = await pool.query<{ ext: string; id: number }>("SELECT value AS ext, item_id AS id FROM external_ids WHERE source = $1 AND value = ANY($2)", [format.itemSource, raced]);
      for (const r of found.rows) itemIds.set(r.ext, r.id);
    }
    return rows.length;
  });
  itemsLock = run.catch(() => undefined);
  return run;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A batch whose rows are written inside a transaction that is still open. */
type OpenBatch = {
  key: string;
  connection: Promise<pg.PoolClient>;
  /** Set once the transaction is committed or rolled back and the connection returned. */
  finished: boolean;
  /** Users this batch created, known once its ids are resolved (a later batch in flight reuses them). */
  resolved: Promise<Map<number, number>>;
  /** Where the next batch starts, known once this one is parsed; null at the end of the file. */
  next: Promise<BatchInput | null>;
  written: Promise<BatchResult>;
  /** Whether ratings of users seen before changed (import_changed names them): their versions are raised at commit. */
  merged: boolean;
};

/**
 * Starts one batch: parse (usually done ahead), resolve ids, and write, in a transaction left open for the caller to
 * commit. `previous` is the batch before it when that one has not committed yet: this batch uses the ids of the users
 * it created instead of inserting them again, and merges rows that may touch the same ratings only once `previous`
 * has written all of its own (so this one waits on its locks, never the other way round). Rows of users new in this
 * batch cannot meet any other batch's and go in at once.
 */
function startBatch(pool: pg.Pool, input: BatchInput, previous: OpenBatch | null): OpenBatch {
  const { format } = input;
  const resolved = deferred<Map<number, number>>();
  const next = deferred<BatchInput | null>();
  resolved.promise.catch(() => undefined);
  next.promise.catch(() => undefined);
  // While a connection is checked out the pool does not listen for its errors: a server that ends the session
  // would otherwise crash the process with an unhandled 'error' event.
  const connection = pool.connect().then((client) => client.on("error", ignoreError));
  connection.catch(() => undefined);
  const open: OpenBatch = { key: batchKey(input), connection, finished: false, resolved: resolved.promise, next: next.promise, written: Promise.resolve(null as unknown as BatchResult), merged: false };
  open.written = (async () => {
    const t0 = performance.now();
    const parsed = await takeParsed(input);
    const { result, userKeys, itemKeys, userOf, itemOf, ratings, times } = parsed;
    const following = result.done ? null : nextInput(input, result);
    prefetch(following);
    next.resolve(following);
    const client = await connection;
    const tParsed = performance.now();
    await client.query("BEGIN; SET LOCAL synchronous_commit = off");
    if (result.loaded === 0) {
      resolved.resolve(new Map());
      return result;
    }
    const userIds = await userMap(client, format.userSource);
    let byKey = knownItemKeys.get(format.id);
    if (!byKey) knownItemKeys.set(format.id, (byKey = new Map()));
    const unknownKeys = itemKeys.filter((k) => !byKey.has(k));
    if (unknownKeys.length) {
      const itemIds = await itemMap(client, format.itemSource);
      // Items' external ids are in the format's spelling (e.g. IMDb's tt0000001).
      const itemExt = unknownKeys.map((k) => format.normalizeItem(String(k)));
      result.itemsCreated = await ensureItems(pool, format, itemExt, itemIds);
      unknownKeys.forEach((k, j) => byKey.set(k, itemIds.get(itemExt[j]) as number));
    }
    const pending = previous ? await previous.resolved : new Map<number, number>();
    const newUsers = new Map<number, number>();
    const missingUsers = userKeys.filter((u) => !userIds.has(u) && !pending.has(u));
    if (missingUsers.length) {
      const { rows } = await client.query<{ id: number; external_id: string }>(
        `INSERT INTO users (source, external_id) SELECT $1, unnest($2::text[]) ON CONFLICT (source, external_id) DO NOTHING RETURNING id, external_id`,
        [format.userSource, missingUsers.map(String)],
      );
      for (const r of rows) newUsers.set(Number(r.external_id), r.id);
      result.usersCreated = rows.length;
      const raced = missingUsers.filter((u) => !newUsers.has(u));
      if (raced.length) {
        const found = await client.query<{ id: number; external_id: string }>("SELECT id, external_id FROM users WHERE source = $1 AND external_id = ANY($2)", [format.userSource, raced.map(String)]);
        for (const r of found.rows) userIds.set(Number(r.external_id), r.id);
      }
    }
    resolved.resolve(newUsers);

    // Tastebud ids per distinct key, then per line. Lines of users created in this batch cannot conflict with
    // anything stored and go straight in; the others are merged, the newest rating winning.
    const userId = Int32Array.from(userKeys, (u) => newUsers.get(u) ?? userIds.get(u) ?? (pending.get(u) as number));
    const userIsNew = Uint8Array.from(userKeys, (u) => (newUsers.has(u) ? 1 : 0));
    const itemId = Int32Array.from(itemKeys, (k) => byKey.get(k) as number);
    result.items = itemId.length <= TOUCHED_ITEMS_LIMIT ? Array.from(itemId) : null;
    // From here on the line arrays hold Tastebud ids (converted in place: no second copy of the batch).
    const n = result.loaded;
    const fresh = new Uint8Array(n);
    const uid = userOf;
    const iid = itemOf;
    for (let k = 0; k < n; k++) {
      fresh[k] = userIsNew[userOf[k]];
      uid[k] = userId[userOf[k]];
      iid[k] = itemId[itemOf[k]];
    }
    // Two lines may name the same pair, also through two file ids that were merged into one item.
    const keep = hasRepeats(uid, iid, n) ? newestPerPair(uid, iid, times, ratings, n) : null;
    const kept = keep ? keep.length : n;
    let directCount = 0;
    for (let x = 0; x < kept; x++) directCount += fresh[keep ? keep[x] : x];
    const direct = new Int32Array(directCount);
    const merge = new Int32Array(kept - directCount);
    for (let x = 0, d = 0, m = 0; x < kept; x++) {
      const k = keep ? keep[x] : x;
      if (fresh[k]) direct[d++] = k;
      else merge[m++] = k;
    }
    const tResolved = performance.now();
    const columns = { user: uid, item: iid, rating: ratings, unixSeconds: times };
    if (direct.length) {
      await copyRatingRowsBinary(client, "ratings", { ...columns, rows: direct });
      result.changed += direct.length;
    }
    if (merge.length) {
      await client.query("CREATE TEMP TABLE import_stage (user_id int, item_id int, rating real, rated_at timestamptz) ON COMMIT DROP");
      await copyRatingRowsBinary(client, "import_stage", { ...columns, rows: merge });
      await previous?.written;
      // The users whose ratings this changed go to import_changed, for their versions to be raised at commit (finish).
      await client.query("CREATE TEMP TABLE import_changed (user_id int) ON COMMIT DROP");
      const merged = await client.query<{ n: string }>(
        `WITH changed AS (
           INSERT INTO ratings (user_id, item_id, rating, rated_at) SELECT user_id, item_id, rating, rated_at FROM import_stage
           ON CONFLICT (user_id, item_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = EXCLUDED.rated_at
           WHERE EXCLUDED.rated_at > ratings.rated_at
              OR (EXCLUDED.rated_at = ratings.rated_at AND EXCLUDED.rating > ratings.rating)
           RETURNING user_id),
         noted AS (INSERT INTO import_changed SELECT DISTINCT user_id FROM changed)
         SELECT count(*) AS n FROM changed`,
      );
      const changed = Number(merged.rows[0].n);
      result.changed += changed;
      open.merged = changed > 0;
    }
    if (process.env.IMPORT_TIMINGS) {
      const mb = (b: number) => Math.round(b / 2 ** 20);
      console.error(`batch at line ${input.firstLine}: parse ${Math.round(tParsed - t0)} ms, resolve ${Math.round(tResolved - tParsed)} ms, write ${Math.round(performance.now() - tResolved)} ms (${direct.length} direct, ${merge.length} merged), memory ${Object.entries(process.memoryUsage()).map(([k, v]) => `${k} ${mb(v)}`).join(" ")} MB`);
    }
    return result;
  })();
  open.written.catch((err) => {
    resolved.reject(err);
    next.reject(err);
  });
  return open;
}

// With `overlap`, the next batch starts writing on a second connection while this one finishes; it commits only in
// its own step, after this one, so committed batches are always a prefix of the file.
let ahead: OpenBatch | null = null;

const ignoreError = () => undefined;

/** Commits or rolls back a batch's transaction and returns its connection, once; a failed COMMIT is rethrown. */
async function finish(open: OpenBatch | null, commit: boolean): Promise<void> {
  if (!open || open.finished) return;
  open.finished = true;
  await open.written.catch(() => undefined);
  const client = await open.connection.catch(() => null);
  if (!client) return;
  let failure: Error | undefined;
  try {
    // The users whose ratings this batch changed by merging now have stored rating lists that are stale
    // (lib/ratings/lists.ts): their versions are raised here, right before COMMIT, when the batch before has committed,
    // because a user that batch created is visible to this UPDATE only then. Raised any earlier, a list built between
    // the two commits would have kept that user's version and missed this batch's ratings. Users this batch created
    // need none: nobody can have built their lists before this commits.
    if (commit && open.merged) await client.query(raiseRatingsVersions("SELECT user_id FROM import_changed"));
    await client.query(commit ? "COMMIT" : "ROLLBACK");
  } catch (err) {
    failure = err as Error;
  } finally {
    client.off("error", ignoreError);
    // A connection whose COMMIT or ROLLBACK failed is broken: the pool destroys it instead of reusing it.
    client.release(failure);
  }
  if (failure && commit) throw failure;
}

// A batch started ahead that no step takes within a minute (the job was cancelled or failed between steps) must
// not keep its transaction and locks.
const UNTAKEN_MS = 60_000;
function armAheadTimer(): void {
  const waiting = ahead;
  if (!waiting) return;
  setTimeout(() => {
    if (ahead === waiting) void abandonImport();
  }, UNTAKEN_MS).unref();
}

/** Rolls back a batch started ahead: the import stopped (failed, cancelled) before the step that would commit it. */
export async function abandonImport(): Promise<void> {
  const waiting = ahead;
  ahead = null;
  await finish(waiting, false);
}

export async function importRatingsBatch(databaseUrl: string, input: BatchInput): Promise<BatchResult> {
  // A new file starts from what the database says now (items may have been merged since the last import).
  if (input.start === 0) forgetImportIds();
  const pool = poolFor(databaseUrl);
  let open: OpenBatch;
  if (ahead && ahead.key === batchKey(input)) {
    open = ahead;
    ahead = null;
  } else {
    await abandonImport();
    open = startBatch(pool, input, null);
  }
  let result: BatchResult;
  try {
    if (input.overlap) {
      const next = await open.next;
      if (next) ahead = startBatch(pool, next, open);
    }
    result = await open.written;
    await finish(open, true);
  } catch (err) {
    await abandonImport();
    await finish(open, false);
    throw err;
  }
  armAheadTimer();
  // A batch leaves ~25 MB of buffers and typed arrays behind, which V8 collects only after 64 MB of such growth;
  // where the process allows it (`npm run import` runs with --expose-gc) they are collected between batches,
  // while the server writes, which keeps the importer's memory flat.
  (globalThis as { gc?: () => void }).gc?.();
  const newUsers = await open.resolved;
  const userIds = knownUsers.get(input.format.userSource);
  for (const [ext, id] of newUsers) userIds?.set(ext, id);
  return { ...result, errors: result.errors.slice(0, input.errorBudget) };
}

export const errorBudgetLeft = (reported: number) => Math.max(0, MAX_REPORTED_ERRORS - reported);
