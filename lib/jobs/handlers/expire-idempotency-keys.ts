import { z } from "zod";
import { expireIdempotencyKeys, IDEMPOTENCY_KEEP_HOURS } from "../../api/idempotency";
import { defineJob } from "../types";

export const expireIdempotencyKeysJob = defineJob({
  kind: "expire-idempotency-keys",
  title: "Forget old Idempotency-Keys",
  description: `Removes stored answers to writes sent with an Idempotency-Key more than ${IDEMPOTENCY_KEEP_HOURS} hours ago.`,
  payload: z.object({}),
  retries: 2,
  concurrency: 1,
  cron: "40 * * * *",
  startableBy: "admin",
  timeoutSeconds: 5 * 60,
  async run({ step, progress }) {
    await progress(5, `Removing keys older than ${IDEMPOTENCY_KEEP_HOURS} hours`);
    const removed = await step.run("expire", async () => expireIdempotencyKeys());
    await progress(100, `Removed ${removed.toLocaleString("en")} keys`);
    return { removed, summary: `Removed ${removed.toLocaleString("en")} keys` };
  },
});
