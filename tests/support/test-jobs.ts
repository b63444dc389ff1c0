import { appendFileSync } from "node:fs";
import { z } from "zod";
import { registerJob } from "../../lib/jobs/registry";
import { defineJob } from "../../lib/jobs/types";

// Jobs that exist only in tests: a configurable number of slow steps, failures on demand, and a side-effect log
// (one line per step execution) so a test can prove what ran how many times.
export const stepsJob = defineJob({
  kind: "test-steps",
  title: "Test steps",
  description: "Runs N steps, sleeping in each; can fail its first attempts.",
  payload: z.object({ steps: z.number().int().min(1).default(3), sleepMs: z.number().int().min(0).default(0), failAttempts: z.number().int().min(0).default(0), log: z.string().optional() }),
  retries: 2,
  concurrency: 2,
  startableBy: "user",
  timeoutSeconds: 60,
  async run({ payload, step, progress, attempt }) {
    if (attempt < payload.failAttempts) throw new Error(`planned failure on attempt ${attempt + 1}`);
    let total = 0;
    for (let i = 0; i < payload.steps; i++) {
      total += await step.run(`step-${i}`, async () => {
        await new Promise((r) => setTimeout(r, payload.sleepMs));
        if (payload.log) appendFileSync(payload.log, `step-${i}\n`);
        return i;
      });
      await progress(Math.round(((i + 1) / payload.steps) * 100), `Step ${i + 1} of ${payload.steps}`);
    }
    await step.run("finish", async () => {
      if (payload.log) appendFileSync(payload.log, "finish\n");
    });
    return { total, attempt };
  },
});

registerJob(stepsJob);

// Announces a new phase right after its last figure, then works without reporting: the announcement must show.
export const phasesJob = defineJob({
  kind: "test-phases",
  title: "Test phases",
  description: "Reports two phases in quick succession, then works for a while.",
  payload: z.object({ workMs: z.number().int().min(0).default(800) }),
  retries: 0,
  concurrency: 1,
  startableBy: "user",
  timeoutSeconds: 60,
  async run({ payload, step, progress, announce }) {
    await progress(40, "Counting");
    await progress(90, "Writing the totals");
    await step.run("work", () => new Promise<void>((r) => setTimeout(r, payload.workMs)));
    await step.run("tidy", () => announce(95, "Tidying up"));
    return { done: true };
  },
});

registerJob(phasesJob);
