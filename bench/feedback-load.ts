// The feedback endpoint under load: 64 connections for 60 s on POST /api/v1/events (loopback only, bounded in
// time), each connection a different user with its own token. Counts answers and then the rows stored: zero
// errors and zero lost events is the goal. Then 10 s with all 64 connections on one token shows the rate limit.
import { rmSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { fmt, startServer } from "./support";

const CONNECTIONS = 64;
const SECONDS = Number(process.env.SECONDS ?? 60);
const PORT = 3214;

type Run = { total: number; ok: number; status429: number; errors: number; rps: number; p99: number; retryAfterSeen: boolean };

function run(tokens: string[], items: number[], seconds: number): Promise<Run> {
  let n = 0;
  let retryAfterSeen = false;
  let ok = 0;
  let status429 = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${PORT}`,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: "POST",
            path: "/api/v1/events",
            setupRequest: (req, context) => {
              const c = (context as { c?: number }).c ?? ((context as { c?: number }).c = n++ % tokens.length);
              const id = n++;
              return {
                ...req,
                headers: { "content-type": "application/json", authorization: `Bearer ${tokens[c]}`, "idempotency-key": `load-${id}` },
                body: JSON.stringify([{ item_id: items[id % items.length], type: "view" }]),
              };
            },
          },
        ],
      },
      (err, r) => (err ? reject(err) : resolve({ total: r.requests.total, ok, status429, errors: r.errors + r.timeouts, rps: r.requests.average, p99: r.latency.p99, retryAfterSeen })),
    );
    instance.on("response", (_client: unknown, status: number, _body: unknown, _ctx: unknown) => {
      if (status === 202) ok++;
      if (status === 429) {
        status429++;
        retryAfterSeen = true;
      }
    });
  });
}

async function main() {
  const dataDir = path.resolve("bench/.out/pg-load");
  rmSync(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedPostgres({ dataDir, database: "bench" });
  await migrate(db.url);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows: items } = await client.query<{ id: number }>("INSERT INTO items (title, genres) SELECT 'Film ' || g, '{Drama}' FROM generate_series(1, 200) g RETURNING id");
  const app = await startServer(PORT, { DATABASE_URL: db.url, RATE_LIMIT_SIGNIN_PER_MINUTE: "1000" });
  try {
    const tokens: string[] = [];
    for (let u = 0; u < CONNECTIONS; u++) {
      const email = `load${u}@example.com`;
      await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: "load password" }) });
      const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password: "load password" }) });
      tokens.push(((await res.json()) as { token: string }).token);
    }
    const ids = items.map((i) => i.id);
    const main = await run(tokens, ids, SECONDS);
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM events");
    const stored = Number(rows[0].n);
    console.log(`${CONNECTIONS} connections, ${SECONDS} s, one token per connection:`);
    console.log(`  ${fmt(main.total)} requests, ${fmt(main.rps)} req/s, p99 ${main.p99} ms, 202: ${fmt(main.ok)}, 429: ${main.status429}, errors: ${main.errors}`);
    // Requests still in flight when the clock stops are stored but not counted as answered.
    console.log(`  events stored: ${fmt(stored)}; acknowledged but missing: ${Math.max(0, main.ok - stored)}; stored after the clock stopped: ${Math.max(0, stored - main.ok)}`);
    const burst = await run([tokens[0]], ids, 10);
    console.log(`${CONNECTIONS} connections, 10 s, all on one token (limit ${process.env.RATE_LIMIT_PER_MINUTE ?? 600}/min):`);
    console.log(`  ${fmt(burst.total)} requests, 202: ${fmt(burst.ok)}, 429 with Retry-After: ${fmt(burst.status429)} (${burst.retryAfterSeen ? "seen" : "none"}), errors: ${burst.errors}`);
  } finally {
    app.kill("SIGTERM");
    await client.end();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
