import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listJobsRoute, POST as startJobRoute } from "../app/api/v1/jobs/route";
import { GET as getJobRoute } from "../app/api/v1/jobs/[id]/route";
import { POST as cancelJobRoute } from "../app/api/v1/jobs/[id]/cancel/route";
import { GET as schedulesRoute } from "../app/api/v1/jobs/schedules/route";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { ensureAdmin, registerUser } from "../lib/auth/users";
import { prisma } from "../lib/db/client";
import { startJobRunner, stopJobRunner } from "../lib/jobs/embedded";
import { enqueueJob } from "../lib/jobs/dispatch";
import { executeJob } from "../lib/jobs/execute";
import { createJobRecord, markRunning, requestCancel, writeProgress } from "../lib/jobs/store";
import { stepsJob } from "./support/test-jobs";
import { cancellingSteps } from "./support/cancel";
import { useTestDatabase } from "./support/db";
import { call, expectProblem } from "./support/http";
import { waitFor } from "./support/wait";

process.env.JOB_POLL_SECONDS = "0.5";
process.env.JOB_RETRY_DELAY_SECONDS = "1";
const db = useTestDatabase();

let userToken = "";
let otherToken = "";
let adminToken = "";
let userId = 0;

async function token(email: string, scopes: string[]) {
  const res = await call<{ token: string }>(exchange, { method: "POST", body: { email, password: "correct horse", scopes } });
  return res.body.token;
}

const finished = (id: string, timeoutMs = 20_000) =>
  waitFor(async () => {
    const job = await prisma().job.findUnique({ where: { id } });
    return job && ["succeeded", "failed", "cancelled"].includes(job.status) ? job : null;
  }, { timeoutMs, what: `job ${id} to finish` });

beforeAll(async () => {
  userId = (await registerUser({ email: "user@example.com", password: "correct horse" })).id;
  await registerUser({ email: "other@example.com", password: "correct horse" });
  await ensureAdmin("admin@example.com", "correct horse");
  userToken = await token("user@example.com", ["read", "write"]);
  otherToken = await token("other@example.com", ["read", "write"]);
  adminToken = await token("admin@example.com", ["admin"]);
  await startJobRunner(db.url());
});

afterAll(async () => {
  await stopJobRunner();
});

