import { cache } from "../cache";
import { prisma } from "../db/client";
import { jobsHealth } from "../jobs/health";

export type DependencyHealth = { status: "ok" | "down"; latency_ms: number; kind?: string; error?: string };
export type Health = { status: "ok" | "degraded" | "down"; database: DependencyHealth; cache: DependencyHealth; jobs: DependencyHealth };

async function probe(fn: () => Promise<string | undefined>): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    const kind = await fn();
    return { status: "ok", latency_ms: Math.round((performance.now() - started) * 10) / 10, ...(kind ? { kind } : {}) };
  } catch (err) {
    return { status: "down", latency_ms: Math.round(performance.now() - started), error: (err as Error).message.slice(0, 200) };
  }
}

export async function checkHealth(): Promise<Health> {
  const [database, cacheHealth, jobs] = await Promise.all([
    probe(async () => {
      await prisma().$queryRaw`SELECT 1`;
      return "postgresql";
    }),
    probe(async () => {
      await cache().ping();
      return cache().kind;
    }),
    probe(jobsHealth),
  ]);
  const status = database.status === "down" ? "down" : cacheHealth.status === "down" || jobs.status === "down" ? "degraded" : "ok";
  return { status, database, cache: cacheHealth, jobs };
}
