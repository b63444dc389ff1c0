// The recommendation engine at scale, on the database loaded by `KEEP_DB=1 npx tsx bench/import-ratings.ts`:
// a full retrain (time and peak memory, in its own process), then GET /api/v1/users/{id}/recommendations under
// 32 connections, first requests (computed live from the model) and repeats (served from the cache), beside a
// bare node:http server answering the same cached list; then the grader's GET /api/v1/recs/{user_id} for 500 grader
// users (1,000 grader items added and five likes each through the old endpoints). Goal: p99 <= 20 ms at 32
// connections.
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import { MemoryCache } from "../lib/cache";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { fmt, loadPaths, runMeasured, startServer, type LoadResult } from "./support";

const dataDir = path.resolve("bench/.out/pg-import");

async function main() {
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    console.error("No loaded database: run `KEEP_DB=1 npx tsx bench/import-ratings.ts` first.");
    process.exit(2);
  }
  const db = await startEmbeddedPostgres({ dataDir, database: "bench" });
  // The database may be from an earlier version of the code: bring its schema up to this one, as `npm start` does.
  await migrate(db.url);
  try {
    // SKIP_RETRAIN=1 serves the model a previous run stored.
    if (process.env.SKIP_RETRAIN !== "1") {
      const trained = await runMeasured(process.execPath, ["scripts/run.mjs", "retrain"], { ...process.env, DATABASE_URL: db.url });
      if (trained.code !== 0) throw new Error("retrain failed");
      const stats = JSON.parse(trained.stdout.trim().split("\n").pop() ?? "{}") as { users: number; items: number; positives: number; bytes: number };
      console.log(`retrain: ${(trained.ms / 1000).toFixed(1)} s, peak RSS ${trained.peakRssMb} MB, ${fmt(stats.users)} users x ${fmt(stats.items)} items, ${fmt(stats.positives)} positives, model ${(stats.bytes / 2 ** 20).toFixed(0)} MB`);
    }

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ external_id: string }>(`SELECT external_id FROM users WHERE source = 'movielens' ORDER BY id LIMIT 4000`);
    await client.end();
    const paths = rows.map((r) => `/api/v1/users/movielens:${r.external_id}/recommendations?limit=20`);

    const app = await startServer(3212, { DATABASE_URL: db.url, RATE_LIMIT_PER_MINUTE: "0", RATE_LIMIT_ANONYMOUS_PER_MINUTE: "0" });
    const cache = new MemoryCache();
    const bare = http.createServer(async (req, res) => {
      const hit = await cache.get<unknown>(req.url ?? "");
      res.writeHead(hit ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(hit ?? {}));
    });
    await new Promise<void>((r) => bare.listen(3213, "127.0.0.1", r));
    try {
      const t = performance.now();
      const warm = await fetch(`http://127.0.0.1:3212${paths[0]}`);
      const body = await warm.json();
      console.log(`first request (loads the ${"model"}): ${(performance.now() - t).toFixed(0)} ms, status ${warm.status}`);
      const cold = await loadPaths("http://127.0.0.1:3212", paths.slice(1), { amount: paths.length - 1 });
      const hot = await loadPaths("http://127.0.0.1:3212", paths.slice(1, 200), {});
      for (const p of paths.slice(1, 200)) await cache.set(p, body, 600);
      const base = await loadPaths("http://127.0.0.1:3213", paths.slice(1, 200), {});
      const row = (name: string, r: LoadResult) =>
        console.log(`${name.padEnd(34)} ${fmt(r.rps).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors} of ${fmt(r.total)}`);
      // The grader's contract: its own item and user ids, mapped onto films of the loaded catalog's genres.
      const items = Array.from({ length: 1000 }, (_, k) => `bench-item-${k}`);
      const genres = items.map((_, k) => [["Comedy", "Drama", "Horror", "Action", "Romance"][k % 5]]);
      const post = async (url: string, body: unknown) => {
        const res = await fetch(`http://127.0.0.1:3212${url}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
      };
      await post("/api/v1/add_items", { item_ids: items, genres });
      const graderUsers = Array.from({ length: 500 }, (_, u) => `bench-user-${u}`);
      for (const [u, user] of graderUsers.entries()) {
        const liked = Array.from({ length: 5 }, (_, k) => items[(u * 7 + k * 5) % items.length]);
        await post("/api/v1/interact", { user_id: user, item_ids: liked, actions: liked.map(() => "like") });
      }
      const graderPaths = graderUsers.map((u) => `/api/v1/recs/${u}`);
      const graderCold = await loadPaths("http://127.0.0.1:3212", graderPaths, { amount: graderPaths.length });
      const graderHot = await loadPaths("http://127.0.0.1:3212", graderPaths, {});
      // What one Next.js process does with a route that returns {"status": "ok"}: the floor under every figure above.
      const floor = await loadPaths("http://127.0.0.1:3212", ["/api/v1/healthcheck"], {});
      row("bare node:http, cached list", base);
      row("tastebud, first request per user", cold);
      row("tastebud, repeat (cache hit)", hot);
      row("grader /recs, first per user", graderCold);
      row("grader /recs, repeat", graderHot);
      row("tastebud, trivial route (floor)", floor);
      console.log(`cache-hit throughput ratio tastebud/bare: ${(hot.rps / base.rps).toFixed(2)}; p99 goal <= 20 ms`);
    } finally {
      app.kill("SIGTERM");
      bare.close();
    }
  } finally {
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
