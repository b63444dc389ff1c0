import { createHash } from "node:crypto";
import pg from "pg";
import { databaseUrl } from "./client";

// A plain node-postgres pool beside Prisma's, for the hot reads of the old /rates endpoint: a user's ratings arrive as
// one bytea to read in place (lib/ratings/legacy-rates.ts), where as arrays the server prints every element and node
// parses each back (measured on 1,000-element arrays: 0.5 ms a query against 2.5 ms), and a row costs no trip through
// Prisma's result mapping (the user lookup took 1.6 ms of a miss's 5 that way).

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

// Statement names by text: a changed query (in development, after an edit) gets a new name, as one name must always
// mean the same text on a connection.
const statementNames = new Map<string, string>();

/**
 * Rows as arrays of column values (bytea as a Buffer, int8 as a string). `prepare`: a named statement, parsed and
 * planned once per connection; not behind a transaction pooler (`pgbouncer=true` in DATABASE_URL, Prisma's flag for
 * it), which may hand the next query to a connection that never saw it.
 */
export async function queryRows(text: string, values: unknown[], opts: { prepare?: boolean } = {}): Promise<unknown[][]> {
  let name: string | undefined;
  if (opts.prepare && !/[?&]pgbouncer=true(&|$)/.test(databaseUrl())) {
    name = statementNames.get(text);
    if (!name) statementNames.set(text, (name = `tastebud_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`));
  }
  const result = await rawPool().query({ text, values, rowMode: "array", ...(name ? { name } : {}) });
  return result.rows as unknown[][];
}

/** A real as PostgreSQL prints it: the shortest decimal that reads back as the same 32-bit float (0.1, not 0.10000000149). */
export function shortestFloat32(x: number): number {
  // Quarter steps below 2^24 print as they are (every half-star and whole rating); larger reals have fewer digits.
  if ((Number.isInteger(x * 4) && Math.abs(x) < 2 ** 24) || !Number.isFinite(x)) return x;
  for (let p = 1; p < 10; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}
