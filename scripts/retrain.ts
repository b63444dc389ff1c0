// `npm run retrain`: trains the recommenders on everything in the database and stores the model, printing timings.
import path from "node:path";
import { openDatabase } from "../lib/db/bootstrap";
import { prisma } from "../lib/db/client";
import { retrainAndStore } from "../lib/recs/service";

const db = await openDatabase({ dataDir: path.resolve(process.env.DATA_DIR ?? ".data"), shareRunning: true });
process.env.DATABASE_URL = db.url;
const started = Date.now();
let last = "";
const stats = await retrainAndStore({
  factors: Number(process.env.FACTORS ?? 32),
  iterations: Number(process.env.ITERATIONS ?? 10),
  onMessage: (m) => console.error(`  ${((Date.now() - started) / 1000).toFixed(1)} s  ${m}`),
  onProgress: (stage) => {
    if (stage !== last) console.error(`  ${((Date.now() - started) / 1000).toFixed(1)} s  training ${stage}`);
    last = stage;
  },
});
const mem = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ ...stats, seconds: (Date.now() - started) / 1000, peak_rss_mb: Math.round(mem) }));
await prisma().$disconnect();
await db.embedded?.stop();
