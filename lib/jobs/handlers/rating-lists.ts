import { z } from "zod";
import { countStaleLists, refreshRatingLists } from "../../ratings/lists";
import { defineJob } from "../types";

/** Users a step builds lists for: a retried job resumes after the last finished step. */
const USERS_PER_STEP = 20_000;

const lists = (n: number) => `${n.toLocaleString("en")} rating ${n === 1 ? "list" : "lists"}`;

// Builds the stored rating list (lib/ratings/lists.ts) of every user who has ratings and no current one: after each
// ratings import (which enqueues it), and every half hour for the users whose ratings changed since (their lists went
// stale, and /rates aggregates their ratings until then). With nothing to do it takes two scans of the users.
export const ratingListsJob = defineJob({
  kind: "rating-lists",
  title: "Build rating lists",
  description: "Stores each user's ratings as one value, which a cache miss of the old /rates endpoint reads instead of every rating.",
  payload: z.object({}),
  retries: 2,
  concurrency: 1,
  cron: "*/30 * * * *",
  startableBy: "admin",
  timeoutSeconds: 60 * 60,
  async run({ step, progress, announce }) {
    await progress(1, "Looking for users whose rating list is missing or stale");
    const total = await step.run("count", async () => countStaleLists());
    // Users whose ratings change during the run may add to the count: the bar stops short of the end until it ends.
    const percent = (built: number) => Math.min(98, 2 + Math.floor((built / Math.max(1, total)) * 96));
    let after = 0;
    let built = 0;
    let dropped = 0;
    for (let k = 0; ; k++) {
      const done = await step.run(`users-${k}`, async () => {
        const r = await refreshRatingLists({
          after,
          maxUsers: USERS_PER_STEP,
          onProgress: (p) => announce(percent(built + p.built), `Built ${lists(built + p.built)} of ${total.toLocaleString("en")}`),
        });
        return { built: r.built, last: r.last, done: r.done, dropped: r.dropped };
      });
      built += done.built;
      dropped += done.dropped;
      after = done.last;
      if (done.done) break;
      await progress(percent(built), `Built ${lists(built)} of ${total.toLocaleString("en")}`);
    }
    const summary = `Built ${lists(built)}${dropped ? `; removed ${lists(dropped)} no longer needed` : ""}`;
    await progress(100, summary);
    return { built, dropped, summary };
  },
});
