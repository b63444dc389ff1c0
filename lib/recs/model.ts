import { trainAls, itemGramian, type AlsModel } from "./als";
import { buildGenreIndex, type GenreIndex } from "./content";
import { trainItemKnn, type ItemKnnModel } from "./item-knn";
import { csrFromTriplets, transpose, type Csr } from "./matrix";
import { trainPopularity, type PopularityModel } from "./popularity";

// Training data and the trained model. Explicit ratings are normalised to 0..1 on their own scale; the implicit
// matrix keeps what a user liked or rated above their own average, with a confidence that grows with how much.

export type Interaction = { user: number; item: number; rating01: number | null; liked: boolean; disliked: boolean };

export const LIKED = 1;
export const DISLIKED = 2;
/** The rating column holds a play-count weight, not a rating. */
export const PLAYED = 4;

/** Implicit weight of a track played `count` times: grows with the log of the count. */
export const playWeight = (count: number) => Math.min(3, 0.6 + Math.log2(1 + count) / 2);

/** Interactions in columns (typed arrays that grow by doubling): tens of millions fit where objects would not. */
export class InteractionLog {
  users = new Int32Array(1024);
  items = new Int32Array(1024);
  /** NaN when there is no rating, only a like or dislike. */
  ratings = new Float32Array(1024);
  flags = new Uint8Array(1024);
  length = 0;

  push(user: number, item: number, rating01: number, flags: number): void {
    if (this.length === this.users.length) {
      const grow = <T extends Int32Array | Float32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.users = grow(this.users);
      this.items = grow(this.items);
      this.ratings = grow(this.ratings);
      this.flags = grow(this.flags);
    }
    this.users[this.length] = user;
    this.items[this.length] = item;
    this.ratings[this.length] = rating01;
    this.flags[this.length] = flags;
    this.length++;
  }

  static from(list: Interaction[]): InteractionLog {
    const log = new InteractionLog();
    for (const x of list) log.push(x.user, x.item, x.rating01 ?? NaN, (x.liked ? LIKED : 0) | (x.disliked ? DISLIKED : 0));
    return log;
  }
}

export type TrainingData = {
  userIds: Int32Array;
  itemIds: Int32Array;
  itemGenres: string[][];
  itemSeries: (string | null)[];
  ratings: Csr;
  implicit: Csr;
};

export const CONFIDENCE_ALPHA = 8;

/** Positive signal for one user's interaction: 0 when it is not a positive, otherwise a confidence weight. */
export function positiveWeight(rating01: number | null, userMean: number, liked: boolean, disliked: boolean): number {
  if (disliked) return 0;
  let w = 0;
  if (rating01 !== null && rating01 >= Math.max(0.55, userMean - 0.05)) w = 1 + (rating01 - userMean + 0.1) * 2;
  if (liked) w = Math.max(w, 1.5) + 0.5;
  return w;
}

export function buildTrainingData(input: {
  userIds: number[];
  itemIds: number[];
  itemGenres: string[][];
  itemSeries: (string | null)[];
  interactions: Interaction[] | InteractionLog;
}): TrainingData {
  const log = input.interactions instanceof InteractionLog ? input.interactions : InteractionLog.from(input.interactions);
  const nUsers = input.userIds.length;
  const nItems = input.itemIds.length;
  const sum = new Float64Array(nUsers);
  const cnt = new Int32Array(nUsers);
  let nRatings = 0;
  for (let k = 0; k < log.length; k++) {
    if (!Number.isNaN(log.ratings[k]) && !(log.flags[k] & PLAYED)) {
      sum[log.users[k]] += log.ratings[k];
      cnt[log.users[k]]++;
      nRatings++;
    }
  }
  const rr = new Int32Array(nRatings);
  const rc = new Int32Array(nRatings);
  const rv = new Float32Array(nRatings);
  const positives = new InteractionLog();
  let r = 0;
  for (let k = 0; k < log.length; k++) {
    const user = log.users[k];
    if (log.flags[k] & PLAYED) {
      positives.push(user, log.items[k], 1 + CONFIDENCE_ALPHA * log.ratings[k], 0);
      continue;
    }
    const rating = log.ratings[k];
    const hasRating = !Number.isNaN(rating);
    if (hasRating) {
      rr[r] = user;
      rc[r] = log.items[k];
      rv[r] = rating;
      r++;
    }
    const mean = cnt[user] ? sum[user] / cnt[user] : 0.6;
    const w = positiveWeight(hasRating ? rating : null, mean, (log.flags[k] & LIKED) !== 0, (log.flags[k] & DISLIKED) !== 0);
    if (w > 0) positives.push(user, log.items[k], 1 + CONFIDENCE_ALPHA * w, 0);
  }
  return {
    userIds: Int32Array.from(input.userIds),
    itemIds: Int32Array.from(input.itemIds),
    itemGenres: input.itemGenres,
    itemSeries: input.itemSeries,
    ratings: csrFromTriplets(nUsers, nItems, rr, rc, rv),
    implicit: csrFromTriplets(
      nUsers,
      nItems,
      positives.users.subarray(0, positives.length),
      positives.items.subarray(0, positives.length),
      positives.ratings.subarray(0, positives.length),
    ),
  };
}

