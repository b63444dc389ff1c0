import { z } from "zod";
import { ApiError, notFound } from "../api/errors";
import { decodeCursor, toPage, type Page } from "../api/pagination";
import { prisma, type Prisma } from "../db/client";
import { cancelJob, enqueueJob } from "../jobs/dispatch";
import { toJobView, type JobView } from "../jobs/store";
import type { Json } from "../jobs/types";
import { abResults, forgetRunningAbTest } from "./ab";
import { AbConfigSchema, OfflineConfigSchema, type AbConfig, type OfflineConfig } from "./schemas";

export type ExperimentView = {
  id: string;
  name: string;
  kind: "offline" | "ab";
  status: string;
  config: unknown;
  created_at: string;
  stopped_at: string | null;
  job: JobView | null;
  result: unknown;
};

type Viewer = { id: number; role: "user" | "admin" };
type Row = Prisma.ExperimentGetPayload<object>;

async function view(row: Row): Promise<ExperimentView> {
  const job = row.jobId ? await prisma().job.findUnique({ where: { id: row.jobId } }) : null;
  const jobView = job ? toJobView(job) : null;
  const result = row.kind === "ab" ? await abResults(row.id, row.config as unknown as AbConfig) : (jobView?.result ?? null);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.kind === "offline" ? (jobView?.status ?? row.status) : row.status,
    config: row.config,
    created_at: row.createdAt.toISOString(),
    stopped_at: row.stoppedAt?.toISOString() ?? null,
    job: jobView,
    result,
  };
}

export async function createExperiment(owner: Viewer, input: OfflineConfig | AbConfig): Promise<ExperimentView> {
  if (input.kind === "ab") {
    const config = AbConfigSchema.parse(input);
    if (owner.role !== "admin") throw new ApiError(403, "insufficient_scope", "Only administrators can start A/B tests, which change what everyone sees");
    const row = await prisma().$transaction(async (tx) => {
      // One A/B test at a time: starting one stops the previous.
      await tx.experiment.updateMany({ where: { kind: "ab", status: "running" }, data: { status: "stopped", stoppedAt: new Date() } });
      return tx.experiment.create({ data: { name: config.name, kind: "ab", status: "running", config: config as unknown as Prisma.InputJsonValue, ownerId: owner.id } });
    });
    forgetRunningAbTest();
    return view(row);
  }
  const config = OfflineConfigSchema.parse(input);
  const row = await prisma().experiment.create({ data: { name: config.name, kind: "offline", status: "queued", config: config as unknown as Prisma.InputJsonValue, ownerId: owner.id } });
  const job = await enqueueJob("evaluation", { experiment_id: row.id, config } as unknown as Json, { ownerId: owner.id });
  return view(await prisma().experiment.update({ where: { id: row.id }, data: { jobId: job.id } }));
}

export async function getExperiment(viewer: Viewer, id: string): Promise<ExperimentView> {
  const row = z.uuid().safeParse(id).success ? await prisma().experiment.findUnique({ where: { id } }) : null;
  if (!row || (viewer.role !== "admin" && row.ownerId !== viewer.id && row.kind !== "ab")) throw notFound(`Experiment ${id}`);
  return view(row);
}

const Cursor = z.object({ c: z.iso.datetime(), i: z.uuid() });

export async function listExperiments(viewer: Viewer, q: { kind?: "offline" | "ab"; limit: number; cursor?: string }): Promise<Page<ExperimentView>> {
  const after = decodeCursor(q.cursor, Cursor);
  const rows = await prisma().experiment.findMany({
    where: {
      ...(q.kind ? { kind: q.kind } : {}),
      AND: [
        viewer.role === "admin" ? {} : { OR: [{ ownerId: viewer.id }, { kind: "ab" as const }] },
        after ? { OR: [{ createdAt: { lt: new Date(after.c) } }, { createdAt: new Date(after.c), id: { lt: after.i } }] } : {},
      ],
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const page = toPage(rows, q.limit, (r) => r, (r) => ({ c: r.createdAt.toISOString(), i: r.id }));
  return { items: await Promise.all(page.items.map(view)), next_cursor: page.next_cursor };
}

export async function cancelExperiment(viewer: Viewer, id: string): Promise<ExperimentView> {
  const exp = await getExperiment(viewer, id);
  if (exp.kind === "ab") {
    if (viewer.role !== "admin") throw new ApiError(403, "insufficient_scope", "Only administrators can stop A/B tests");
    await prisma().experiment.updateMany({ where: { id, status: "running" }, data: { status: "stopped", stoppedAt: new Date() } });
    forgetRunningAbTest();
  } else if (exp.job) {
    await cancelJob(exp.job.id);
  }
  return getExperiment(viewer, id);
}
