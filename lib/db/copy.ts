import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

// Streams rows into a table with COPY ... FROM STDIN (text format).
export function copyField(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date) return value.toISOString();
  return String(value).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly (string | number | boolean | Date | null | undefined)[]>,
): Promise<void> {
  const sql = `COPY ${table} (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`;
  const stream = client.query(copyFrom(sql));
  function* lines() {
    let chunk = "";
    for (const row of rows) {
      chunk += row.map(copyField).join("\t") + "\n";
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(lines()), stream);
}

// Binary COPY for rows of (int4, int4, float4, timestamptz): no text to format here or to parse in the server.
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
const PG_EPOCH_SECONDS = 946_684_800;
const ROW_BYTES = 2 + 8 + 8 + 8 + 12;

/** Columns of ratings, and which of their positions to write, in that order. */
export type RatingColumns = { user: Int32Array; item: Int32Array; rating: Float32Array; unixSeconds: Uint32Array; rows: Int32Array };

export async function copyRatingRowsBinary(client: pg.ClientBase, table: string, columns: RatingColumns): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (user_id, item_id, rating, rated_at) FROM STDIN (FORMAT binary)`));
  const { user, item, rating, unixSeconds, rows } = columns;
  const chunkRows = 8192;
  function* chunks() {
    const head = Buffer.alloc(SIGNATURE.length + 8);
    SIGNATURE.copy(head, 0);
    yield head;
    for (let start = 0; start < rows.length; start += chunkRows) {
      const end = Math.min(rows.length, start + chunkRows);
      const buf = Buffer.allocUnsafe((end - start) * ROW_BYTES);
      let o = 0;
      for (let x = start; x < end; x++) {
        const k = rows[x];
        // Microseconds since 2000 fit a double exactly; written as two 32-bit halves to avoid a BigInt per row.
        const micros = Math.round((unixSeconds[k] - PG_EPOCH_SECONDS) * 1e6);
        const high = Math.floor(micros / 2 ** 32);
        o = buf.writeInt16BE(4, o);
        o = buf.writeInt32BE(4, o);
        o = buf.writeInt32BE(user[k], o);
        o = buf.writeInt32BE(4, o);
        o = buf.writeInt32BE(item[k], o);
        o = buf.writeInt32BE(4, o);
        o = buf.writeFloatBE(rating[k], o);
        o = buf.writeInt32BE(8, o);
        o = buf.writeInt32BE(high, o);
        o = buf.writeUInt32BE(micros - high * 2 ** 32, o);
      }
      yield buf;
    }
    const tail = Buffer.alloc(2);
    tail.writeInt16BE(-1, 0);
    yield tail;
  }
  await pipeline(Readable.from(chunks()), stream);
}

// Binary arrays (array_recv): dimensions, no nulls, element type, length and lower bound, then each element with its
// length.
const INT4_OID = 23;
const FLOAT4_OID = 700;
const INT8_OID = 20;
const ARRAY_HEAD = 20;

function writeArrayHead(buf: Buffer, o: number, elementOid: number, elementBytes: number, n: number): number {
  o = buf.writeInt32BE(ARRAY_HEAD + n * (4 + elementBytes), o);
  o = buf.writeInt32BE(1, o);
  o = buf.writeInt32BE(0, o);
  o = buf.writeInt32BE(elementOid, o);
  o = buf.writeInt32BE(n, o);
  return buf.writeInt32BE(1, o);
}

/**
 * Writes rating_lists rows (user_id, item_ids, ratings, rated_at_ms) for users with no list yet, from the same
 * columns as copyRatingRowsBinary: one row per user over the given positions, in their order (a user's positions
 * need not be together).
 */
export async function copyRatingListsBinary(client: pg.ClientBase, columns: RatingColumns): Promise<void> {
  const { user, item, rating, unixSeconds, rows } = columns;
  // Positions grouped by user, keeping each user's in file order (files usually list a user's ratings together).
  let grouped = true;
  const closed = new Set<number>();
  for (let x = 1; x < rows.length && grouped; x++) {
    const prev = user[rows[x - 1]];
    if (user[rows[x]] !== prev) {
      closed.add(prev);
      grouped = !closed.has(user[rows[x]]);
    }
  }
  const order = grouped ? rows : Int32Array.from(rows).sort((a, b) => user[a] - user[b] || a - b);
  const stream = client.query(copyFrom("COPY rating_lists (user_id, item_ids, ratings, rated_at_ms) FROM STDIN (FORMAT binary)"));
  function* chunks() {
    const head = Buffer.alloc(SIGNATURE.length + 8);
    SIGNATURE.copy(head, 0);
    yield head;
    let start = 0;
    while (start < order.length) {
      // Users whole, about 8,192 ratings per chunk.
      let end = start;
      let users = 0;
      while (end < order.length && end - start < 8192) {
        const u = user[order[end]];
        while (end < order.length && user[order[end]] === u) end++;
        users++;
      }
      const n = end - start;
      const buf = Buffer.allocUnsafe(users * (2 + 8 + 3 * (4 + ARRAY_HEAD)) + n * (8 + 8 + 12));
      let o = 0;
      for (let a = start; a < end; ) {
        const u = user[order[a]];
        let b = a;
        while (b < end && user[order[b]] === u) b++;
        const count = b - a;
        o = buf.writeInt16BE(4, o);
        o = buf.writeInt32BE(4, o);
        o = buf.writeInt32BE(u, o);
        o = writeArrayHead(buf, o, INT4_OID, 4, count);
        for (let x = a; x < b; x++) o = buf.writeInt32BE(item[order[x]], buf.writeInt32BE(4, o));
        o = writeArrayHead(buf, o, FLOAT4_OID, 4, count);
        for (let x = a; x < b; x++) o = buf.writeFloatBE(rating[order[x]], buf.writeInt32BE(4, o));
        o = writeArrayHead(buf, o, INT8_OID, 8, count);
        for (let x = a; x < b; x++) {
          // Milliseconds fit a double exactly; written as two 32-bit halves to avoid a BigInt per rating.
          const ms = unixSeconds[order[x]] * 1000;
          const high = Math.floor(ms / 2 ** 32);
          o = buf.writeInt32BE(8, o);
          o = buf.writeInt32BE(high, o);
          o = buf.writeUInt32BE(ms - high * 2 ** 32, o);
        }
        a = b;
      }
      yield buf.subarray(0, o);
      start = end;
    }
    const tail = Buffer.alloc(2);
    tail.writeInt16BE(-1, 0);
    yield tail;
  }
  await pipeline(Readable.from(chunks()), stream);
}
