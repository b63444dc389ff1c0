import pg from "pg";
import { copyRatingRowsBinary } from "../db/copy";
import { readLines } from "./lines";
import type { RatingFormat } from "./formats";
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
  /** The file's ids as strings, and rating and time, for each good line. */
  users: string[];
  items: string[];
  ratings: Float32Array;
  times: Float64Array;
};

async function parseBatch(input: BatchInput): Promise<ParsedBatch> {
  const { format } = input;
  const result: BatchResult = { next: input.start, nextLine: input.firstLine, done: true, read: 0, loaded: 0, rejected: 0, changed: 0, usersCreated: 0, itemsCreated: 0, errors: [] };
  const users: string[] = [];
  const items: string[] = [];
  const ratings = new Float32Array(input.maxLines);
  const times = new Float64Array(input.maxLines);
  let lines = 0;
  for await (const line of readLines(input.path, { start: input.start, firstLineNumber: input.firstLine })) {
    lines++;
    result.next = line.end;
    result.nextLine = line.number + 1;
    const parsed = format.parse(line.text, line.number);
    if ("error" in parsed) {
      result.read++;
      result.rejected++;
      if (result.errors.length < input.errorBudget) result.errors.push(lineError(line.number, parsed.error, line.text));
    } else if ("row" in parsed) {
      ratings[result.loaded] = parsed.row.rating;
      times[result.loaded] = parsed.row.timestamp;
      users.push(parsed.row.user);
      items.push(parsed.row.item);
      result.read++;
      result.loaded++;
    }
    if (lines >= input.maxLines) {
      result.done = false;
      break;
    }
  }
  return { result, users, items, ratings, times };
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
  const { result, users, items, ratings, times } = await takeParsed(input);
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

    const missingUsers = [...new Set(users.filter((u) => !userIds.has(u)))];
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
    const missingItems = [...new Set(items.filter((i) => !itemIds.has(i)))];
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

    // One rating per (user, item): the newest, then the higher on a tie.
    const n = result.loaded;
    const uid = new Int32Array(n);
    const iid = new Int32Array(n);
    const fresh = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const nu = newUsers.get(users[k]);
      uid[k] = nu ?? (userIds.get(users[k]) as number);
      fresh[k] = nu === undefined ? 0 : 1;
      iid[k] = newItems.get(items[k]) ?? (itemIds.get(items[k]) as number);
    }
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => uid[a] - uid[b] || iid[a] - iid[b] || times[b] - times[a] || ratings[b] - ratings[a]);
    const keep: number[] = [];
    for (let x = 0; x < order.length; x++) {
      const k = order[x];
      const prev = x > 0 ? order[x - 1] : -1;
      if (prev >= 0 && uid[prev] === uid[k] && iid[prev] === iid[k]) continue;
      keep.push(k);
    }
    const tResolved = performance.now();
    const direct = keep.filter((k) => fresh[k] === 1);
    const merge = keep.filter((k) => fresh[k] === 0);
    const binaryRows = (ks: number[]) => ({
      count: ks.length,
      user: (j: number) => uid[ks[j]],
      item: (j: number) => iid[ks[j]],
      rating: (j: number) => ratings[ks[j]],
      unixSeconds: (j: number) => times[ks[j]],
    });
    if (direct.length) {
      await copyRatingRowsBinary(client, "ratings", binaryRows(direct));
      result.changed += direct.length;
    }
    if (merge.length) {
      await client.query("CREATE TEMP TABLE import_stage (user_id int, item_id int, rating real, rated_at timestamptz) ON COMMIT DROP");
      await copyRatingRowsBinary(client, "import_stage", binaryRows(merge));
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
      console.error(`batch: parse ${Math.round(tParsed - t0)} ms, resolve ${Math.round(tResolved - tParsed)} ms, write ${Math.round(tWritten - tResolved)} ms (${direct.length} direct, ${merge.length} merged), commit ${Math.round(performance.now() - tWritten)} ms`);
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
