import { z } from "zod";
import { prisma } from "../db/client";
import { averageFolds, prepareEvaluation, scoreRecommender, splitRatings, type EvalRating, type Metrics, type Prepared } from "../recs/evaluate";
import { scaleOf } from "../ratings/scales";
import { defineJob, JobCancelledError, type Json } from "../jobs/types";
import { OfflineConfigSchema, type OfflineConfig } from "./schemas";

// Offline evaluation as a job: load the ratings, split them, train each fold once, and score every recommender
// against what users rated highly in the held-out part. Each (fold, recommender) is a durable step.

export async function loadEvaluationData(source: OfflineConfig["source"]): Promise<{ ratings: EvalRating[]; items: { id: number; genres: string[]; series: string | null }[] }> {
  const rows = await prisma().$queryRaw<{ u: number; i: number; r: number; t: number; src: string | null }[]>`
    SELECT r.user_id AS u, r.item_id AS i, r.rating AS r, extract(epoch FROM r.rated_at)::float8 AS t, u.source AS src
    FROM ratings r JOIN users u ON u.id = r.user_id
    WHERE ${source} = 'all' OR u.source = ${source}`;
  const ratings = rows.map((x) => {
    const s = scaleOf(x.src);
    return { user: x.u, item: x.i, rating: (x.r - s.min) / (s.max - s.min), ts: x.t };
  });
  const items = await prisma().item.findMany({ select: { id: true, genres: true, series: true }, orderBy: { id: "asc" } });
  return { ratings, items };
}

export const evaluationJob = defineJob({
  kind: "evaluation",
  title: "Offline evaluation",
  description: "Compares recommenders on held-out ratings: Precision, Recall, NDCG, MAP, coverage, novelty.",
  payload: z.object({ experiment_id: z.string().uuid().optional(), config: OfflineConfigSchema }),
  retries: 1,
  concurrency: 1,
  startableBy: "user",
  timeoutSeconds: 2 * 60 * 60,
  async run({ payload, step, progress }) {
    const config = payload.config;
    let cancelled = false;
    const report = (fraction: number, message: string) =>
      void progress(Math.min(99, Math.round(fraction * 100)), message).catch((err) => {
        if (err instanceof JobCancelledError) cancelled = true;
      });
    report(0.01, "Loading ratings");
    const data = await loadEvaluationData(config.source);
    if (data.ratings.length === 0) throw new Error(`There are no ratings in source "${config.source}" to evaluate on`);
    const folds: Metrics[][] = [];
    const total = config.folds * config.recommenders.length;
    for (let f = 0; f < config.folds; f++) {
      let prep: Prepared | null = null;
      const prepared = () => {
        if (!prep) {
          report((f * config.recommenders.length) / total, `Fold ${f + 1} of ${config.folds}: training`);
          const split = splitRatings(data.ratings, config.split, { testFraction: config.test_fraction, seed: config.seed + f });
          prep = prepareEvaluation(split, data.items, {
            recommenders: config.recommenders,
            k: config.k,
            threshold: config.threshold,
            scale: { min: 0, max: 1 },
            maxUsers: config.max_users,
            seed: config.seed + f,
            train: { factors: config.params.factors, iterations: config.params.iterations, neighbors: config.params.neighbors },
          });
        }
        return prep;
      };
      const fold: Metrics[] = [];
      for (const [r, name] of config.recommenders.entries()) {
        const done = f * config.recommenders.length + r;
        const metrics = (await step.run(`fold-${f}-${name}`, async () => {
          const p = prepared();
          return (await scoreRecommender(p, name, {
            recommenders: config.recommenders,
            k: config.k,
            threshold: config.threshold,
            scale: { min: 0, max: 1 },
            shouldStop: () => cancelled,
            onUser: (u, n) => report((done + u / Math.max(1, n)) / total, `Fold ${f + 1} of ${config.folds}: scoring ${name} (${u} of ${n} users)`),
          }).catch((err) => {
            if (cancelled) throw new JobCancelledError();
            throw err;
          })) as unknown as Json;
        })) as unknown as Metrics[];
        if (cancelled) throw new JobCancelledError();
        fold.push(...metrics);
        report((done + 1) / total, `Fold ${f + 1} of ${config.folds}: ${name} done`);
      }
      folds.push(fold);
    }
    const users = new Set(data.ratings.map((r) => r.user)).size;
    return {
      metrics: averageFolds(folds),
      dataset: { source: config.source, ratings: data.ratings.length, users, items: data.items.length },
      config,
    } as unknown as Json;
  },
});
