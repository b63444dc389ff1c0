import PgBoss from "pg-boss";
import { log } from "../log";
import { executeJob } from "./execute";
import { jobDefinitions } from "./registry";
import { createJobRecord } from "./store";

// The embedded durable runner: pg-boss on the app's own PostgreSQL. Same handlers, retries with exponential
// backoff, cron schedules and concurrency limits as on Inngest. One runner per database.

type Runner = { boss: PgBoss; workers: boolean };
const globalForRunner = globalThis as unknown as { tastebudRunner?: Promise<Runner> };

function newBoss(connectionString: string): PgBoss {
  const boss = new PgBoss({ connectionString, schema: "pgboss", application_name: "tastebud-jobs", max: 4 });
  boss.on("error", (err: Error) => log.error({ err: err.message }, "job runner error"));
  return boss;
}

async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const def of jobDefinitions()) {
    const options = {
      name: def.kind,
      retryLimit: def.retries,
      retryDelay: Number(process.env.JOB_RETRY_DELAY_SECONDS ?? 2),
      retryBackoff: true,
      expireInSeconds: def.timeoutSeconds,
    };
    if (await boss.getQueue(def.kind)) await boss.updateQueue(def.kind, options);
    else await boss.createQueue(def.kind, options);
  }
}

type BossPayload = { jobId?: string; scheduled?: boolean };

async function startWorkers(boss: PgBoss): Promise<void> {
  for (const def of jobDefinitions()) {
    for (let w = 0; w < def.concurrency; w++) {
      await boss.work<BossPayload>(
        def.kind,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: Number(process.env.JOB_POLL_SECONDS ?? 1) },
        async ([job]) => {
          if (!job) return;
          // A cron firing has no record yet: it gets one keyed by the queue's job id, so a retry reuses it.
          const jobId = job.data.jobId ?? job.id;
          if (!job.data.jobId) {
            await createJobRecord({ id: job.id, kind: def.kind, ownerId: null, payload: {}, maxAttempts: def.retries + 1, scheduled: true }).catch(
              (err: { code?: string }) => {
                if (err.code !== "P2002") throw err;
              },
            );
          }
          const outcome = await executeJob(jobId, { attempt: job.retryCount, maxAttempts: def.retries + 1 });
          // Throwing hands the job back to pg-boss, which retries it after the backoff.
          if (outcome.status === "retry") throw new Error(outcome.error ?? "attempt failed");
        },
      );
    }
    if (def.cron) await boss.schedule(def.kind, def.cron, { scheduled: true }, { tz: "UTC" });
    else await boss.unschedule(def.kind).catch(() => undefined);
  }
}

/** Jobs that were running when the process died go back to the queue at once rather than after their timeout. */
async function requeueOrphans(boss: PgBoss): Promise<number> {
  const res = await boss.getDb().executeSql(`UPDATE pgboss.job SET state = 'retry', start_after = now() WHERE state = 'active' RETURNING id`, []);
  return res.rows.length;
}

export async function startJobRunner(connectionString: string, opts: { workers?: boolean } = {}): Promise<PgBoss> {
  const wantWorkers = opts.workers ?? true;
  const existing = await globalForRunner.tastebudRunner;
  if (existing && (existing.workers || !wantWorkers)) return existing.boss;
  if (existing && !existing.workers && wantWorkers) {
    await existing.boss.stop({ graceful: false, wait: true });
    globalForRunner.tastebudRunner = undefined;
  }
  globalForRunner.tastebudRunner = (async () => {
    const boss = newBoss(connectionString);
    await boss.start();
    await ensureQueues(boss);
    if (wantWorkers) {
      const orphans = await requeueOrphans(boss);
      if (orphans) log.info({ orphans }, "requeued jobs interrupted by the last shutdown");
      await startWorkers(boss);
    }
    return { boss, workers: wantWorkers };
  })();
  try {
    return (await globalForRunner.tastebudRunner).boss;
  } catch (err) {
    globalForRunner.tastebudRunner = undefined;
    throw err;
  }
}

/** For code that only enqueues (API routes, scripts): the running runner, or a send-only client. */
export async function jobQueue(): Promise<PgBoss> {
  const existing = await globalForRunner.tastebudRunner;
  if (existing) return existing.boss;
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  return startJobRunner(url, { workers: false });
}

export async function stopJobRunner(): Promise<void> {
  const runner = await globalForRunner.tastebudRunner?.catch(() => undefined);
  globalForRunner.tastebudRunner = undefined;
  if (runner) await runner.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
}

/** On SIGTERM or SIGINT: stops the runner, then `after` (the embedded database, say), then exits (0, or 130 for SIGINT). */
export function stopJobRunnerOnSignals(after: () => Promise<unknown> = async () => undefined): void {
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void stopJobRunner()
      .then(after)
      .finally(() => process.exit(code));
  };
  process.once("SIGTERM", () => stop(0));
  process.once("SIGINT", () => stop(130));
}