export type RecModel = {
  trainedAt: string;
  userIds: Int32Array;
  itemIds: Int32Array;
  itemIndex: Map<number, number>;
  userIndex: Map<number, number>;
  itemSeries: (string | null)[];
  genres: GenreIndex;
  popularity: PopularityModel;
  knn: ItemKnnModel;
  als: AlsModel;
  alsGramian: Float64Array;
  /** 1 for tracks, 0 for movies; filled from the catalog when a server loads the model. */
  itemKinds?: Uint8Array;
  /** users × items positives, and its transpose, for the user-overlap recommender. */
  implicit: Csr;
  itemUsers: Csr;
};

/** Milliseconds each trained part took. */
export type PartTimes = { popularity: number; item_knn: number; als: number };

export type TrainOptions = {
  factors?: number;
  iterations?: number;
  neighbors?: number;
  onProgress?: (stage: string, fraction: number) => void;
  /** Filled with each part's training time (offline evaluations report them per recommender). */
  times?: PartTimes;
};

export function trainModel(data: TrainingData, opts: TrainOptions = {}): RecModel {
  const report = opts.onProgress ?? (() => undefined);
  const timed = <T>(part: keyof PartTimes, train: () => T): T => {
    const started = performance.now();
    const trained = train();
    if (opts.times) opts.times[part] = performance.now() - started;
    return trained;
  };
  report("popularity", 0);
  const popularity = timed("popularity", () => trainPopularity(data.ratings));
  report("item-knn", 0.1);
  const knn = timed("item_knn", () => trainItemKnn(data.implicit, { k: opts.neighbors ?? 50 }));
  report("als", 0.4);
  const iterations = opts.iterations ?? 10;
  const als = timed("als", () => trainAls(data.implicit, { factors: opts.factors ?? 32, iterations, onIteration: (i) => report("als", 0.4 + (0.55 * (i + 1)) / iterations) }));
  return modelFromParts(data, { popularity, knn, als, trainedAt: new Date().toISOString() });
}

export function modelFromParts(
  data: Pick<TrainingData, "userIds" | "itemIds" | "itemGenres" | "itemSeries" | "implicit">,
  parts: { popularity: PopularityModel; knn: ItemKnnModel; als: AlsModel; trainedAt: string },
): RecModel {
  return {
    trainedAt: parts.trainedAt,
    userIds: data.userIds,
    itemIds: data.itemIds,
    itemIndex: new Map(Array.from(data.itemIds, (id, i) => [id, i])),
    userIndex: new Map(Array.from(data.userIds, (id, i) => [id, i])),
    itemSeries: data.itemSeries,
    genres: buildGenreIndex(data.itemGenres),
    popularity: parts.popularity,
    knn: parts.knn,
    als: parts.als,
    alsGramian: itemGramian(parts.als),
    implicit: data.implicit,
    itemUsers: transpose(data.implicit),
  };
}
