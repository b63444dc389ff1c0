import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { cache } from "../cache";
import { databaseUrl, prisma } from "../db/client";
import { log } from "../log";
import { buildTrainingData, DISLIKED, InteractionLog, LIKED, PLAYED, playWeight, trainModel, type RecModel, type TrainOptions } from "./model";
import { recommendFor, type Recommendation, type UserState, type Weights } from "./recommend";
import { deserializeModel, extendModel, serializeModel } from "./serialize";
import { similarItems } from "./item-knn";
import { to01 } from "../ratings/scales";
import type { SourceScores } from "./blend";

// The recommendation engine's connection to the database and the cache: loading training data, storing and
// loading models, a user's current feedback, and cached per-user lists.


// ---- training

export async function loadTrainingData(onProgress?: (message: string) => void): Promise<ReturnType<typeof buildTrainingData>> {
  const items = await prisma().item.findMany({ select: { id: true, genres: true, series: true }, orderBy: { id: "asc" } });
  const itemIndex = new Map(items.map((it, i) => [it.id, i]));
  const userIndex = new Map<number, number>();
  const userIds: number[] = [];
  const idx = (u: number) => {
    let i = userIndex.get(u);
    if (i === undefined) {
      i = userIds.length;
      userIndex.set(u, i);
      userIds.push(u);
    }
    return i;
  };
  const interactions = new InteractionLog();
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    onProgress?.("Reading likes and dislikes");
    // Likes and dislikes are few; ratings may be tens of millions, so they stream past this small map.
    const { rows } = await client.query<{ user_id: number; item_id: number; reaction: "like" | "dislike" }>(
      "SELECT user_id, item_id, reaction FROM feedback WHERE reaction IS NOT NULL",
    );
    const reactions = new Map<string, number>();
    for (const f of rows) reactions.set(`${f.user_id}:${f.item_id}`, f.reaction === "like" ? LIKED : DISLIKED);
    onProgress?.("Reading ratings");
    const stream = client.query(
      copyTo(`COPY (SELECT r.user_id, r.item_id, r.rating, (u.source = 'movietweetings')::int FROM ratings r JOIN users u ON u.id = r.user_id) TO STDOUT`),
    );
    let carry = "";
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = carry + chunk.toString("utf8");
      const lines = text.split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) {
        const [u, i, r, mt] = line.split("\t");
        const item = itemIndex.get(Number(i));
        if (item === undefined) continue;
        const key = reactions.size ? `${u}:${i}` : "";
        const flags = reactions.size ? (reactions.get(key) ?? 0) : 0;
        if (flags) reactions.delete(key);
        interactions.push(idx(Number(u)), item, to01(Number(r), mt === "1" ? "movietweetings" : null), flags);
      }
    }
    onProgress?.("Reading plays");
    const plays = await client.query<{ user_id: number; item_id: number; n: number }>("SELECT user_id, item_id, count(*)::int AS n FROM plays GROUP BY user_id, item_id");
    for (const p of plays.rows) {
      const item = itemIndex.get(p.item_id);
      if (item !== undefined) interactions.push(idx(p.user_id), item, playWeight(p.n), PLAYED);
    }
    for (const [key, flags] of reactions) {
      const [u, i] = key.split(":").map(Number);
      const item = itemIndex.get(i);
      if (item !== undefined) interactions.push(idx(u), item, NaN, flags);
    }
  } finally {
    await client.end();
  }
  return buildTrainingData({ userIds, itemIds: items.map((i) => i.id), itemGenres: items.map((i) => i.genres), itemSeries: items.map((i) => i.series), interactions });
}

export async function retrainAndStore(opts: TrainOptions & { onMessage?: (m: string) => void } = {}): Promise<{ id: number; users: number; items: number; positives: number; bytes: number }> {
  const data = await loadTrainingData(opts.onMessage);
  const model = trainModel(data, opts);
  const blob = serializeModel(model);
  const row = await prisma().recModelBlob.create({
    data: { users: data.userIds.length, items: data.itemIds.length, positives: data.implicit.colIdx.length, data: new Uint8Array(blob) },
    select: { id: true },
  });
  await prisma().recModelBlob.deleteMany({ where: { id: { lt: row.id - 1 } } });
  return { id: row.id, users: data.userIds.length, items: data.itemIds.length, positives: data.implicit.colIdx.length, bytes: blob.length };
}

// ---- serving

type Loaded = { id: number; model: RecModel; catalogCount: number; checkedAt: number };
const globalForModel = globalThis as unknown as { tastebudModel?: Loaded | null; tastebudModelLoading?: Promise<Loaded | null> };
const CHECK_EVERY_MS = 5_000;

async function catalogSnapshot() {
  return prisma().item.findMany({ select: { id: true, genres: true, series: true, kind: true }, orderBy: { id: "asc" } });
}

