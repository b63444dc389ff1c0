import { once } from "node:events";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { copyField } from "../db/copy";
import { readLines } from "./lines";
import type { RatingFormat } from "./formats";
import { lineError, MAX_REPORTED_ERRORS, type LineError } from "./report";

// One batch of a ratings import, in one transaction: stream lines from a byte offset into a staging table with
// COPY, create unknown users and placeholder items, then merge into `ratings` keeping one rating per user and
// item (the newest wins). A batch either commits whole or not at all, so a killed import never leaves half a
// batch, and re-running a batch changes nothing.

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

export async function importRatingsBatch(databaseUrl: string, input: BatchInput): Promise<BatchResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const result: BatchResult = {
    next: input.start,
    nextLine: input.firstLine,
    done: true,
    read: 0,
    loaded: 0,
    rejected: 0,
    changed: 0,
    usersCreated: 0,
    itemsCreated: 0,
    errors: [],
  };
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL synchronous_commit = off");
    await client.query(
      "CREATE TEMP TABLE import_stage (ext_user text NOT NULL, ext_item text NOT NULL, rating real NOT NULL, rated_at timestamptz NOT NULL) ON COMMIT DROP",
    );
    const copy = client.query(copyFrom("COPY import_stage FROM STDIN"));
    let buffer = "";
    const flush = async () => {
      if (!buffer) return;
      const ok = copy.write(buffer);
      buffer = "";
      if (!ok) await once(copy, "drain");
    };
    let lines = 0;
    for await (const line of readLines(input.path, { start: input.start, firstLineNumber: input.firstLine })) {
      lines++;
      result.next = line.end;
      result.nextLine = line.number + 1;
      const parsed = input.format.parse(line.text, line.number);
      if ("skip" in parsed) {
        // blank lines and the header are neither loaded nor rejected
      } else if ("error" in parsed) {
        result.read++;
        result.rejected++;
        if (result.errors.length < input.errorBudget) result.errors.push(lineError(line.number, parsed.error, line.text));
      } else {
        result.read++;
        result.loaded++;
        const r = parsed.row;
        buffer += `${copyField(r.user)}\t${copyField(r.item)}\t${r.rating}\t${new Date(r.timestamp * 1000).toISOString()}\n`;
        if (buffer.length > 1 << 18) await flush();
      }
      if (lines >= input.maxLines) {
        result.done = false;
        break;
      }
    }
    await flush();
    copy.end();
    await once(copy, "finish");

    if (result.loaded > 0) {
      const { format } = input;
      const users = await client.query(
        `INSERT INTO users (source, external_id) SELECT DISTINCT $1::text, ext_user FROM import_stage
         ON CONFLICT (source, external_id) DO NOTHING`,
        [format.userSource],
      );
      result.usersCreated = users.rowCount ?? 0;
      await client.query(
        `CREATE TEMP TABLE import_new_items ON COMMIT DROP AS
         SELECT m.ext_item, nextval(pg_get_serial_sequence('items', 'id'))::int AS id
         FROM (SELECT DISTINCT s.ext_item FROM import_stage s
               WHERE NOT EXISTS (SELECT 1 FROM external_ids e WHERE e.source = $1 AND e.value = s.ext_item)) m`,
        [format.itemSource],
      );
      const items = await client.query(
        `INSERT INTO items (id, kind, title, genres)
         SELECT id, 'movie', 'Unknown title (' || $1 || ' ' || ext_item || ')', '{}' FROM import_new_items`,
        [format.itemSource],
      );
      result.itemsCreated = items.rowCount ?? 0;
      await client.query(`INSERT INTO external_ids (source, value, item_id) SELECT $1, ext_item, id FROM import_new_items`, [format.itemSource]);
      const merged = await client.query(
        `INSERT INTO ratings (user_id, item_id, rating, rated_at)
         SELECT DISTINCT ON (u.id, e.item_id) u.id, e.item_id, s.rating, s.rated_at
         FROM import_stage s
         JOIN users u ON u.source = $1 AND u.external_id = s.ext_user
         JOIN external_ids e ON e.source = $2 AND e.value = s.ext_item
         ORDER BY u.id, e.item_id, s.rated_at DESC, s.rating DESC
         ON CONFLICT (user_id, item_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = EXCLUDED.rated_at
         WHERE EXCLUDED.rated_at > ratings.rated_at
            OR (EXCLUDED.rated_at = ratings.rated_at AND EXCLUDED.rating > ratings.rating)`,
        [format.userSource, format.itemSource],
      );
      result.changed = merged.rowCount ?? 0;
    }
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

export const errorBudgetLeft = (reported: number) => Math.max(0, MAX_REPORTED_ERRORS - reported);
