import { createHash } from "node:crypto";
import pg from "pg";
import { databaseUrl } from "./client";

// A plain node-postgres pool beside Prisma's, for the hot reads of the old /rates endpoint: a user's ratings arrive as
// one bytea to read in place (lib/ratings/legacy-rates.ts), where as arrays the server prints every element and node
// parses each back (measured on 1,000-element arrays: 0.5 ms a query against 2.5 ms), and a row costs no trip through
// Prisma's result mapping (the user lookup took 1.6 ms of a miss's 5 that way).

// On globalThis, with the turns taken at it: the server's fast lane and Next each load their own copy of this module.
const store = globalThis as unknown as { tastebudRawPool?: { url: string; pool: pg.Pool; turns: Turns } };

function held(url = databaseUrl()): { pool: pg.Pool; turns: Turns } {
  const kept = store.tastebudRawPool;
  if (kept?.url === url) return kept;
  void kept?.pool.end().catch(() => undefined);
  const max = Number(process.env.DATABASE_POOL_SIZE ?? 10);
  const pool = new pg.Pool({ connectionString: url, max, allowExitOnIdle: true });
  // An idle connection the server drops must not crash the process; the next query opens a new one.
  pool.on("error", () => undefined);
  store.tastebudRawPool = { url, pool, turns: new Turns(max) };
  return store.tastebudRawPool;
}

export const rawPool = (): pg.Pool => held().pool;

// Statement names by text: a changed query (in development, after an edit) gets a new name, as one name must always
// mean the same text on a connection.
const statementNames = new Map<string, string>();

/**
 * Takes turns at the pool: at most its size of queries at once, the rest waiting here in two lines rather than in
 * pg-pool's one. A query that finishes a request already under way (`urgent`: the ratings read, after the user
 * lookup) goes ahead of the ones that start new requests, so a request waits its turn once, not once per query. On
 * 2,211 cache misses of /rates at 32 connections, eight alternating pairs of runs: p99 55-94 ms (median 85) in one
 * line, 67-82 ms (median 71) in two, lower in six pairs of the eight.
 */
export class Turns {
  private busy = 0;
  private readonly waiting: [urgent: (() => void)[], other: (() => void)[]] = [[], []];
  constructor(private readonly slots: number) {}
  async run<T>(urgent: boolean, task: () => Promise<T>): Promise<T> {
    if (this.busy < this.slots) this.busy++;
    else await new Promise<void>((resolve) => this.waiting[urgent ? 0 : 1].push(resolve));
    try {
      return await task();
    } finally {
      // The turn passes straight to the next in line, or the slot frees.
      const next = this.waiting[0].shift() ?? this.waiting[1].shift();
      if (next) next();
      else this.busy--;
    }
  }
}

type QueryOptions = { prepare?: boolean; urgent?: boolean };

/**
 * Rows as arrays of column values (bytea as a Buffer, int8 as a string). `prepare`: a named statement, parsed and
 * planned once per connection; not behind a transaction pooler (`pgbouncer=true` in DATABASE_URL, Prisma's flag for
 * it), which may hand the next query to a connection that never saw it. `urgent`: see Turns. `onRow`: each row is
 * given to it as it arrives, while the statement is still producing the next ones, and none is returned.
 */
export function queryRows(text: string, values: unknown[], opts: QueryOptions & { onRow: (row: unknown[]) => void }): Promise<void>;
export function queryRows(text: string, values: unknown[], opts?: QueryOptions & { onRow?: undefined }): Promise<unknown[][]>;
export function queryRows(text: string, values: unknown[], opts: QueryOptions & { onRow?: (row: unknown[]) => void } = {}): Promise<unknown[][] | void> {
  const url = databaseUrl();
  const { pool, turns } = held(url);
  let name: string | undefined;
  if (opts.prepare && !/[?&]pgbouncer=true(&|$)/.test(url)) {
    name = statementNames.get(text);
    if (!name) statementNames.set(text, (name = `tastebud_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`));
  }
  const config = { text, values, rowMode: "array" as const, ...(name ? { name } : {}) };
  const { onRow } = opts;
  return turns.run(opts.urgent ?? false, async () => (onRow ? streamRows(pool, config, onRow) : ((await pool.query(config)).rows as unknown[][])));
}

/**
 * Runs a statement on a connection of its own, handing each row to `onRow` as node-postgres parses it (pool.query
 * keeps every row until the statement ends). A throw from `onRow` fails the query once the statement has ended, and
 * never reaches the connection's reader. The query ends through its callback, as pool.query's do: with a
 * `query_timeout` node-postgres reports a failed statement only there (no 'error' or 'end' event). And while the
 * connection is out of the pool its 'error' events are ours to take (pg-pool listens only to idle ones): one lost
 * mid-statement would otherwise be an unhandled 'error' event.
 */
async function streamRows(pool: pg.Pool, config: pg.QueryConfig, onRow: (row: unknown[]) => void): Promise<void> {
  const client = await pool.connect();
  let failed: unknown = null;
  let lost: Error | null = null;
  const onLost = (err: Error) => {
    lost = err;
  };
  client.on("error", onLost);
  let queryError: Error | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      const query = new pg.Query(config, (err: Error | undefined) => (err ? reject(err) : resolve()));
      query.on("row", (row: unknown[]) => {
        if (failed === null) {
          try {
            onRow(row);
          } catch (err) {
            failed = err;
          }
        }
      });
      void client.query(query);
    });
  } catch (err) {
    queryError = err as Error;
  }
  client.off("error", onLost);
  // As pool.query does: a connection whose statement failed, or that reported an error, is closed, not reused.
  client.release(queryError ?? lost ?? undefined);
  if (failed !== null) throw failed;
  if (queryError) throw queryError;
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
