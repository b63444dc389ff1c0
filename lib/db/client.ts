import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import { readReplicas } from "@prisma/extension-read-replicas";
import { replicaUrls } from "../config";
import { PrismaClient } from "./generated/client";

/**
 * The app's client. With DATABASE_REPLICA_URLS set, model reads (findMany, count, ...) inside withReplicaReads() go
 * to a random replica; writes, transactions, raw queries and everything else go to the primary, and so does
 * everything inside withPrimary().
 * Without it everything goes to the primary.
 */
export type Db = PrismaClient & {
  /** The primary, for a read that must see a write just made (in this request or one the caller just sent). */
  $primary(): PrismaClient;
};

/** `name` is replica-1, replica-2, ... in DATABASE_REPLICA_URLS order: health is public, host names are not. */
export type Replica = { name: string; client: PrismaClient };

// One client per process; Next's dev server reloads modules, so it is kept on globalThis.
const globalForPrisma = globalThis as unknown as { tastebudPrisma?: { key: string; db: Db; primaryDb: Db; replicas: Replica[] } };
const primaryOnly = new AsyncLocalStorage<true>();
const replicaReads = new AsyncLocalStorage<true>();

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides an embedded PostgreSQL");
  return url;
}

export function createPrisma(url = databaseUrl()): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  return new PrismaClient({ adapter });
}

function current() {
  const url = databaseUrl();
  const key = `${url}\n${process.env.DATABASE_REPLICA_URLS ?? ""}`;
  const cached = globalForPrisma.tastebudPrisma;
  if (cached?.key === key) return cached;
  const primary = createPrisma(url);
  const replicas = replicaUrls().map((u, i) => ({ name: `replica-${i + 1}`, client: createPrisma(u) }));
  const primaryDb = primary.$extends({ client: { $primary: () => primary } }) as unknown as Db;
  const db = replicas.length ? (primary.$extends(readReplicas({ replicas: replicas.map((r) => r.client) })) as unknown as Db) : primaryDb;
  globalForPrisma.tastebudPrisma = { key, db, primaryDb, replicas };
  return globalForPrisma.tastebudPrisma;
}

export function prisma(): Db {
  const { db, primaryDb } = current();
  return replicaReads.getStore() && !primaryOnly.getStore() ? db : primaryDb;
}

/**
 * Runs `fn` with model reads allowed on a replica. Only the public API's reads opt in (apiRoute, outside a caller's
 * read-your-writes window); pages, writes and jobs read the primary, so a page shown right after a change has it.
 */
export function withReplicaReads<T>(fn: () => T): T {
  return replicaReads.run(true, fn);
}

/** Runs `fn` with every prisma() read on the primary: for write requests and jobs, which read what they just wrote. */
export function withPrimary<T>(fn: () => T): T {
  return primaryOnly.run(true, fn);
}

/** Whether DATABASE_REPLICA_URLS is set; cheap, and needs no database connection. */
export function usesReplicas(): boolean {
  return Boolean(process.env.DATABASE_REPLICA_URLS?.trim());
}

/** The replicas' own clients, for health checks; empty without DATABASE_REPLICA_URLS. */
export function replicas(): Replica[] {
  return current().replicas;
}

export type { PrismaClient };
export * from "./generated/client";
