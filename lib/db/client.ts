import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

// One client per process; Next's dev server reloads modules, so it is kept on globalThis.
const globalForPrisma = globalThis as unknown as { tastebudPrisma?: PrismaClient; tastebudPrismaUrl?: string };

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides an embedded PostgreSQL");
  return url;
}

export function createPrisma(url = databaseUrl()): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  return new PrismaClient({ adapter });
}

export function prisma(): PrismaClient {
  const url = databaseUrl();
  if (!globalForPrisma.tastebudPrisma || globalForPrisma.tastebudPrismaUrl !== url) {
    globalForPrisma.tastebudPrisma = createPrisma(url);
    globalForPrisma.tastebudPrismaUrl = url;
  }
  return globalForPrisma.tastebudPrisma;
}

export type { PrismaClient };
export * from "./generated/client";