describe("embedded runner", () => {
  it("runs a job through its steps to 100% and stores the result", async () => {
    const started = await call<{ id: string; status: string }>(startJobRoute, { method: "POST", token: userToken, body: { kind: "test-steps", payload: { steps: 3 } } });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe("sent");
    const job = await finished(started.body.id);
    expect(job).toMatchObject({ status: "succeeded", progress: 100, attempts: 1, result: { total: 3, attempt: 0 } });
    expect(job.startedAt).toBeTruthy();
    expect(job.finishedAt).toBeTruthy();
    expect(await prisma().jobStep.count({ where: { jobId: job.id } })).toBe(4);
  });

  it("shows a phase announced right after the last figure while that phase works, though reports are throttled", async () => {
    const started = await call<{ id: string }>(startJobRoute, { method: "POST", token: userToken, body: { kind: "test-phases", payload: { workMs: 1500 } } });
    const during = await waitFor(async () => {
      const job = await prisma().job.findUnique({ where: { id: started.body.id } });
      return job?.message === "Writing the totals" ? job : null;
    }, { timeoutMs: 10_000, what: "the second phase's message" });
    expect(during).toMatchObject({ status: "running", progress: 90 });
    expect(await finished(started.body.id)).toMatchObject({ status: "succeeded", progress: 100 });
  });

  it("retries a failing handler with backoff and succeeds when an attempt passes", async () => {
    const job = await enqueueJob("test-steps", { steps: 1, failAttempts: 1 }, { ownerId: userId });
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: "succeeded", attempts: 2, result: { attempt: 1 } });
  });

  it("ends as failed with the error after the last attempt", async () => {
    const job = await enqueueJob("test-steps", { steps: 1, failAttempts: 9 }, { ownerId: userId });
    const done = await finished(job.id, 30_000);
    expect(done.status).toBe("failed");
    expect(done.attempts).toBe(stepsJob.retries + 1);
    expect(done.error).toBe("planned failure on attempt 3");
    const view = await call<{ status: string; error: string }>(getJobRoute, { token: userToken, params: { id: job.id } });
    expect(view.body).toMatchObject({ status: "failed", error: "planned failure on attempt 3" });
  }, 40_000);

  it("cancels a running job midway", async () => {
    const job = await enqueueJob("test-steps", { steps: 40, sleepMs: 100 }, { ownerId: userId });
    await waitFor(async () => ((await prisma().job.findUnique({ where: { id: job.id } }))?.progress ?? 0) >= 10 ? true : null, { what: "progress" });
    const res = await call<{ status: string; cancel_requested: boolean }>(cancelJobRoute, { method: "POST", token: userToken, params: { id: job.id } });
    expect(res.status).toBe(200);
    expect(res.body.cancel_requested).toBe(true);
    const done = await finished(job.id);
    expect(done.status).toBe("cancelled");
    expect(done.progress).toBeLessThan(100);
  });

  it("lets a step report progress after a cancel without failing: the cancel waits for the job's own code", async () => {
    const job = await createJobRecord({ kind: "test-phases", ownerId: userId, payload: { workMs: 700 }, maxAttempts: 1 }); // past the 250 ms throttle: the report is written
    // Cancel is pressed as the last step starts; the step's own report sees it.
    const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1, step: cancellingSteps(job.id, "tidy", "starts") });
    expect(outcome.status).not.toBe("failed");
    expect(await prisma().jobStep.count({ where: { jobId: job.id, stepId: "tidy" } })).toBe(1);
  });

  it("keeps saying 'Cancelling...' once cancel is pressed, whatever progress the job still reports", async () => {
    const job = await createJobRecord({ kind: "test-steps", ownerId: userId, payload: {}, maxAttempts: 1 });
    await markRunning(job.id, 0);
    await writeProgress(job.id, 30, "Step 1 of 3");
    await requestCancel(job.id);
    expect(await writeProgress(job.id, 60, "Step 2 of 3")).toBe(true);
    expect(await prisma().job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ message: "Cancelling...", progress: 60 });
  });

  it("recomputes catalog statistics as a job an admin starts", async () => {
    const item = await prisma().item.create({ data: { title: "Stats Movie", year: 2000, genres: ["Drama"] } });
    const u = await prisma().user.create({ data: { source: "test", externalId: "s1" } });
    await prisma().rating.create({ data: { userId: u.id, itemId: item.id, rating: 4, ratedAt: new Date() } });
    expectProblem(await call(startJobRoute, { method: "POST", token: userToken, body: { kind: "catalog-stats" } }), 403, "insufficient_scope");
    const started = await call<{ id: string }>(startJobRoute, { method: "POST", token: adminToken, body: { kind: "catalog-stats" } });
    expect(started.status).toBe(202);
    const done = await finished(started.body.id);
    expect(done).toMatchObject({ status: "succeeded", progress: 100 });
    expect(await prisma().itemStats.findUnique({ where: { itemId: item.id } })).toMatchObject({ ratingsCount: 1, meanRating: 4 });
  });
});

