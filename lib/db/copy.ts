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
