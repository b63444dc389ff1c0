import pg from "pg";
import { copyRatingRowsBinary } from "../db/copy";
import { lineChunks } from "./lines";
import { maxTimestamp, parseRatingBytes, type RatingFormat, type RatingRow } from "./formats";
import { lineError, MAX_REPORTED_ERRORS, type LineError } from "./report";

// One batch of a ratings import, in one transaction: parse lines from a byte offset, resolve the file's user and
// movie ids to Tastebud's (creating unknown users and placeholder items), keep one rating per user and movie
// (the newest), then write. Rows of users created in this very batch cannot conflict with anything stored, so
// they go straight into `ratings` with COPY; rows of users seen before are staged with COPY and merged, keeping
// the newest rating. A batch commits whole or not at all, so a killed import never leaves half a batch, and
// re-running a batch changes nothing.

export type BatchInput = {
  path: string;
  format: RatingFormat;
  start: number;
  firstLine: number;
  maxLines: number;
  /** How many more rejected lines the report still wants in detail. */
  errorBudget: number;
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
};

// External id -> Tastebud id, per source, shared by the batches of an import in this process. Entries are added
// only after their batch commits, so a rolled-back batch never leaves an id behind.
const known = new Map<string, Map<string, number>>();

async function idMap(client: pg.ClientBase, kind: "user" | "item", source: string): Promise<Map<string, number>> {
  const key = `${kind}:${source}`;
  let map = known.get(key);
  if (!map) {
    const { rows } =
      kind === "user"
        ? await client.query<{ ext: string; id: number }>("SELECT external_id AS ext, id FROM users WHERE source = $1", [source])
        : await client.query<{ ext: string; id: number }>("SELECT value AS ext, item_id AS id FROM external_ids WHERE source = $1", [source]);
    map = new Map(rows.map((r) => [r.ext, r.id]));
    known.set(key, map);
  }
  return map;
}

export function forgetImportIds(): void {
  known.clear();
}


type ParsedBatch = {
  result: BatchResult;
  /** The file's distinct user and item ids in this batch; each good line points into them. */
  userKeys: number[];
  itemKeys: number[];
  userOf: Int32Array;
  itemOf: Int32Array;
  ratings: Float32Array;
  times: Float64Array;
  /** Whether some (user, item) pair appears twice in the batch, so the newest must be picked. */
  repeats: boolean;
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
  const times = new Float64Array(input.maxLines);
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
        const parsed = format.parse(text, number);
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
  // A native sort of packed (user, item) keys finds repeats far faster than sorting rows with a comparator.
  const n = result.loaded;
  const pairs = new Float64Array(n);
  for (let k = 0; k < n; k++) pairs[k] = userOf[k] * 2 ** 26 + itemOf[k];
  pairs.sort();
  let repeats = false;
  for (let k = 1; k < n && !repeats; k++) repeats = pairs[k] === pairs[k - 1];
  return { result, userKeys, itemKeys, userOf, itemOf, ratings, times, repeats };
}

