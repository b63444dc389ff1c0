import { Inngest, StepError } from "inngest";
import { inngestSigningKey } from "../config";
import { cancellableSteps, executeJob } from "./execute";
import { jobDefinitions } from "./registry";
import { createJobRecord } from "./store";
import { PermanentJobError, type Json, type StepTool } from "./types";

// Inngest wiring for the same handlers: one function per job kind, triggered by `tastebud/<kind>` events and by
// its cron. Served at /api/inngest. A cancel is the job record's flag, checked before each step and at progress
// writes as on the embedded runner (Inngest's own cancelOn would stop the run before the record could say so).

// The signing key verifies Inngest's calls to /api/inngest (serve() takes it from the client since SDK v4);
// inngestSigningKey() throws here, at startup, when a production server that uses Inngest has none.
export const inngest = new Inngest({ id: "tastebud", signingKey: inngestSigningKey() });

export const jobEvent = (kind: string) => `tastebud/${kind}`;

type InngestStep = { run: (id: string, fn: () => Promise<unknown>) => Promise<unknown> };

export function buildInngestFunctions() {
  return jobDefinitions().map((def) =>
    inngest.createFunction(
      {
        id: def.kind,
        name: def.title,
        retries: def.retries as 0 | 1 | 2 | 3 | 4 | 5,
        concurrency: { limit: def.concurrency },
        triggers: def.cron ? [{ event: jobEvent(def.kind) }, { cron: `TZ=UTC ${def.cron}` }] : [{ event: jobEvent(def.kind) }],
      },
      async ({ event, step, attempt, runId }) => {
        const data = (event.data ?? {}) as { jobId?: string };
        const jobId =
          data.jobId ??
          ((await step.run("create-record", async () => {
            const job = await createJobRecord({ kind: def.kind, ownerId: null, payload: {}, maxAttempts: def.retries + 1, scheduled: true });
            return job.id;
          })) as string);
        const inner: StepTool = {
          run: async <T extends Json | void>(id: string, fn: () => Promise<T>) => {
            try {
              return (await (step as unknown as InngestStep).run(id, fn)) as T;
            } catch (err) {
              // A step that used up its own retries: the job has failed for good (it is not a reason to run it again).
              if (err instanceof StepError) throw new PermanentJobError(err.message);
              throw err;
            }
          },
        };
        const outcome = await executeJob(jobId, { attempt, maxAttempts: def.retries + 1, step: cancellableSteps(jobId, inner) });
        if (outcome.status === "retry") throw new Error(outcome.error ?? "attempt failed");
        return { jobId, runId, status: outcome.status, result: outcome.result ?? null };
      },
    ),
  );
}
