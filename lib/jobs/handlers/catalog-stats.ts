import { z } from "zod";
import { cache } from "../../cache";
import { computePrior, itemIdRange, topByGenre, writeItemStats, type StatsPrior } from "../../catalog/stats";
import { defineJob } from "../types";

export const GENRE_TOP_CACHE_KEY = "catalog:genre-top:v1";

const SLICES = 20;

// Per movie: ratings count, mean, IMDb-weighted score, likes; per genre: the top movies. In slices, so a large
// catalog reports progress and a retry resumes after the last finished slice.
export const catalogStatsJob = defineJob({
  kind: "catalog-stats",
  title: "Recompute catalog statistics",
  description: "Ratings count, mean and weighted score per movie, and the top movies per genre.",
  // throttle_ms pauses between slices to keep a busy database responsive during the recompute.
  payload: z.object({ throttle_ms: z.number().int().min(0).max(10_000).default(0) }),
  retries: 2,
  concurrency: 1,
  cron: "0 3 * * *",
  startableBy: "admin",
  timeoutSeconds: 15 * 60,
  async run({ step, progress, payload }) {
    await progress(2, "Measuring the ratings");
    // A prior memoized before mixedScales existed joins users, the safe choice.
    const saved: Partial<StatsPrior> & Omit<StatsPrior, "mixedScales"> = await step.run("prior", async () => computePrior());
    const prior: StatsPrior = { ...saved, mixedScales: saved.mixedScales ?? true };
    const range = await step.run("range", async () => itemIdRange());
    let updated = 0;
    if (range.max >= range.min) {
      const width = Math.ceil((range.max - range.min + 1) / SLICES);
      for (let s = 0; s < SLICES; s++) {
        const from = range.min + s * width;
        if (from > range.max) break;
        const to = Math.min(range.max, from + width - 1);
        updated += await step.run(`items-${s}`, async () => writeItemStats(prior, from, to));
        await progress(5 + Math.round(((s + 1) / SLICES) * 85), `Scored items ${from}-${to} of ${range.max}`);
        if (payload.throttle_ms) await new Promise((r) => setTimeout(r, payload.throttle_ms));
      }
    }
    const genres = await step.run("genre-top", async () => {
      const tops = await topByGenre(10);
      await cache().set(GENRE_TOP_CACHE_KEY, tops, 7 * 24 * 3600);
      return tops.length;
    });
    await progress(100, "Done");
    return { items: updated, ratings: prior.ratings, global_mean: Math.round(prior.globalMean * 1000) / 1000, min_votes: prior.minVotes, genres };
  },
});
