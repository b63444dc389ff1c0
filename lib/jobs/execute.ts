import { prisma, withPrimary } from "../db/client";
import { log } from "../log";
import { jobDefinition } from "./registry";
import {
  cancelRequested,
  markCancelled,
  markFailed,
  markRunning,
  markSucceeded,
  readStep,
  writeProgress,
  writeStep,
} from "./store";
import { failsForGood, JobCancelledError, type Json, type StepTool } from "./types";

// Runs one attempt of a job, whichever engine called it. Terminal jobs are never run again, so an engine's
// redelivery after a crash cannot finish a job twice. Jobs read what they (or the request that queued them) just
// wrote, so all their reads go to the primary, never a replica.

const PROGRESS_INTERVAL_MS = 250;

/** Steps memoized in the job_steps table: the embedded runner's durability. */
export function databaseSteps(jobId: string): StepTool {
  return {
    async run<T extends Json | void>(id: string, fn: () => Promise<T>): Promise<T> {
      const stored = await readStep(jobId, id);
      if (stored.found) return (stored.output ?? undefined) as T;
      if (await cancelRequested(jobId)) throw new JobCancelledError();
      const output = await fn();
      await writeStep(jobId, id, output);
      return output;
    },
  };
}

/**
 * Wraps an engine's own step tool (Inngest's) with the cancel check between steps. The check runs in the function's
 * own code, before the step: thrown inside a step, Inngest would take the cancel for a failed step and retry it.
 */
export function cancellableSteps(jobId: string, inner: StepTool): StepTool {
  return {
    async run<T extends Json | void>(id: string, fn: () => Promise<T>): Promise<T> {
      if (await cancelRequested(jobId)) throw new JobCancelledError();
      // Inngest may call the step from its own loop, outside executeJob's withPrimary.
      return inner.run(id, () => withPrimary(fn));
    },
  };
}

/** `message`: what a cancelled job says it did before it stopped (an import's rows kept). */
export type ExecuteOutcome = { status: "succeeded" | "failed" | "cancelled" | "skipped" | "retry"; result?: Json; error?: string; message?: string };

type ExecuteOptions = { attempt: number; maxAttempts: number; step?: StepTool; onProgress?: (percent: number, message?: string) => void };

export function executeJob(jobId: string, opts: ExecuteOptions): Promise<ExecuteOutcome> {
  return withPrimary(() => runAttempt(jobId, opts));
}

async function runAttempt(jobId: string, opts: ExecuteOptions): Promise<ExecuteOutcome> {
  const job = await prisma().job.findUnique({ where: { id: jobId } });
  if (!job) {
    log.warn({ jobId }, "job record not found; nothing to run");
    return { status: "skipped" };
  }
  if (job.status === "succeeded" || job.status === "failed" || job.status === "cancelled") {
    return { status: "skipped", result: (job.result ?? undefined) as Json | undefined };
  }
  if (job.cancelRequested) {
    await markCancelled(jobId);
    return { status: "cancelled" };
  }
  const def = jobDefinition(job.kind);
  if (!def) {
    await markFailed(jobId, `No handler is registered for job kind "${job.kind}"`, true);
    return { status: "failed" };
  }
  await markRunning(jobId, opts.attempt);
  const lastAttempt = opts.attempt + 1 >= opts.maxAttempts;
  const reporter = progressReporter(jobId);
  const progress = async (percent: number, message?: string) => {
    opts.onProgress?.(percent, message);
    await reporter.report(percent, message);
  };
  const announce = (percent: number, message?: string) =>
    progress(percent, message).catch((err: unknown) => {
      if (!(err instanceof JobCancelledError)) log.warn({ jobId, err: String(err) }, "progress write failed");
    });
  try {
    const payload = def.payload.parse(job.payload);
    const result = await def.run({
      jobId,
      ownerId: job.ownerId,
      attempt: opts.attempt,
      lastAttempt,
      payload,
      step: opts.step ?? databaseSteps(jobId),
      progress,
      announce,
    });
    await reporter.drain();
    await markSucceeded(jobId, result ?? null);
    return { status: "succeeded", result };
  } catch (err) {
    // A progress write still in flight must not land after the outcome (over a retry's "Attempt failed" message).
    await reporter.drain();
    if (err instanceof JobCancelledError) {
      await markCancelled(jobId, err.outcome);
      return { status: "cancelled", message: err.outcome };
    }
    const message = err instanceof Error ? err.message : String(err);
    const final = failsForGood(err, lastAttempt);
    await markFailed(jobId, message, final);
    log.warn({ jobId, kind: job.kind, attempt: opts.attempt, final, err: message }, "job attempt failed");
    return { status: final ? "failed" : "retry", error: message };
  }
}

/**
 * Writes a job's progress at most every PROGRESS_INTERVAL_MS. Reports that come sooner are held, and the latest of
 * them is written when the interval ends: a handler that announces a new phase ("Updating catalog statistics") right
 * after its last figure and then works for minutes must not leave the old figure showing all that time. `report`
 * throws JobCancelledError once a write has seen a cancel request.
 */
function progressReporter(jobId: string) {
  let lastWrite = 0;
  let cancelSeen = false;
  let pending: { percent: number; message?: string } | null = null;
  let timer: NodeJS.Timeout | null = null;
  /** The write in flight: the next one waits for it, so two writes never land out of order. */
  let writing: Promise<void> = Promise.resolve();
  const write = (percent: number, message?: string) => {
    lastWrite = Date.now();
    writing = writing.catch(() => undefined).then(async () => {
      if (await writeProgress(jobId, percent, message)) cancelSeen = true;
    });
    return writing;
  };
  return {
    async report(percent: number, message?: string): Promise<void> {
      if (cancelSeen) throw new JobCancelledError();
      const wait = PROGRESS_INTERVAL_MS - (Date.now() - lastWrite);
      if (wait > 0 && percent < 100) {
        pending = { percent, message };
        timer ??= setTimeout(() => {
          timer = null;
          const latest = pending;
          pending = null;
          if (latest) write(latest.percent, latest.message).catch((err: unknown) => log.warn({ jobId, err: String(err) }, "progress write failed"));
        }, wait).unref();
        return;
      }
      pending = null;
      if (timer) clearTimeout(timer);
      timer = null;
      await write(percent, message);
      if (cancelSeen) throw new JobCancelledError();
    },
    /** Drops a held report and waits for the write in flight: the job's outcome is written next. */
    async drain(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
      await writing.catch(() => undefined);
    },
  };
}
