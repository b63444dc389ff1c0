import { alsScores, foldInUser } from "./als";
import { blend, type Blended, type SourceName, type SourceScores } from "./blend";
import { contentScores, genreProfile, topGenres } from "./content";
import { itemKnnScores } from "./item-knn";
import { CONFIDENCE_ALPHA, positiveWeight, type RecModel } from "./model";
import { userOverlapScores } from "./user-overlap";

// One user's recommendations from the trained model and their feedback as it is now, so a like, dislike or
// hide changes the list on the very next request without a retrain.

export type UserState = {
  /** Tastebud user id (to skip the user themself in user-overlap). */
  userId: number | null;
  ratings: { item: number; rating01: number }[];
  liked: number[];
  disliked: number[];
  hidden: number[];
  /** Tracks played, with a weight that grows with the play count. */
  played?: { item: number; weight: number }[];
};

export type Weights = Record<SourceName, number>;

// Tuned on MovieTweetings with bench/recs-quality.ts (temporal split): user overlap is the strongest single source there.
export const DEFAULT_WEIGHTS: Weights = { als: 0.5, item_knn: 0.8, user_overlap: 1.2, content: 0.1, popularity: 0.05, llm: 0.8 };
export const RECOMMENDERS = ["popularity", "item_knn", "user_overlap", "als", "content"] as const;

export type Recommendation = Blended & { genre: string | null };

export function positivesOf(state: UserState): { item: number; weight: number }[] {
  const mean = state.ratings.length ? state.ratings.reduce((s, r) => s + r.rating01, 0) / state.ratings.length : 0.6;
  const liked = new Set(state.liked);
  const disliked = new Set(state.disliked);
  const out = new Map<number, number>();
  for (const r of state.ratings) {
    const w = positiveWeight(r.rating01, mean, liked.has(r.item), disliked.has(r.item));
    if (w > 0) out.set(r.item, w);
  }
  for (const item of state.liked) if (!out.has(item) && !disliked.has(item)) out.set(item, positiveWeight(null, mean, true, false));
  for (const p of state.played ?? []) if (!disliked.has(p.item)) out.set(p.item, Math.max(out.get(p.item) ?? 0, p.weight));
  return [...out.entries()].map(([item, weight]) => ({ item, weight }));
}

/** Each named recommender's scores for the user; with `candidates`, the dense ones score only those items. */
export function sourceScores(model: RecModel, state: UserState, names: readonly SourceName[], candidates?: ArrayLike<number>): SourceScores[] {
  const nItems = model.itemIds.length;
  void nItems;
  const positives = positivesOf(state);
  const out: SourceScores[] = [];
  for (const name of names) {
    if (name === "popularity") out.push({ name, weight: 0, scores: model.popularity.scores });
    else if (positives.length === 0) continue;
    else if (name === "als") {
      const vector = foldInUser(model.als, positives.map((p) => ({ item: p.item, confidence: 1 + CONFIDENCE_ALPHA * p.weight })), { gramian: model.alsGramian });
      out.push({ name, weight: 0, scores: alsScores(model.als, vector, candidates) });
    } else if (name === "item_knn") {
      const strongest = [...positives].sort((a, b) => b.weight - a.weight).slice(0, 100);
      const { scores, because } = itemKnnScores(model.knn, strongest, nItems);
      out.push({ name, weight: 0, scores, because });
    } else if (name === "user_overlap") {
      const self = state.userId === null ? undefined : model.userIndex.get(state.userId);
      out.push({ name, weight: 0, scores: userOverlapScores(model.implicit, model.itemUsers, positives.map((p) => p.item), { self }).scores });
    } else if (name === "content") {
      const signals = [...positives, ...state.disliked.map((item) => ({ item, weight: -1 }))];
      out.push({ name, weight: 0, scores: contentScores(model.genres, genreProfile(model.genres, signals), candidates) });
    }
  }
  return out;
}

/** For ALS, the reason is the liked item nearest to the recommended one in the factor space. */
function nearestLiked(model: RecModel, positives: { item: number; weight: number }[], item: number): number {
  const f = model.als.factors;
  const Y = model.als.itemFactors;
  let best = -Infinity;
  let because = -1;
  for (const { item: s } of positives) {
    let dot = 0;
    for (let a = 0; a < f; a++) dot += Y[item * f + a] * Y[s * f + a];
    if (dot > best) {
      best = dot;
      because = s;
    }
  }
  return because;
}

export function recommendFor(
  model: RecModel,
  state: UserState,
  opts: {
    limit: number;
    genre?: string;
    kind?: "movie" | "track";
    weights?: Partial<Weights>;
    extra?: SourceScores[];
    perSeries?: number;
    allow?: (item: number) => boolean;
    /** Ascending item indexes the list may come from (the grader's items): only these are ranked. */
    candidates?: ArrayLike<number>;
  },
): { items: Recommendation[]; coldStart: boolean; topGenres: string[] } {
  const weights = { ...DEFAULT_WEIGHTS, ...opts.weights };
  const seen = new Set<number>([...state.ratings.map((r) => r.item), ...state.liked, ...state.disliked, ...state.hidden, ...(state.played ?? []).map((p) => p.item)]);
  const positives = positivesOf(state);
  const coldStart = positives.length === 0;
  const sources = sourceScores(model, state, RECOMMENDERS, opts.candidates).map((s) => ({ ...s, weight: coldStart && s.name === "popularity" ? 1 : weights[s.name] }));
  for (const extra of opts.extra ?? []) sources.push({ ...extra, weight: weights[extra.name] });
  const genreId = opts.genre ? model.genres.genres.indexOf(opts.genre) : -1;
  const inGenre = opts.genre ? (i: number) => genreId >= 0 && model.genres.itemGenres[i].includes(genreId) : undefined;
  const kindCode = opts.kind === "track" ? 1 : 0;
  const ofKind = opts.kind && model.itemKinds ? (i: number) => (model.itemKinds as Uint8Array)[i] === kindCode : undefined;
  const filters = [inGenre, opts.allow, ofKind].filter((f): f is (i: number) => boolean => f !== undefined);
  const allow = filters.length ? (i: number) => filters.every((f) => f(i)) : undefined;
  const items = blend({
    sources,
    exclude: (i) => seen.has(i),
    allow,
    series: (i) => model.itemSeries[i],
    limit: opts.limit,
    perSeries: opts.perSeries,
    candidates: opts.candidates,
    nearestLiked: (item) => nearestLiked(model, positives, item),
  });
  const profile = genreProfile(model.genres, positives);
  return {
    coldStart,
    topGenres: topGenres(profile, model.genres, 3),
    items: items.map((r) => ({
      ...r,
      genre: model.genres.itemGenres[r.item][0] !== undefined ? model.genres.genres[model.genres.itemGenres[r.item][0]] : null,
    })),
  };
}

/** Scores from one recommender alone (for evaluation and "popular in" rows). */
export function recommendWith(model: RecModel, state: UserState, name: SourceName | "blend", limit: number, weights?: Partial<Weights>): number[] {
  if (name === "blend") return recommendFor(model, state, { limit, weights }).items.map((r) => r.item);
  const seen = new Set<number>([...state.ratings.map((r) => r.item), ...state.liked, ...state.disliked, ...state.hidden]);
  const [src] = sourceScores(model, state, [name]);
  if (!src) return [];
  return blend({ sources: [{ ...src, weight: 1 }], exclude: (i) => seen.has(i), limit, perSeries: 1000 }).map((r) => r.item);
}
