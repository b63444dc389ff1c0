import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./embedded";
import { migrate } from "./migrate";

// What `npm start`, the e2e server and the CLI scripts share: a database URL (embedded when none is given),
// migrated, and a stable session secret.

export type Database = { url: string; embedded: EmbeddedDatabase | null };

export async function openDatabase(opts: { dataDir: string; onLog?: (line: string) => void }): Promise<Database> {
  const given = process.env.DATABASE_URL;
  if (given) {
    await migrate(given);
    return { url: given, embedded: null };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(opts.dataDir, "postgres"), onLog: opts.onLog });
  try {
    await migrate(embedded.url);
  } catch (err) {
    await embedded.stop();
    throw err;
  }
  return { url: embedded.url, embedded };
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
