import { seededRandom } from "../random";
import type { SourceName } from "./blend";
import { buildTrainingData, trainModel, type Interaction, type PartTimes, type RecModel, type TrainOptions } from "./model";
import { recommendWith, type UserState, type Weights } from "./recommend";

// Offline evaluation: split the ratings, train on one part, and check each recommender's top-k against what
// users went on to rate highly in the other part.

export type EvalRating = { user: number; item: number; rating: number; ts: number };
export type SplitMethod = "temporal" | "random" | "leave-last-out";

export function splitRatings(ratings: EvalRating[], method: SplitMethod, opts: { testFraction?: number; seed?: number } = {}): { train: EvalRating[]; test: EvalRating[] } {
  const fraction = opts.testFraction ?? 0.2;
  const rnd = seededRandom(opts.seed ?? 1);
  const byUser = new Map<number, EvalRating[]>();
  for (const r of ratings) {
    const list = byUser.get(r.user);
    if (list) list.push(r);
    else byUser.set(r.user, [r]);
  }
  const train: EvalRating[] = [];
  const test: EvalRating[] = [];
  for (const list of byUser.values()) {
    if (list.length < 2) {
      train.push(...list);
      continue;
    }
    if (method === "random") {
      for (const r of list) (rnd.next() < fraction ? test : train).push(r);
      continue;
    }
    list.sort((a, b) => a.ts - b.ts || a.item - b.item);
    const nTest = method === "leave-last-out" ? 1 : Math.max(1, Math.round(list.length * fraction));
    train.push(...list.slice(0, list.length - nTest));
    test.push(...list.slice(list.length - nTest));
  }
  return { train, test };
}