/** The newest trained model, extended to items added since. */
export async function currentModel(): Promise<{ id: number; model: RecModel } | null> {
  const loaded = globalForModel.tastebudModel;
  if (loaded && Date.now() - loaded.checkedAt < CHECK_EVERY_MS) return loaded;
  globalForModel.tastebudModelLoading ??= (async () => {
    try {
      // Before the first training there is an empty model: content and popularity still work from the catalog.
      const latest = (await prisma().recModelBlob.findFirst({ orderBy: { id: "desc" }, select: { id: true } })) ?? { id: 0 };
      const [{ n }] = await prisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM items`;
      if (loaded && loaded.id === latest.id && loaded.catalogCount === n) return { ...loaded, checkedAt: Date.now() };
      let model = loaded && loaded.id === latest.id ? loaded.model : null;
      if (!model && latest.id === 0) model = emptyModel();
      if (!model) {
        const row = await prisma().recModelBlob.findUniqueOrThrow({ where: { id: latest.id } });
        model = deserializeModel(Buffer.from(row.data));
      }
      const catalog = await catalogSnapshot();
      model = extendModel(model, catalog);
      const tracks = new Set(catalog.filter((c) => c.kind === "track").map((c) => c.id));
      model.itemKinds = Uint8Array.from(model.itemIds, (id) => (tracks.has(id) ? 1 : 0));
      return { id: latest.id, model, catalogCount: n, checkedAt: Date.now() };
    } catch (err) {
      log.error({ err: (err as Error).message }, "could not load the recommendation model");
      return loaded ?? null;
    }
  })().finally(() => {
    globalForModel.tastebudModelLoading = undefined;
  });
  const next = await globalForModel.tastebudModelLoading;
  globalForModel.tastebudModel = next;
  return next;
}

function emptyModel(): RecModel {
  const data = buildTrainingData({ userIds: [], itemIds: [], itemGenres: [], itemSeries: [], interactions: [] });
  return trainModel(data, { iterations: 0 });
}

/** Items were added or changed: extend the loaded model on the next request instead of in a few seconds. */
export function markCatalogChanged(): void {
  if (globalForModel.tastebudModel) globalForModel.tastebudModel = { ...globalForModel.tastebudModel, checkedAt: 0 };
}

export function forgetModel(): void {
  globalForModel.tastebudModel = undefined;
}

/**
 * What the model needs to know of a user. `graderItems`: whether the legacy grader's items (lib/recs/legacy.ts) may be
 * recommended, as they are to its own /recs, which ranks only them; a person's recommendations leave them out.
 */
export async function userState(model: RecModel, userId: number, opts: { graderItems: boolean }): Promise<UserState> {
  const [user, ratings, feedback, plays, graderItems] = await Promise.all([
    prisma().user.findUnique({ where: { id: userId }, select: { source: true } }),
    prisma().rating.findMany({ where: { userId }, select: { itemId: true, rating: true } }),
    prisma().feedback.findMany({ where: { userId }, select: { itemId: true, reaction: true, hidden: true } }),
    prisma().$queryRaw<{ item_id: number; n: number }[]>`SELECT item_id, count(*)::int AS n FROM plays WHERE user_id = ${userId} GROUP BY item_id`,
    opts.graderItems ? [] : prisma().externalId.findMany({ where: { source: "legacy" }, select: { itemId: true } }),
  ]);
  const at = (id: number) => model.itemIndex.get(id);
  const state: UserState = { userId, ratings: [], liked: [], disliked: [], hidden: [], played: [] };
  for (const p of plays) {
    const i = at(p.item_id);
    if (i !== undefined) state.played?.push({ item: i, weight: playWeight(p.n) });
  }
  for (const r of ratings) {
    const i = at(r.itemId);
    if (i !== undefined) state.ratings.push({ item: i, rating01: to01(r.rating, user?.source ?? null) });
  }
  for (const f of feedback) {
    const i = at(f.itemId);
    if (i === undefined) continue;
    if (f.reaction === "like") state.liked.push(i);
    if (f.reaction === "dislike") state.disliked.push(i);
    if (f.hidden) state.hidden.push(i);
  }
  for (const g of graderItems) {
    const i = at(g.itemId);
    if (i !== undefined) state.hidden.push(i);
  }
  return state;
}

// ---- cached lists

export const recsVersionKey = (userId: number) => `recs:ver:${userId}`;
export const RECS_EPOCH_KEY = "recs:epoch";

export async function invalidateUserRecs(userId: number): Promise<void> {
  await cache().set(recsVersionKey(userId), Date.now() * 1000 + Math.floor(Math.random() * 1000), 30 * 24 * 3600);
}

/** Every cached list and page is stale from now on (the model stays loaded). */
export async function bumpRecsEpoch(): Promise<void> {
  await cache().set(RECS_EPOCH_KEY, Date.now() * 1000 + Math.floor(Math.random() * 1000), 30 * 24 * 3600);
}

export async function invalidateAllRecs(): Promise<void> {
  await bumpRecsEpoch();
  forgetModel();
}

export type StoredRec = { id: number; score: number; source: Recommendation["source"]; because: number | null; genre: string | null };
export type RecList = { items: StoredRec[]; coldStart: boolean; topGenres: string[]; modelId: number | null };

export const TOP_N = 100;

/** A user's top-100 (optionally within a genre), from the cache when nothing changed since it was computed. */
/** The cache key of a user's list: it changes with the model, the catalog, a cleanup and the user's own feedback. */
export async function recsCacheKey(userId: number, opts: { genre?: string; kind?: string; cacheTag?: string }) {
  const loaded = await currentModel();
  const [epoch, ver] = await cache().mget<number>(RECS_EPOCH_KEY, recsVersionKey(userId));
  const key = `recs:v1:${userId}:${loaded?.id ?? 0}:${loaded?.model.itemIds.length ?? 0}:${epoch ?? 0}:${ver ?? 0}:${opts.kind ?? "movie"}:${opts.genre ?? ""}:${opts.cacheTag ?? ""}`;
  return { key, loaded };
}

export async function topForUser(
  userId: number,
  opts: { genre?: string; kind?: "movie" | "track"; extra?: SourceScores[]; allowIds?: Set<number>; cacheTag?: string; weights?: Partial<Weights> } = {},
): Promise<{ list: RecList; hit: boolean }> {
  const { key, loaded } = await recsCacheKey(userId, opts);
  const hit = await cache().get<RecList>(key);
  if (hit) return { list: hit, hit: true };
  if (!loaded) throw new Error("The recommendation model could not be loaded");
  const list = await computeList(loaded, userId, opts);
  await cache().set(key, list, 24 * 3600);
  return { list, hit: false };
}

async function computeList(
  loaded: { id: number; model: RecModel },
  userId: number,
  opts: { genre?: string; kind?: "movie" | "track"; extra?: SourceScores[]; allowIds?: Set<number>; weights?: Partial<Weights> },
): Promise<RecList> {
  const { model } = loaded;
  // A list ranked among given items (the grader's /recs) may hold the grader's items; any other leaves them out.
  const state = await userState(model, userId, { graderItems: opts.allowIds !== undefined });
  // The language model's picks take part in the blend as one more source.
  const picks = await prisma().llmPick.findMany({ where: { userId }, select: { itemId: true, rank: true } });
  if (picks.length) {
    const scores = new Float32Array(model.itemIds.length);
    for (const p of picks) {
      const i = model.itemIndex.get(p.itemId);
      if (i !== undefined) scores[i] = 1 / (1 + p.rank);
    }
    opts = { ...opts, extra: [...(opts.extra ?? []), { name: "llm", weight: 0, scores }] };
  }
  // Only the allowed items are ranked (the grader's catalog inside a model of every film).
  const candidates = opts.allowIds
    ? Int32Array.from([...opts.allowIds].map((id) => model.itemIndex.get(id)).filter((i): i is number => i !== undefined)).sort()
    : undefined;
  const result = recommendFor(model, state, { limit: TOP_N, genre: opts.genre, kind: opts.kind ?? "movie", extra: opts.extra, weights: opts.weights, candidates });
  return {
    modelId: loaded.id,
    coldStart: result.coldStart,
    topGenres: result.topGenres,
    items: result.items.map((r) => ({
      id: model.itemIds[r.item],
      score: Math.round(r.score * 1e6) / 1e6,
      source: r.source,
      because: r.because >= 0 ? model.itemIds[r.because] : null,
      genre: r.genre,
    })),
  };
}

export async function similarToItem(itemId: number, limit: number): Promise<{ id: number; score: number }[]> {
  const loaded = await currentModel();
  const idx = loaded?.model.itemIndex.get(itemId);
  if (!loaded || idx === undefined) return [];
  const fromKnn = similarItems(loaded.model.knn, idx, limit).map((s) => ({ id: loaded.model.itemIds[s.item], score: Math.round(s.score * 1e4) / 1e4 }));
  if (fromKnn.length >= limit) return fromKnn;
  // Items without co-occurrence data fall back to genre similarity.
  const m = loaded.model;
  const mine = new Set(m.genres.itemGenres[idx]);
  const seen = new Set([itemId, ...fromKnn.map((s) => s.id)]);
  const byGenre: { id: number; score: number }[] = [];
  for (let i = 0; i < m.itemIds.length && mine.size > 0; i++) {
    if (seen.has(m.itemIds[i])) continue;
    const gs = m.genres.itemGenres[i];
    let shared = 0;
    for (const g of gs) if (mine.has(g)) shared++;
    if (shared === 0) continue;
    byGenre.push({ id: m.itemIds[i], score: (shared / Math.sqrt(mine.size * gs.length)) * 0.1 + m.popularity.scores[i] * 1e-3 });
  }
  byGenre.sort((a, b) => b.score - a.score || a.id - b.id);
  return [...fromKnn, ...byGenre.slice(0, limit - fromKnn.length).map((s) => ({ id: s.id, score: Math.round(s.score * 1e4) / 1e4 }))];
}
