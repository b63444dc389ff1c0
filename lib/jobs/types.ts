import type { z } from "zod";

// A job handler is plain code over a payload, a `step` tool and a progress reporter. The same handler runs on
// Inngest (inngest/functions.ts) and on the embedded runner (lib/jobs/embedded.ts).

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type StepTool = {
  /** Runs `fn` once per job: a retried or resumed job gets the stored output instead of running it again. */
  run<T extends Json | void>(id: string, fn: () => Promise<T>): Promise<T>;
};

export type JobContext<P> = {
  jobId: string;
  ownerId: number | null;
  /** 0 for the first attempt. */
  attempt: number;
  /** No retry follows if this attempt fails: what a failure leaves behind (an uploaded file) is for the handler to clear. */
  lastAttempt: boolean;
  payload: P;
  step: StepTool;
  /** Reports progress 0-100 with a message; throws JobCancelledError once a cancel was requested. */
  progress(percent: number, message?: string): Promise<void>;
  /**
   * Reports progress from inside a step or a callback, and never rejects: a cancel it notices is acted on at the next
   * step or `progress`, in the job's own code (thrown inside an Inngest step it would count as a failed step and be
   * retried; from a fire-and-forget callback it would be an unhandled rejection). A failed write is logged.
   */
  announce(percent: number, message?: string): Promise<void>;
};

export type JobDefinition<P = unknown, R extends Json = Json> = {
  kind: string;
  title: string;
  description: string;
  payload: z.ZodType<P>;
  /** Retries after the first attempt, with exponential backoff. */
  retries: number;
  /** At most this many run at once. */
  concurrency: number;
  /** Cron expression (UTC) when the job also runs on a schedule. */
  cron?: string;
  /** Who may start it by hand. */
  startableBy: "admin" | "user";
  /** A run longer than this is considered lost and is retried. */
  timeoutSeconds: number;
  run(ctx: JobContext<P>): Promise<R>;
};

export function defineJob<P, R extends Json>(def: JobDefinition<P, R>): JobDefinition<P, R> {
  return def;
}

/** An error no retry can fix (a private profile, a bad key): the job fails at once with this message. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

/** Whether this failure ends the job (no retry follows): its last attempt, or an error no retry can fix. */
export const failsForGood = (err: unknown, lastAttempt: boolean): boolean => lastAttempt || err instanceof PermanentJobError;

export class JobCancelledError extends Error {
  /** `outcome` is what the job's message says once cancelled: what it did before stopping, when that matters. */
  constructor(readonly outcome = "Cancelled") {
    super("The job was cancelled");
    this.name = "JobCancelledError";
  }
}