/** Which lines to write: every line, or when a pair repeats, only the newest rating of each pair. */
function newestPerPair(uid: Int32Array, iid: Int32Array, times: Float64Array, ratings: Float32Array, n: number, repeats: boolean): Int32Array {
  if (!repeats) return Int32Array.from({ length: n }, (_, k) => k);
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
const prefetchKey = (input: BatchInput) => `${input.path}:${input.start}:${input.firstLine}:${input.maxLines}:${input.format.id}`;

function takeParsed(input: BatchInput): Promise<ParsedBatch> {
  if (prefetched && prefetched.key === prefetchKey(input)) {
    const batch = prefetched.batch;
    prefetched = null;
    return batch.then((b) => ({ ...b, result: { ...b.result, errors: b.result.errors.slice(0, input.errorBudget) } }));
  }
  prefetched = null;
  return parseBatch(input);
}

export async function importRatingsBatch(databaseUrl: string, input: BatchInput): Promise<BatchResult> {
  const { format } = input;
  // A new file starts from what the database says now (items may have been merged since the last import).
  if (input.start === 0) forgetImportIds();
  const t0 = performance.now();
  const { result, userKeys, itemKeys, userOf, itemOf, ratings, times, repeats } = await takeParsed(input);
  if (!result.done) {
    const next: BatchInput = { ...input, start: result.next, firstLine: result.nextLine, errorBudget: MAX_REPORTED_ERRORS };
    prefetched = { key: prefetchKey(next), batch: parseBatch(next) };
    prefetched.batch.catch(() => undefined);
  }
  if (result.loaded === 0) return result;
  const tParsed = performance.now();

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL synchronous_commit = off");
    const userIds = await idMap(client, "user", format.userSource);
    const itemIds = await idMap(client, "item", format.itemSource);
    const newUsers = new Map<string, number>();
    const newItems = new Map<string, number>();

    // External ids as stored: users by their number, items in the format's spelling (e.g. IMDb's tt0000001).
    const userExt = userKeys.map(String);
    const itemExt = itemKeys.map((i) => format.normalizeItem(String(i)));
    const missingUsers = userExt.filter((u) => !userIds.has(u));
    if (missingUsers.length) {
      const { rows } = await client.query<{ id: number; external_id: string }>(
        `INSERT INTO users (source, external_id) SELECT $1, unnest($2::text[]) ON CONFLICT (source, external_id) DO NOTHING RETURNING id, external_id`,
        [format.userSource, missingUsers],
      );
      for (const r of rows) newUsers.set(r.external_id, r.id);
      result.usersCreated = rows.length;
      const raced = missingUsers.filter((u) => !newUsers.has(u));
      if (raced.length) {
        const found = await client.query<{ id: number; external_id: string }>("SELECT id, external_id FROM users WHERE source = $1 AND external_id = ANY($2)", [format.userSource, raced]);
        for (const r of found.rows) userIds.set(r.external_id, r.id);
      }
    }
    const missingItems = itemExt.filter((i) => !itemIds.has(i));
    if (missingItems.length) {
      const { rows } = await client.query<{ ext: string; id: number }>(
        `WITH ids AS (SELECT ext, nextval(pg_get_serial_sequence('items', 'id'))::int AS id FROM unnest($2::text[]) AS ext
                      WHERE NOT EXISTS (SELECT 1 FROM external_ids e WHERE e.source = $1 AND e.value = ext)),
              made AS (INSERT INTO items (id, kind, title, genres) SELECT id, 'movie', 'Unknown title (' || $1 || ' ' || ext || ')', '{}' FROM ids RETURNING id)
         INSERT INTO external_ids (source, value, item_id) SELECT $1, ext, id FROM ids RETURNING value AS ext, item_id AS id`,
        [format.itemSource, missingItems],
      );
      for (const r of rows) newItems.set(r.ext, r.id);
      result.itemsCreated = rows.length;
      const raced = missingItems.filter((i) => !newItems.has(i));
      if (raced.length) {
        const found = await client.query<{ ext: string; id: number }>("SELECT value AS ext, item_id AS id FROM external_ids WHERE source = $1 AND value = ANY($2)", [format.itemSource, raced]);
        for (const r of found.rows) itemIds.set(r.ext, r.id);
      }
    }

    // Tastebud ids per distinct key, then per line. Lines of users created in this batch cannot conflict with
    // anything stored and go straight in; the others are merged.
    const userId = Int32Array.from(userExt, (u) => newUsers.get(u) ?? (userIds.get(u) as number));
    const userIsNew = Uint8Array.from(userExt, (u) => (newUsers.has(u) ? 1 : 0));
    const itemId = Int32Array.from(itemExt, (i) => newItems.get(i) ?? (itemIds.get(i) as number));
    const n = result.loaded;
    const uid = new Int32Array(n);
    const iid = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      uid[k] = userId[userOf[k]];
      iid[k] = itemId[itemOf[k]];
    }
    const keep = newestPerPair(uid, iid, times, ratings, n, repeats);
    let directCount = 0;
    for (const k of keep) directCount += userIsNew[userOf[k]];
    const direct = new Int32Array(directCount);
    const merge = new Int32Array(keep.length - directCount);
    for (let x = 0, d = 0, m = 0; x < keep.length; x++) {
      const k = keep[x];
      if (userIsNew[userOf[k]]) direct[d++] = k;
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
      const merged = await client.query(
        `INSERT INTO ratings (user_id, item_id, rating, rated_at) SELECT user_id, item_id, rating, rated_at FROM import_stage
         ON CONFLICT (user_id, item_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = EXCLUDED.rated_at
         WHERE EXCLUDED.rated_at > ratings.rated_at
            OR (EXCLUDED.rated_at = ratings.rated_at AND EXCLUDED.rating > ratings.rating)`,
      );
      result.changed += merged.rowCount ?? 0;
    }
    const tWritten = performance.now();
    await client.query("COMMIT");
    if (process.env.IMPORT_TIMINGS) {
      console.error(`batch: parse ${Math.round(tParsed - t0)} ms, resolve ${Math.round(tResolved - tParsed)} ms, write ${Math.round(tWritten - tResolved)} ms (${direct.length} direct, ${merge.length} merged), commit ${Math.round(performance.now() - tWritten)} ms, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`);
    }
    for (const [ext, id] of newUsers) userIds.set(ext, id);
    for (const [ext, id] of newItems) itemIds.set(ext, id);
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

export const errorBudgetLeft = (reported: number) => Math.max(0, MAX_REPORTED_ERRORS - reported);
