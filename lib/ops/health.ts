import { cache } from "../cache";
import { prisma, replicas } from "../db/client";
import { jobsHealth } from "../jobs/health";

export type DependencyHealth = { status: "ok" | "down"; latency_ms: number; kind?: string; error?: string };
export type ReplicaHealth = DependencyHealth & { name: string };
export type Health = { status: "ok" | "degraded" | "down"; database: DependencyHealth; replicas: ReplicaHealth[]; cache: DependencyHealth; jobs: DependencyHealth };

async function probe(fn: () => Promise<string | undefined>): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    const kind = await fn();
    return { status: "ok", latency_ms: Math.round((performance.now() - started) * 10) / 10, ...(kind ? { kind } : {}) };
  } catch (err) {
    return { status: "down", latency_ms: Math.round(performance.now() - started), error: (err as Error).message.slice(0, 200) };
  }
}

// Without a usable DATABASE_URL there are no replicas to probe; the database probe reports the problem.
function replicaList() {
  try {
    return replicas();
  } catch {
    return [];
  }
}

export async function checkHealth(): Promise<Health> {
  const [database, cacheHealth, jobs, replicaHealth] = await Promise.all([
    probe(async () => {
      await prisma().$queryRaw`SELECT 1`;
      return "postgresql";
    }),
    probe(async () => {
      await cache().ping();
      return cache().kind;
    }),
    probe(jobsHealth),
    Promise.all(
      replicaList().map(async ({ name, client }) => ({
        name,
        ...(await probe(async () => {
          await client.$queryRaw`SELECT 1`;
          return "postgresql";
        })),
      })),
    ),
  ]);
  // A replica that is down fails the reads sent to it, but the primary still answers: degraded, not down.
  const degraded = cacheHealth.status === "down" || jobs.status === "down" || replicaHealth.some((r) => r.status === "down");
  return { status: database.status === "down" ? "down" : degraded ? "degraded" : "ok", database, replicas: replicaHealth, cache: cacheHealth, jobs };
}
