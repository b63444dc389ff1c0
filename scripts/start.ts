// `npm start`: database (embedded unless DATABASE_URL is set), migrations, demo data on first run,
// a production build if there is none, then the web server (scripts/serve.ts: Next.js and its fast lane) on PORT.
// Ctrl-C stops it all.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { readConfig } from "../lib/config";
import { openDatabase, sessionSecret, type Database } from "../lib/db/bootstrap";
import { seedDemoData } from "../lib/catalog/seed";
import { recomputeCatalogStats } from "../lib/catalog/stats";
import { ensureAdmin } from "../lib/auth/users";
import { prisma } from "../lib/db/client";
import { retrainAndStore } from "../lib/recs/service";
import { buildIsCurrent } from "./build-state";

const say = (msg: string) => console.log(`[tastebud] ${msg}`);

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function main() {
  const started = Date.now();
  // Checked as the production server it starts will run (an Inngest setup without a signing key stops here).
  const cfg = readConfig({ ...process.env, NODE_ENV: "production" });
  const root = process.cwd();
  const dataDir = path.resolve(root, cfg.DATA_DIR);

  if (!(await portIsFree(cfg.PORT))) {
    throw new Error(`Port ${cfg.PORT} is already in use. Stop whatever is listening there, or run with PORT=<another port>.`);
  }

  let db: Database | null = null;
  let server: ChildProcess | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping...");
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server?.once("exit", r));
    }
    await prisma().$disconnect().catch(() => undefined);
    if (db?.embedded) await db.embedded.stop().catch(() => undefined);
    say("stopped");
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  say(process.env.DATABASE_URL ? "using DATABASE_URL" : `starting embedded PostgreSQL (data in ${path.relative(root, dataDir) || "."}/postgres)`);
  db = await openDatabase({ dataDir });
  process.env.DATABASE_URL = db.url;
  say(`database ready and migrated (${Date.now() - started} ms)`);

  if (!cfg.SKIP_SEED) {
    const report = await seedDemoData(db.url, { users: cfg.DEMO_USERS, seed: cfg.SEED });
    if (report.seeded) {
      await recomputeCatalogStats();
      say(`demo data: ${report.films} films, ${report.users} users, ${report.ratings} ratings (${report.ms} ms)`);
    }
  }
  if (!(await prisma().recModelBlob.findFirst({ select: { id: true } })) && (await prisma().rating.findFirst({ select: { userId: true } }))) {
    const t = Date.now();
    const trained = await retrainAndStore();
    say(`trained the first recommendation model: ${trained.users} users, ${trained.items} items (${Date.now() - t} ms)`);
  }
  if (cfg.ADMIN_EMAIL && cfg.ADMIN_PASSWORD) {
    await ensureAdmin(cfg.ADMIN_EMAIL, cfg.ADMIN_PASSWORD);
    say(`admin account ${cfg.ADMIN_EMAIL} is ready`);
  }
  await prisma().$disconnect();

  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  if (!buildIsCurrent(root) || process.env.FORCE_BUILD === "1") {
    say("building the app (sources changed since the last build, or none yet)...");
    const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
    if (build.status !== 0) throw new Error("next build failed; see the output above");
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: db.url,
    NEXTAUTH_SECRET: sessionSecret(dataDir),
    TASTEBUD_DATA_DIR: dataDir,
  };
  if (!env.NEXTAUTH_URL) env.AUTH_TRUST_HOST = "true";
  server = spawn(process.execPath, [path.join(root, "scripts", "run.mjs"), "serve", "-p", String(cfg.PORT)], { stdio: "inherit", env });
  server.on("exit", (code) => {
    if (!stopping) {
      say(`the web server exited with code ${code}`);
      void stop(code ?? 1);
    }
  });
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s before the web server: http://localhost:${cfg.PORT}`);
}

main().catch((err: Error) => {
  console.error(`[tastebud] ${err.message}`);
  process.exit(1);
});
