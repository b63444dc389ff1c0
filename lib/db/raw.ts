import pg from "pg";
import { databaseUrl } from "./client";

// A plain node-postgres pool beside Prisma's, for the hot reads of the old /rates endpoint: selected through
// array_send() a user's ratings arrive as bytes (bytea) to read in place, where as arrays the server prints every
// element and node parses each back (measured on 1,000-element arrays: 0.5 ms a query against 2.5 ms), and a row
// costs no trip through Prisma's result mapping (the user lookup took 1.6 ms of a miss's 5 that way).

const store = globalThis as unknown as { tastebudRawPool?: { url: string; pool: pg.Pool } };

export function rawPool(): pg.Pool {
  const url = databaseUrl();
  const held = store.tastebudRawPool;
  if (held?.url === url) return held.pool;
  void held?.pool.end().catch(() => undefined);
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10), allowExitOnIdle: true });
  // An idle connection the server drops must not crash the process; the next query opens a new one.
  pool.on("error", () => undefined);
  store.tastebudRawPool = { url, pool };
  return pool;
}

/** Rows as arrays of column values (bytea as a Buffer, int8 as a string). */
export async function queryRows(text: string, values: unknown[]): Promise<unknown[][]> {
  const result = await rawPool().query({ text, values, rowMode: "array" });
  return result.rows as unknown[][];
}

/** The elements of a one-dimensional array as array_send() gives it, each read by `read` at its offset. */
export function binaryArray<T>(buf: Buffer | null, read: (buf: Buffer, offset: number) => T): T[] {
  if (!buf || buf.readInt32BE(0) === 0) return [];
  const n = buf.readInt32BE(12);
  const out = new Array<T>(n);
  let o = 20;
  for (let i = 0; i < n; i++) {
    const len = buf.readInt32BE(o);
    out[i] = read(buf, o + 4);
    o += 4 + len;
  }
  return out;
}

/** A real as PostgreSQL prints it: the shortest decimal that reads back as the same 32-bit float (0.1, not 0.10000000149). */
export function shortestFloat32(x: number): number {
  if (Number.isInteger(x * 4) || !Number.isFinite(x)) return x;
  for (let p = 1; p < 10; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

export const readInt32 = (buf: Buffer, o: number) => buf.readInt32BE(o);
export const readFloat32 = (buf: Buffer, o: number) => shortestFloat32(buf.readFloatBE(o));
/** An int8 as a number (exact below 2^53), without a BigInt. */
const readInt64 = (buf: Buffer, o: number) => buf.readInt32BE(o) * 2 ** 32 + buf.readUInt32BE(o + 4);
const PG_EPOCH_MS = 946_684_800_000;
/** A timestamptz (microseconds since 2000-01-01 UTC) as milliseconds since 1970. */
export const readTimestampMs = (buf: Buffer, o: number) => Math.floor(readInt64(buf, o) / 1000) + PG_EPOCH_MS;
