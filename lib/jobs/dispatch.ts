import { Cron } from "croner";
import { ApiError } from "../api/errors";
import { inngestEnabled } from "../config";
import { log } from "../log";
import { jobQueue } from "./embedded";
import { inngest, jobEvent } from "./inngest";
import { jobDefinitions, requestedJobDefinition } from "./registry";
import { createJobRecord, lastRunOf, markSent, requestCancel, toJobView, type JobView } from "./store";
import type { Json } from "./types";

// Starting and cancelling jobs, on whichever engine is configured.


export async function enqueueJob(kind: string, payload: Json, opts: { ownerId: number | null }): Promise<JobView> {
  const def = requestedJobDefinition(kind);
  const parsed = def.payload.safeParse(payload);
  if (!parsed.success) {
    throw new ApiError(400, "validation_failed", `Invalid payload for ${kind}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  const job = await createJobRecord({ kind, ownerId: opts.ownerId, payload, maxAttempts: def.retries + 1 });
  try {
    if (inngestEnabled()) await inngest.send({ id: job.id, name: jobEvent(kind), data: { jobId: job.id } });
    else await (await jobQueue()).send(kind, { jobId: job.id }, { id: job.id });
    await markSent(job.id);
  } catch (err) {
    log.error({ err: (err as Error).message, kind }, "could not hand the job to the engine");
    await requestCancel(job.id);
    throw new ApiError(503, "unavailable", "The job queue is not reachable right now; try again shortly");
  }
  return toJobView({ ...job, status: "sent" });
}

export async function cancelJob(id: string): Promise<JobView> {
  const job = await requestCancel(id);
  // On Inngest the flag is all: the function checks it before each step (lib/jobs/execute.ts).
  if (!inngestEnabled()) await (await jobQueue()).cancel(job.kind, id).catch(() => undefined);
  return toJobView(job);
}

export type ScheduleView = { kind: string; title: string; cron: string; last_run: JobView | null; next_run_at: string | null };

export async function listSchedules(viewer: { role: "user" | "admin" }): Promise<ScheduleView[]> {
  const scheduled = jobDefinitions().filter((d) => d.cron);
  return Promise.all(
    scheduled.map(async (def) => {
      const last = await lastRunOf(def.kind, viewer);
      const next = new Cron(def.cron as string, { timezone: "UTC", paused: true }).nextRun();
      return { kind: def.kind, title: def.title, cron: def.cron as string, last_run: last ? toJobView(last) : null, next_run_at: next?.toISOString() ?? null };
    }),
  );
}