describe("jobs API", () => {
  it("answers 404 for an unknown id, a malformed id, and another user's job", async () => {
    expectProblem(await call(getJobRoute, { token: userToken, params: { id: "00000000-0000-4000-8000-000000000000" } }), 404);
    expectProblem(await call(getJobRoute, { token: userToken, params: { id: "nope" } }), 404);
    const mine = await enqueueJob("test-steps", { steps: 1 }, { ownerId: userId });
    expectProblem(await call(getJobRoute, { token: otherToken, params: { id: mine.id } }), 404);
    expectProblem(await call(cancelJobRoute, { method: "POST", token: otherToken, params: { id: mine.id } }), 404);
    expect((await call(getJobRoute, { token: adminToken, params: { id: mine.id } })).status).toBe(200);
  });

  it("lists own jobs newest first with filters and cursor pagination; admins see all", async () => {
    const page1 = await call<{ items: { id: string; owner_id: number; kind: string }[]; next_cursor: string }>(listJobsRoute, {
      token: userToken,
      path: "/api/v1/jobs?kind=test-steps&limit=2",
    });
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items.every((j) => j.owner_id === userId && j.kind === "test-steps")).toBe(true);
    const page2 = await call<{ items: { id: string }[] }>(listJobsRoute, { token: userToken, path: `/api/v1/jobs?kind=test-steps&limit=2&cursor=${page1.body.next_cursor}` });
    expect(page2.body.items.map((j) => j.id)).not.toContain(page1.body.items[0].id);
    const failed = await call<{ items: { status: string }[] }>(listJobsRoute, { token: userToken, path: "/api/v1/jobs?status=failed" });
    expect(failed.body.items.length).toBeGreaterThan(0);
    expect(failed.body.items.every((j) => j.status === "failed")).toBe(true);
    expect((await call<{ items: unknown[] }>(listJobsRoute, { token: otherToken })).body.items).toHaveLength(0);
    const all = await call<{ items: { owner_id: number }[] }>(listJobsRoute, { token: adminToken, path: "/api/v1/jobs?limit=100" });
    expect(all.body.items.some((j) => j.owner_id === userId)).toBe(true);
    expectProblem(await call(listJobsRoute, { token: userToken, path: "/api/v1/jobs?status=pending" }), 400, "validation_failed");
  });

  it("refuses unknown kinds and bad payloads", async () => {
    const unknown = await call<{ errors: { path: string; message: string }[] }>(startJobRoute, { method: "POST", token: userToken, body: { kind: "nope" } });
    expectProblem(unknown, 400, "validation_failed");
    expect(unknown.body.errors).toEqual([{ path: "body.kind", message: expect.stringContaining("catalog-stats") }]);
    expectProblem(await call(startJobRoute, { method: "POST", token: userToken, body: { kind: "test-steps", payload: { steps: -1 } } }), 400);
  });

  it("lists scheduled jobs with their cron and next run", async () => {
    const res = await call<{ items: { kind: string; cron: string; next_run_at: string; last_run: { status: string } | null }[]; titles: Record<string, string> }>(schedulesRoute, { token: adminToken });
    // Every kind's name for people, imports too (they are not started from this list).
    expect(res.body.titles).toMatchObject({ "catalog-stats": "Recompute catalog statistics", import: "Import a data file" });
    const stats = res.body.items.find((s) => s.kind === "catalog-stats");
    expect(stats?.cron).toBe("0 3 * * *");
    expect(new Date(stats?.next_run_at ?? 0).getTime()).toBeGreaterThan(Date.now());
    expect(stats?.last_run?.status).toBe("succeeded");
  });
});

describe("a killed worker", () => {
  let child: ChildProcess | null = null;
  const startWorker = () => {
    const proc = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/support/job-worker.ts")], {
      env: { ...process.env, DATABASE_URL: db.url(), JOB_POLL_SECONDS: "0.5" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    return proc;
  };
  afterAll(() => {
    child?.kill("SIGKILL");
  });

  it("resumes the job after a restart from its last finished step and finishes it exactly once", async () => {
    await stopJobRunner(); // only the child process works on jobs now
    const log = path.join(mkdtempSync(path.join(tmpdir(), "tastebud-kill-")), "steps.log");
    const job = await enqueueJob("test-steps", { steps: 8, sleepMs: 300, log }, { ownerId: userId });
    child = startWorker();
    await waitFor(async () => ((await prisma().jobStep.count({ where: { jobId: job.id } })) >= 3 ? true : null), { what: "three steps", timeoutMs: 30_000 });
    child.kill("SIGKILL");
    await new Promise((r) => child?.once("exit", r));
    const beforeRestart = await prisma().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(beforeRestart.status).toBe("running");
    child = startWorker();
    const done = await finished(job.id, 40_000);
    expect(done.status).toBe("succeeded");
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines.filter((l) => l === "finish")).toHaveLength(1);
    // Each finished step ran once; only the step in flight at the kill may have run twice.
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(1);
    expect(counts.size).toBe(9);
    expect(done.result).toMatchObject({ total: 28 });
  }, 90_000);
});
