import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import pg from "pg";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./embedded";
import { migrate } from "./migrate";

// What `npm start`, the e2e server and the CLI scripts share: a database URL (embedded when none is given),
// migrated, and a stable session secret.

export type Database = { url: string; embedded: EmbeddedDatabase | null };

export async function openDatabase(opts: { dataDir: string; onLog?: (line: string) => void; shareRunning?: boolean }): Promise<Database> {
  const given = process.env.DATABASE_URL;
  if (given) {
    await migrate(given);
    return { url: given, embedded: null };
  }
  const urlFile = path.join(opts.dataDir, "postgres.url");
  let embedded: EmbeddedDatabase;
  try {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(opts.dataDir, "postgres"), onLog: opts.onLog });
  } catch (err) {
    // Another process (a running `npm start`) owns the embedded database: share it rather than fail.
    const running = existsSync(urlFile) ? readFileSync(urlFile, "utf8").trim() : null;
    if (running && opts.shareRunning && (await reachable(running))) return { url: running, embedded: null };
    throw err;
  }
  try {
    await migrate(embedded.url);
  } catch (err) {
    await embedded.stop();
    throw err;
  }
  writeFileSync(urlFile, embedded.url + "\n", { mode: 0o600 });
  const stop = embedded.stop;
  return {
    url: embedded.url,
    embedded: {
      ...embedded,
      stop: async () => {
        rmSync(urlFile, { force: true });
        await stop();
      },
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** NEXTAUTH_SECRET when set; otherwise one generated on first start and kept in the data directory. */
export function sessionSecret(dataDir: string): string {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  const file = path.join(dataDir, "nextauth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
