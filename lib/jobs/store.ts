import { notFound } from "../api/errors";
import { decodeCursor, toPage, type Page } from "../api/pagination";
import { prisma, Prisma, type JobStatus } from "../db/client";
import { z } from "zod";
import type { Json } from "./types";

// Job records: what people and programs see of a job, whichever engine runs it.

export const ACTIVE: JobStatus[] = ["queued", "sent", "running"];
export const TERMINAL: JobStatus[] = ["succeeded", "failed", "cancelled"];

export type JobView = {
  id: string;
  kind: string;
  owner_id: number | null;
  status: JobStatus;
  progress: number;
  message: string | null;
  payload: unknown;
  result: unknown;
  error: string | null;
  attempts: number;
  max_attempts: number;
  cancel_requested: boolean;
  scheduled: boolean;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
};

type JobRow = Prisma.JobGetPayload<object>;

export function toJobView(job: JobRow): JobView {
  const end = job.finishedAt ?? (job.startedAt ? new Date() : null);
  return {
    id: job.id,
    kind: job.kind,
    owner_id: job.ownerId,
    status: job.status,
    progress: job.progress,
    message: job.message,
    payload: job.payload,
    result: job.result ?? null,
    error: job.error,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    cancel_requested: job.cancelRequested,
    scheduled: job.scheduled,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
    duration_ms: job.startedAt && end ? end.getTime() - job.startedAt.getTime() : null,
  };
}

export async function createJobRecord(input: {
  id?: string;
  kind: string;
  ownerId: number | null;
  payload: Json;
  maxAttempts: number;
  scheduled?: boolean;
}): Promise<JobRow> {
  return prisma().job.create({
    data: {
      ...(input.id ? { id: input.id } : {}),
      kind: input.kind,
      ownerId: input.ownerId,
      payload: input.payload as Prisma.InputJsonValue,
      maxAttempts: input.maxAttempts,
      scheduled: input.scheduled ?? false,
      message: "Waiting to start",
    },
  });
}

/** Who may see a job: its owner, or any admin. Anyone else gets the same 404 as for an unknown id. */
export async function getJobFor(viewer: { id: number; role: "user" | "admin" }, id: string): Promise<JobRow> {
  const parsed = z.uuid().safeParse(id);
  const job = parsed.success ? await prisma().job.findUnique({ where: { id } }) : null;
  if (!job || (viewer.role !== "admin" && job.ownerId !== viewer.id)) throw notFound(`Job ${id}`);
  return job;
}

const JobCursor = z.object({ c: z.iso.datetime(), i: z.uuid() });

export async function listJobs(
  viewer: { id: number; role: "user" | "admin" },
  filter: { status?: JobStatus; kind?: string; limit: number; cursor?: string; all?: boolean },
): Promise<Page<JobView>> {
  const after = decodeCursor(filter.cursor, JobCursor);
  const where: Prisma.JobWhereInput = {
    ...(viewer.role === "admin" && filter.all !== false ? {} : { ownerId: viewer.id }),
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(after
      ? { OR: [{ createdAt: { lt: new Date(after.c) } }, { createdAt: new Date(after.c), id: { lt: after.i } }] }
      : {}),
  };
  const rows = await prisma().job.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: filter.limit + 1 });
  return toPage(rows, filter.limit, toJobView, (r) => ({ c: r.createdAt.toISOString(), i: r.id }));
}

export async function markSent(id: string): Promise<void> {
  await prisma().job.updateMany({ where: { id, status: "queued" }, data: { status: "sent", message: "Waiting for a worker" } });
}

export async function markRunning(id: string, attempt: number): Promise<void> {
  await prisma().$executeRaw`
    UPDATE jobs SET status = 'running', attempts = ${attempt + 1}, started_at = COALESCE(started_at, now()),
      error = NULL, updated_at = now(), message = COALESCE(NULLIF(message, 'Waiting for a worker'), 'Starting')
    WHERE id = ${id}::uuid AND status IN ('queued', 'sent', 'running')`;
}