/** Precision, recall, NDCG and average precision of one ranked list at k (binary relevance). */
export function rankingMetrics(recs: number[], relevant: Set<number>, k: number): { precision: number; recall: number; ndcg: number; ap: number; hits: number } {
  const top = recs.slice(0, k);
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  top.forEach((item, rank) => {
    if (!relevant.has(item)) return;
    hits++;
    dcg += 1 / Math.log2(rank + 2);
    apSum += hits / (rank + 1);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  const denom = Math.min(k, relevant.size);
  return { precision: hits / k, recall: relevant.size ? hits / relevant.size : 0, ndcg: idcg ? dcg / idcg : 0, ap: denom ? apSum / denom : 0, hits };
}

export type Metrics = {
  recommender: string;
  users: number;
  k: number;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  coverage: number;
  novelty: number;
  train_ms: number;
  score_ms: number;
};

export type EvalOptions = {
  recommenders: (SourceName | "blend")[];
  k: number[];
  /** A test rating at or above this counts as relevant. */
  threshold: number;
  scale: { min: number; max: number };
  maxUsers?: number;
  seed?: number;
  train?: TrainOptions;
  weights?: Partial<Weights>;
  onProgress?: (fraction: number, message: string) => void;
  shouldStop?: () => boolean;
};

export function trainFromRatings(train: EvalRating[], items: { id: number; genres: string[]; series: string | null }[], scale: { min: number; max: number }, opts?: TrainOptions): RecModel {
  const itemIndex = new Map(items.map((it, i) => [it.id, i]));
  const users = [...new Set(train.map((r) => r.user))].sort((a, b) => a - b);
  const userIndex = new Map(users.map((u, i) => [u, i]));
  const interactions: Interaction[] = [];
  for (const r of train) {
    const item = itemIndex.get(r.item);
    if (item === undefined) continue;
    interactions.push({ user: userIndex.get(r.user) as number, item, rating01: (r.rating - scale.min) / (scale.max - scale.min || 1), liked: false, disliked: false });
  }
  const data = buildTrainingData({ userIds: users, itemIds: items.map((i) => i.id), itemGenres: items.map((i) => i.genres), itemSeries: items.map((i) => i.series), interactions });
  return trainModel(data, opts);
}

/** Milliseconds each part of training took: the shared data preparation, then each trained part. */
export type TrainTimes = PartTimes & { prepare: number };

/**
 * What training a recommender cost: the data preparation and the part it uses (content and user overlap train no
 * part of their own; the blend uses them all).
 */
export function trainMsOf(name: SourceName | "blend", t: TrainTimes): number {
  switch (name) {
    case "popularity":
    case "item_knn":
    case "als":
      return t.prepare + t[name];
    case "blend":
      return t.prepare + t.popularity + t.item_knn + t.als;
    default:
      return t.prepare;
  }
}

export type Prepared = {
  model: RecModel;
  trainTimes: TrainTimes;
  trainBy: Map<number, { item: number; rating01: number }[]>;
  relevant: Map<number, Set<number>>;
  users: number[];
  popularity: Float64Array;
  nItems: number;
};

/** Trains on the training part and works out, per test user, which items count as relevant. */
export function prepareEvaluation(split: { train: EvalRating[]; test: EvalRating[] }, items: { id: number; genres: string[]; series: string | null }[], opts: EvalOptions): Prepared {
  const report = opts.onProgress ?? (() => undefined);
  const parts: PartTimes = { popularity: 0, item_knn: 0, als: 0 };
  const trainStart = performance.now();
  const model = trainFromRatings(split.train, items, opts.scale, { ...opts.train, times: parts, onProgress: (stage, f) => report(f * 0.3, `Training: ${stage}`) });
  // What the parts did not take is the data preparation they share.
  const prepare = performance.now() - trainStart - parts.popularity - parts.item_knn - parts.als;
  const trainTimes: TrainTimes = { ...parts, prepare };
  const scale = opts.scale.max - opts.scale.min || 1;
  const trainBy = new Map<number, { item: number; rating01: number }[]>();
  const popularity = new Float64Array(items.length);
  for (const r of split.train) {
    const idx = model.itemIndex.get(r.item);
    if (idx === undefined) continue;
    popularity[idx]++;
    const list = trainBy.get(r.user) ?? [];
    list.push({ item: idx, rating01: (r.rating - opts.scale.min) / scale });
    trainBy.set(r.user, list);
  }
  const relevant = new Map<number, Set<number>>();
  for (const r of split.test) {
    const idx = model.itemIndex.get(r.item);
    if (idx === undefined || r.rating < opts.threshold || !trainBy.has(r.user)) continue;
    const set = relevant.get(r.user) ?? new Set<number>();
    set.add(idx);
    relevant.set(r.user, set);
  }
  let users = [...relevant.keys()].sort((a, b) => a - b);
  if (opts.maxUsers && users.length > opts.maxUsers) {
    const rnd = seededRandom(opts.seed ?? 3);
    users = users.map((u) => [rnd.next(), u] as const).sort((a, b) => a[0] - b[0]).slice(0, opts.maxUsers).map(([, u]) => u).sort((a, b) => a - b);
  }
  return { model, trainTimes, trainBy, relevant, users, popularity, nItems: items.length };
}

/** One recommender's metrics at every k; yields to the event loop now and then so progress and cancel get through. */
export async function scoreRecommender(prep: Prepared, name: SourceName | "blend", opts: EvalOptions & { onUser?: (done: number, total: number) => void }): Promise<Metrics[]> {
  const started = performance.now();
  const nUsersTrain = prep.trainBy.size || 1;
  const maxK = Math.max(...opts.k);
  const sums = opts.k.map(() => ({ p: 0, r: 0, ndcg: 0, ap: 0, nov: 0, recs: 0 }));
  const covered = opts.k.map(() => new Set<number>());
  for (let ui = 0; ui < prep.users.length; ui++) {
    if (ui % 50 === 0) {
      opts.onUser?.(ui, prep.users.length);
      await new Promise((r) => setImmediate(r));
      if (opts.shouldStop?.()) throw new Error("cancelled");
    }
    const u = prep.users[ui];
    const state: UserState = { userId: u, ratings: prep.trainBy.get(u) ?? [], liked: [], disliked: [], hidden: [] };
    const recs = recommendWith(prep.model, state, name, maxK, opts.weights);
    const rel = prep.relevant.get(u) as Set<number>;
    opts.k.forEach((k, ki) => {
      for (const item of recs.slice(0, k)) {
        covered[ki].add(item);
        sums[ki].nov += -Math.log2((prep.popularity[item] + 1) / (nUsersTrain + 1));
        sums[ki].recs++;
      }
      const m = rankingMetrics(recs, rel, k);
      sums[ki].p += m.precision;
      sums[ki].r += m.recall;
      sums[ki].ndcg += m.ndcg;
      sums[ki].ap += m.ap;
    });
  }
  const scoreMs = performance.now() - started;
  const n = prep.users.length || 1;
  return opts.k.map((k, ki) => ({
    recommender: name,
    users: prep.users.length,
    k,
    precision: sums[ki].p / n,
    recall: sums[ki].r / n,
    ndcg: sums[ki].ndcg / n,
    map: sums[ki].ap / n,
    coverage: covered[ki].size / prep.nItems,
    novelty: sums[ki].recs ? sums[ki].nov / sums[ki].recs : 0,
    train_ms: Math.round(trainMsOf(name, prep.trainTimes)),
    score_ms: Math.round(scoreMs),
  }));
}

export async function evaluateRecommenders(
  split: { train: EvalRating[]; test: EvalRating[] },
  items: { id: number; genres: string[]; series: string | null }[],
  opts: EvalOptions,
): Promise<Metrics[]> {
  const prep = prepareEvaluation(split, items, opts);
  const results: Metrics[] = [];
  for (const [ri, name] of opts.recommenders.entries()) {
    results.push(
      ...(await scoreRecommender(prep, name, {
        ...opts,
        onUser: (done, total) => opts.onProgress?.(0.3 + 0.7 * ((ri + done / total) / opts.recommenders.length), `Scoring ${name}: user ${done + 1} of ${total}`),
      })),
    );
  }
  opts.onProgress?.(1, "Done");
  return results;
}

/** Averages metrics of the same recommender and k over folds. */
export function averageFolds(folds: Metrics[][]): Metrics[] {
  const groups = new Map<string, Metrics[]>();
  for (const m of folds.flat()) {
    const key = `${m.recommender}@${m.k}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].map((ms) => {
    const avg = (f: (m: Metrics) => number) => ms.reduce((s, m) => s + f(m), 0) / ms.length;
    return {
      recommender: ms[0].recommender,
      k: ms[0].k,
      users: Math.round(avg((m) => m.users)),
      precision: avg((m) => m.precision),
      recall: avg((m) => m.recall),
      ndcg: avg((m) => m.ndcg),
      map: avg((m) => m.map),
      coverage: avg((m) => m.coverage),
      novelty: avg((m) => m.novelty),
      train_ms: Math.round(avg((m) => m.train_ms)),
      score_ms: Math.round(avg((m) => m.score_ms)),
    };
  });
}
