import { InngestTestEngine } from "@inngest/test";
import { StepError } from "inngest";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../lib/db/client";
import { cancellableSteps } from "../lib/jobs/execute";
import { buildInngestFunctions } from "../lib/jobs/inngest";
import { JobCancelledError, type Json } from "../lib/jobs/types";
import { createJobRecord, requestCancel } from "../lib/jobs/store";
import { stepsJob } from "./support/test-jobs";
import { useTestDatabase } from "./support/db";

// The same handlers through Inngest's own execution engine (in-process, no server): proves the wiring.
useTestDatabase();

const fn = (kind: string) => {
  const found = buildInngestFunctions().find((f) => f.id() === kind || f.id().endsWith(`-${kind}`));
  if (!found) throw new Error(`no Inngest function for ${kind}`);
  return found;
};

beforeAll(async () => {
  const item = await prisma().item.create({ data: { title: "Inngest Movie", year: 1999, genres: ["Comedy"] } });
  const u = await prisma().user.create({ data: { source: "test", externalId: "i1" } });
  await prisma().rating.create({ data: { userId: u.id, itemId: item.id, rating: 3.5, ratedAt: new Date() } });
});

describe("Inngest functions", () => {
  it("declares one function per handler with its cron and retries, and no cancelOn (the record's flag cancels)", () => {
    const stats = fn("catalog-stats");
    const config = stats["getConfig"]({ baseUrl: new URL("http://localhost/api/inngest"), appPrefix: "tastebud" })[0] as {
      triggers: { cron?: string; event?: string }[];
      cancel?: { event: string }[];
      retries?: { attempts: number };
    };
    expect(config.triggers).toEqual(expect.arrayContaining([{ event: "tastebud/catalog-stats" }, { cron: "TZ=UTC 0 3 * * *" }]));
    expect(config.cancel ?? []).toEqual([]);
  });

  it("runs the catalog statistics handler to success and writes the job record", async () => {
    const job = await createJobRecord({ kind: "catalog-stats", ownerId: null, payload: {}, maxAttempts: 3 });
    const t = new InngestTestEngine({ function: fn("catalog-stats"), events: [{ name: "tastebud/catalog-stats", data: { jobId: job.id } }] });
    const { result, error } = await t.execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ jobId: job.id, status: "succeeded" });
    const stored = await prisma().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(stored).toMatchObject({ status: "succeeded", progress: 100 });
    expect(await prisma().itemStats.count()).toBe(1);
  });

  it("memoizes steps through Inngest: a mocked step output is used instead of running it", async () => {
    const job = await createJobRecord({ kind: stepsJob.kind, ownerId: null, payload: { steps: 2 }, maxAttempts: 3 });
    const t = new InngestTestEngine({
      function: fn(stepsJob.kind),
      events: [{ name: `tastebud/${stepsJob.kind}`, data: { jobId: job.id } }],
      steps: [{ id: "step-1", handler: () => 40 }],
    });
    const { result } = await t.execute();
    expect(result).toMatchObject({ status: "succeeded", result: { total: 40 } });
  });

  it("checks a cancel before handing the next step to Inngest, never inside it", async () => {
    // Thrown inside a step, real Inngest would take the cancel for a failed step, retry it and fail the run.
    const job = await createJobRecord({ kind: stepsJob.kind, ownerId: null, payload: { steps: 3 }, maxAttempts: 3 });
    const handed: string[] = [];
    const engine = { run: <T extends Json | void>(id: string, run: () => Promise<T>) => (handed.push(id), run()) };
    const steps = cancellableSteps(job.id, engine);
    expect(await steps.run("first", async () => 1)).toBe(1);
    await requestCancel(job.id);
    await expect(steps.run("second", async () => 2)).rejects.toBeInstanceOf(JobCancelledError);
    expect(handed).toEqual(["first"]);
  });

  it("ends a run cancelled between steps as cancelled", async () => {
    const job = await createJobRecord({ kind: stepsJob.kind, ownerId: null, payload: { steps: 3 }, maxAttempts: 3 });
    const t = new InngestTestEngine({
      function: fn(stepsJob.kind),
      events: [{ name: `tastebud/${stepsJob.kind}`, data: { jobId: job.id } }],
      // Someone presses Cancel while the first step runs.
      steps: [{ id: "step-0", handler: async () => ((await requestCancel(job.id)), 0) }],
    });
    const { result, error } = await t.execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ status: "cancelled" });
    expect(await prisma().job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "cancelled", message: "Cancelled" });
  });

  it("fails the job at once when a step has used up its own retries (Inngest retries each step by itself)", async () => {
    const job = await createJobRecord({ kind: stepsJob.kind, ownerId: null, payload: { steps: 2 }, maxAttempts: 3 });
    const t = new InngestTestEngine({
      function: fn(stepsJob.kind),
      events: [{ name: `tastebud/${stepsJob.kind}`, data: { jobId: job.id } }],
      // What Inngest hands the function once a step's retries are spent: the step's error as a StepError, on what is
      // only the function's first attempt.
      transformCtx: (ctx) => ({
        ...ctx,
        attempt: 0,
        step: { ...ctx.step, run: (async (id: string) => Promise.reject(new StepError(id, { name: "Error", message: "the disk is full" }))) as typeof ctx.step.run },
      }),
    });
    const { result } = await t.execute();
    expect(result).toMatchObject({ status: "failed" });
    expect(await prisma().job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "failed", error: "the disk is full" });
  });

  it("marks the job failed after the last attempt's error", async () => {
    const job = await createJobRecord({ kind: stepsJob.kind, ownerId: null, payload: { steps: 1, failAttempts: 9 }, maxAttempts: 3 });
    const t = new InngestTestEngine({
      function: fn(stepsJob.kind),
      events: [{ name: `tastebud/${stepsJob.kind}`, data: { jobId: job.id } }],
      transformCtx: (ctx) => ({ ...ctx, attempt: 2 }),
    });
    const { result } = await t.execute();
    expect(result).toMatchObject({ status: "failed" });
    expect(await prisma().job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "failed", error: "planned failure on attempt 3" });
  });
});
