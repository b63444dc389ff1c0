// Importer throughput against `psql \copy` of the same file into an identical table on the same server.
// ROWS=26000000 (The Movies Dataset's size) by default; the file is generated, seeded, under bench/.out/.
// Prints both rates, the ratio (goal >= 0.9) and the importer's peak RSS (goal <= 256 MB).
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { seededRandom } from "../lib/random";
import { fmt, runMeasured } from "./support";

const ROWS = Number(process.env.ROWS ?? 26_000_000);
const out = path.resolve("bench/.out");
mkdirSync(out, { recursive: true });
const file = path.join(out, `ratings-v2-${ROWS}.csv`);

async function generate(): Promise<void> {
  if (existsSync(file)) return;
  const rnd = seededRandom(26);
  const stream = createWriteStream(file);
  stream.write("userId,movieId,rating,timestamp\n");
  let written = 0;
  let user = 1;
  let buf = "";
  while (written < ROWS) {
    // ~96 ratings per user on distinct movies, like The Movies Dataset (270k users, 45k movies)
    // every 100th user is a heavy rater with 1,000 ratings (the rates-api benchmark reads them)
    const n = Math.min(ROWS - written, user % 100 === 0 ? 1000 : 20 + rnd.int(150));
    const start = rnd.int(45_000);
    const step = 1 + rnd.int(7);
    for (let k = 0; k < n; k++) {
      const movie = ((start + k * step) % 45_000) + 1;
      buf += `${user},${movie},${(1 + rnd.int(10)) / 2},${1_000_000_000 + rnd.int(500_000_000)}\n`;
      if (buf.length > 1 << 20) {
        if (!stream.write(buf)) await once(stream, "drain");
        buf = "";
      }
    }
    written += n;
    user++;
  }
  stream.end(buf);
  await once(stream, "finish");
}

async function main() {
  console.log(`generating ${fmt(ROWS)} ratings...`);
  await generate();
  console.log(`file: ${path.relative(process.cwd(), file)} (${(statSync(file).size / 2 ** 20).toFixed(0)} MB)`);
  const dataDir = path.join(out, "pg-import");
  rmSync(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedPostgres({ dataDir, database: "bench" });
  try {
    await migrate(db.url);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // The baseline's table has the same columns' sizes and the same indexes as `ratings`.
    await client.query(`CREATE TABLE baseline_ratings (user_id int NOT NULL, item_id int NOT NULL, rating real NOT NULL, ts bigint NOT NULL, PRIMARY KEY (user_id, item_id))`);
    await client.query(`CREATE INDEX ON baseline_ratings (user_id, ts, item_id, rating)`);
    await client.query(`CREATE INDEX ON baseline_ratings (item_id)`);
    await client.end();

    const psql = await runMeasured("psql", [db.url, "-v", "ON_ERROR_STOP=1", "-c", `\\copy baseline_ratings FROM '${file}' WITH (FORMAT csv, HEADER true)`], process.env);
    if (psql.code !== 0) throw new Error("psql \\copy failed");
    const psqlRate = ROWS / (psql.ms / 1000);
    console.log(`psql \\copy:       ${(psql.ms / 1000).toFixed(1)} s, ${fmt(psqlRate)} rows/s`);

    // As `npm run import` runs it (package.json): fewer malloc arenas, large blocks given back to the system at once
    // (a fixed mmap threshold), a small young generation, a collection between batches (--expose-gc), and Prisma's
    // WebAssembly query compiler left on V8's baseline tier (its optimised code alone is ~30 MB) keep RSS down.
    const importer = await runMeasured(process.execPath, ["--max-semi-space-size=2", "--liftoff-only", "--expose-gc", "scripts/run.mjs", "import", "ratings", file], { ...process.env, MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072", DATABASE_URL: db.url, LOG_LEVEL: "warn" });
    if (importer.code !== 0) throw new Error(`importer failed:\n${importer.stdout}`);
    const rate = ROWS / (importer.ms / 1000);
    console.log(`tastebud importer: ${(importer.ms / 1000).toFixed(1)} s, ${fmt(rate)} rows/s, peak RSS ${importer.peakRssMb} MB (includes stats recompute)`);
    console.log(`ratio importer/psql: ${(rate / psqlRate).toFixed(2)} (goal >= 0.9); peak RSS goal <= 256 MB`);
  } finally {
    await db.stop();
    // KEEP_DB=1 leaves the loaded database for bench/rates-api.ts and bench/recs-serving.ts.
    if (process.env.KEEP_DB !== "1") rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
