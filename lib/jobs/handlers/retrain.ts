import { z } from "zod";
import { prisma } from "../../db/client";
import { currentModel, retrainAndStore, topForUser } from "../../recs/service";
import { defineJob } from "../types";

// Retrains every recommender from all ratings and likes, stores the model for every server to load, then
// precomputes the top-100 of the most recently active users into the cache.
export const retrainJob = defineJob({
  kind: "retrain",
  title: "Retrain recommendations",
  description: "Trains popularity, item similarity, user overlap and ALS on all feedback, then precomputes top-100 lists.",
  payload: z.object({
    factors: z.number().int().min(4).max(256).default(32),
    iterations: z.number().int().min(1).max(50).default(10),
    precompute_users: z.number().int().min(0).max(1_000_000).default(Number(process.env.PRECOMPUTE_USERS ?? 5000)),
  }),
  retries: 1,
  concurrency: 1,
  cron: "15 */6 * * *",
  startableBy: "admin",
  timeoutSeconds: 2 * 60 * 60,
  async run({ payload, step, progress, announce }) {
    await progress(1, "Reading ratings and likes");
    const trained = await step.run("train", async () => {
      const started = Date.now();
      const stats = await retrainAndStore({
        factors: payload.factors,
        iterations: payload.iterations,
        onMessage: (m) => void announce(3, m),
        onProgress: (stage, fraction) => void announce(5 + Math.round(fraction * 70), `Training ${stage}`),
      });
      return { ...stats, seconds: Math.round((Date.now() - started) / 100) / 10 };
    });
    await progress(76, "Loading the new model");
    await currentModel();
    const users = await step.run("pick-users", async () => {
      const rows = await prisma().$queryRaw<{ user_id: number }[]>`
        SELECT user_id FROM (
          SELECT user_id, max(rated_at) AS at FROM ratings GROUP BY user_id
          UNION ALL SELECT user_id, max(created_at) FROM events GROUP BY user_id) a
        GROUP BY user_id ORDER BY max(at) DESC LIMIT ${payload.precompute_users}`;
      return rows.map((r) => r.user_id);
    });
    const started = Date.now();
    for (let i = 0; i < users.length; i++) {
      await topForUser(users[i]);
      if (i % 100 === 0) await progress(77 + Math.floor((i / users.length) * 22), `Precomputed top-100 for ${i} of ${users.length} users`);
    }
    return { model_id: trained.id, users: trained.users, items: trained.items, positives: trained.positives, model_bytes: trained.bytes, train_seconds: trained.seconds, precomputed: users.length, precompute_seconds: Math.round((Date.now() - started) / 100) / 10 };
  },
});