/** Writes progress and returns whether a cancel has been requested (then the message stays "Cancelling..."). */
export async function writeProgress(id: string, percent: number, message: string | undefined): Promise<boolean> {
  const rows = await prisma().$queryRaw<{ cancel_requested: boolean }[]>`
    UPDATE jobs SET progress = ${Math.max(0, Math.min(100, Math.round(percent)))},
      message = CASE WHEN cancel_requested THEN message ELSE COALESCE(${message ?? null}, message) END, updated_at = now()
    WHERE id = ${id}::uuid AND status IN ('queued', 'sent', 'running') RETURNING cancel_requested`;
  // A late report (fire-and-forget from a handler) must not move a finished job's progress back.
  return rows[0]?.cancel_requested ?? false;
}

export async function cancelRequested(id: string): Promise<boolean> {
  const job = await prisma().job.findUnique({ where: { id }, select: { cancelRequested: true } });
  return job?.cancelRequested ?? false;
}

/** A result with a `summary` string shows it as the finished job's message. */
export async function markSucceeded(id: string, result: Json): Promise<void> {
  const summary = result && typeof result === "object" && !Array.isArray(result) && typeof result.summary === "string" ? result.summary : "Done";
  await prisma().job.updateMany({
    where: { id, status: { in: ACTIVE } },
    data: { status: "succeeded", progress: 100, result: result as Prisma.InputJsonValue, finishedAt: new Date(), message: summary, error: null },
  });
}

export async function markFailed(id: string, error: string, final: boolean): Promise<void> {
  await prisma().job.updateMany({
    where: { id, status: { in: ACTIVE } },
    data: final
      ? { status: "failed", error, finishedAt: new Date(), message: "Failed" }
      : { status: "queued", error, message: `Attempt failed, retrying: ${error.slice(0, 200)}` },
  });
}

export async function markCancelled(id: string, message = "Cancelled"): Promise<void> {
  await prisma().job.updateMany({
    where: { id, status: { in: ACTIVE } },
    data: { status: "cancelled", finishedAt: new Date(), message },
  });
}

/** Queued jobs are cancelled at once; running ones at their next step or progress report. */
export async function requestCancel(id: string): Promise<JobRow> {
  await prisma().$executeRaw`
    UPDATE jobs SET cancel_requested = true,
      status = CASE WHEN status IN ('queued', 'sent') THEN 'cancelled'::"JobStatus" ELSE status END,
      finished_at = CASE WHEN status IN ('queued', 'sent') THEN now() ELSE finished_at END,
      message = CASE WHEN status IN ('queued', 'sent') THEN 'Cancelled' WHEN status = 'running' THEN 'Cancelling...' ELSE message END,
      updated_at = now()
    WHERE id = ${id}::uuid`;
  return prisma().job.findUniqueOrThrow({ where: { id } });
}

export async function readStep(jobId: string, stepId: string): Promise<{ found: boolean; output: unknown }> {
  const row = await prisma().jobStep.findUnique({ where: { jobId_stepId: { jobId, stepId } } });
  return row ? { found: true, output: row.output } : { found: false, output: undefined };
}

export async function writeStep(jobId: string, stepId: string, output: unknown): Promise<void> {
  const value = output === undefined ? Prisma.JsonNull : (output as Prisma.InputJsonValue);
  await prisma().jobStep.upsert({
    where: { jobId_stepId: { jobId, stepId } },
    create: { jobId, stepId, output: value },
    update: {},
  });
}

/** The newest run of a kind; people who are not admins only see scheduled runs, never someone's own. */
export async function lastRunOf(kind: string, viewer: { role: "user" | "admin" }): Promise<JobRow | null> {
  return prisma().job.findFirst({ where: { kind, ...(viewer.role === "admin" ? {} : { scheduled: true }) }, orderBy: { createdAt: "desc" } });
}
