import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alsScores, foldInUser, trainAls } from "../lib/recs/als";
import { blend } from "../lib/recs/blend";
import { buildGenreIndex, contentScores, genreProfile } from "../lib/recs/content";
import { evaluateRecommenders, rankingMetrics, splitRatings, trainMsOf, type EvalRating } from "../lib/recs/evaluate";
import { itemKnnScores, similarItems, trainItemKnn } from "../lib/recs/item-knn";
import { csrFromTriplets, topK, transpose } from "../lib/recs/matrix";
import { buildTrainingData, trainModel } from "../lib/recs/model";
import { trainPopularity } from "../lib/recs/popularity";
import { recommendFor } from "../lib/recs/recommend";
import { deserializeModel, extendModel, serializeModel } from "../lib/recs/serialize";
import { userOverlapScores } from "../lib/recs/user-overlap";

const csr = (rows: number, cols: number, cells: [number, number, number][]) =>
  csrFromTriplets(rows, cols, Int32Array.from(cells.map((c) => c[0])), Int32Array.from(cells.map((c) => c[1])), Float32Array.from(cells.map((c) => c[2])));

// Two taste groups: users 0-3 like items 0-2, users 4-7 like items 3-5.
const groups: [number, number, number][] = [];
for (let u = 0; u < 8; u++) for (let i = 0; i < 3; i++) groups.push([u, u < 4 ? i : i + 3, 5]);

describe("matrix helpers", () => {
  it("builds sorted CSR rows, keeps the last duplicate, and transposes", () => {
    const m = csr(2, 3, [[1, 2, 1], [0, 1, 2], [1, 0, 3], [1, 2, 4]]);
    expect(Array.from(m.rowPtr)).toEqual([0, 1, 3]);
    expect(Array.from(m.colIdx)).toEqual([1, 0, 2]);
    expect(Array.from(m.values)).toEqual([2, 3, 4]);
    const t = transpose(m);
    expect(Array.from(t.rowPtr)).toEqual([0, 1, 2, 3]);
    expect(Array.from(t.colIdx)).toEqual([1, 0, 1]);
  });

  it("topK returns the best indexes in order and honours exclusions", () => {
    expect(topK(Float32Array.from([0.1, 0.9, 0.5, 0.7]), 2)).toEqual([1, 3]);
    expect(topK(Float32Array.from([0.1, 0.9, 0.5, 0.7]), 2, (i) => i === 1)).toEqual([3, 2]);
    expect(topK(Float32Array.from([0.1, 0.9, 0.5, 0.7]), 2, undefined, [0, 2])).toEqual([2, 0]);
    expect(topK(Float32Array.from([0.1, 0.9, 0.5, 0.7]), 2.5)).toEqual([1, 3]);
    expect(topK(Float32Array.from([NaN, Infinity, -Infinity, 1]), 5)).toEqual([3]);
    expect(topK(Float32Array.from([1, 2]), 0)).toEqual([]);
  });

  it("topK keeps the k best scores of the eligible items, best first, whatever the ties (property)", () => {
    const arb = fc.record({
      values: fc.array(fc.integer({ min: -3, max: 6 }), { minLength: 0, maxLength: 80 }),
      k: fc.integer({ min: 0, max: 12 }),
      excluded: fc.array(fc.nat(79), { maxLength: 20 }),
      candidates: fc.array(fc.nat(79), { maxLength: 60 }),
    });
    fc.assert(
      fc.property(arb, ({ values, k, excluded, candidates }) => {
        // Few distinct values, so ties at the cut are common.
        const scores = Float32Array.from(values, (v) => (v === 6 ? Number.NaN : v / 2));
        const out = new Set(excluded);
        const exclude = (i: number) => out.has(i);
        const got = topK(scores, k, exclude);
        const eligible = [...scores.keys()].filter((i) => Number.isFinite(scores[i]) && !out.has(i));
        const best = eligible.map((i) => scores[i]).sort((a, b) => b - a).slice(0, k);
        expect(got.map((i) => scores[i])).toEqual(best);
        expect(new Set(got).size).toBe(got.length);
        for (let j = 1; j < got.length; j++) expect(scores[got[j - 1]] > scores[got[j]] || (scores[got[j - 1]] === scores[got[j]] && got[j - 1] < got[j])).toBe(true);
        // Ranking among candidates is ranking everything with the rest excluded.
        const cands = [...new Set(candidates)].filter((i) => i < scores.length).sort((a, b) => a - b);
        const inCands = new Set(cands);
        expect(topK(scores, k, exclude, cands)).toEqual(topK(scores, k, (i) => exclude(i) || !inCands.has(i)));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("popularity", () => {
  it("ranks many good ratings above a single perfect one (weighted mean)", () => {
    const cells: [number, number, number][] = [[0, 0, 1]];
    for (let u = 0; u < 20; u++) cells.push([u, 1, 0.8]);
    for (let u = 0; u < 20; u++) cells.push([u, 2, 0.3]);
    const pop = trainPopularity(csr(20, 3, cells));
    expect(topK(pop.scores, 3)).toEqual([1, 0, 2]);
  });
});

describe("item-to-item similarity", () => {
  it("finds items liked by the same people, and explains with the liked item", () => {
    const knn = trainItemKnn(csr(8, 6, groups), { k: 5, shrink: 0 });
    expect(similarItems(knn, 0, 2).map((s) => s.item).sort()).toEqual([1, 2]);
    const { scores, because } = itemKnnScores(knn, [{ item: 3, weight: 1 }], 6);
    expect(topK(scores, 2, (i) => i === 3).sort()).toEqual([4, 5]);
    expect(because[4]).toBe(3);
    expect(scores[0]).toBe(0);
  });
});

describe("user overlap (legacy music algorithm)", () => {
  it("recommends what the users sharing most items with you liked", () => {
    const m = csr(3, 4, [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1], [1, 2, 1], [2, 3, 1]]);
    const { scores, neighbors } = userOverlapScores(m, transpose(m), [0, 1], { self: 0 });
    expect(neighbors).toBe(1);
    expect(scores[2]).toBe(2);
    expect(scores[3]).toBe(0);
  });
});

describe("implicit ALS", () => {
  it("learns the two taste groups and places a new user by fold-in", () => {
    const model = trainAls(csr(8, 6, groups.map(([u, i]) => [u, i, 10])), { factors: 4, iterations: 15, regularization: 0.05 });
    const s = alsScores(model, model.userFactors.subarray(0, 4));
    expect(Math.min(s[0], s[1], s[2])).toBeGreaterThan(Math.max(s[3], s[4], s[5]));
    const newcomer = foldInUser(model, [{ item: 4, confidence: 10 }]);
    const ns = alsScores(model, newcomer);
    expect(Math.min(ns[3], ns[5])).toBeGreaterThan(Math.max(ns[0], ns[1], ns[2]));
  });
});

describe("content", () => {
  it("scores items by the genres a user likes and penalises disliked ones", () => {
    const idx = buildGenreIndex([["Comedy"], ["Comedy", "Romance"], ["Horror"], ["Horror", "Thriller"]]);
    const profile = genreProfile(idx, [{ item: 0, weight: 1 }, { item: 2, weight: -1 }]);
    const s = contentScores(idx, profile);
    expect(s[1]).toBeGreaterThan(0);
    expect(s[3]).toBeLessThan(0);
  });
});

describe("blend", () => {
  it("never returns excluded items, keeps the strongest source as the reason, and caps a series", () => {
    const a = Float32Array.from([5, 4, 3, 2, 1, 0.5]);
    const b = Float32Array.from([0, 0, 0, 0, 0, 9]);
    const series = ["S", "S", "S", null, null, null];
    const out = blend({
      sources: [{ name: "item_knn", weight: 1, scores: a }, { name: "content", weight: 2, scores: b }],
      exclude: (i) => i === 1,
      series: (i) => series[i],
      limit: 5,
      perSeries: 1,
    });
    expect(out.map((r) => r.item)).not.toContain(1);
    expect(out[0]).toMatchObject({ item: 5, source: "content" });
    const seriesItems = out.slice(0, 3).filter((r) => series[r.item] === "S");
    expect(seriesItems).toHaveLength(1);
  });

  it("names a liked film as the reason when that source comes close to the strongest one", () => {
    // User overlap ranks items 0, 1, 2, 3; item-kNN (reason: liked film 9) ranks 0 and 2, and 3 far down.
    const overlap = Float32Array.from([4, 3, 2, 1, 0]);
    const knn = Float32Array.from([5, 0, 1, 0, 0]);
    const because = Int32Array.from([9, -1, 9, -1, -1]);
    const filler = Float32Array.from([0, 0, 0, 0, 0]);
    const out = blend({
      sources: [
        { name: "user_overlap", weight: 1.2, scores: overlap },
        { name: "item_knn", weight: 0.8, scores: knn, because },
        { name: "popularity", weight: 0.05, scores: filler },
      ],
      exclude: () => false,
      limit: 4,
    });
    const byItem = new Map(out.map((r) => [r.item, r]));
    // Item 0: 0.8/21 is 67% of 1.2/21 and item 2: 0.8/22 is 70% of 1.2/23, so the liked film explains both.
    expect(byItem.get(0)).toMatchObject({ source: "item_knn", because: 9 });
    expect(byItem.get(2)).toMatchObject({ source: "item_knn", because: 9 });
    // Items 1 and 3 only user overlap found.
    expect(byItem.get(1)).toMatchObject({ source: "user_overlap", because: -1 });
    expect(byItem.get(3)).toMatchObject({ source: "user_overlap", because: -1 });
    // The order is the fused score's, whatever the reason.
    expect(out.map((r) => r.item)).toEqual([0, 2, 1, 3]);
    // Below the share the strongest source keeps the reason: kNN's 10th place against overlap's 1st.
    const far = blend({
      sources: [
        { name: "user_overlap", weight: 1.2, scores: Float32Array.from([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) },
        { name: "item_knn", weight: 0.8, scores: Float32Array.from([1, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]), because: new Int32Array(11).fill(9) },
      ],
      exclude: () => false,
      limit: 11,
    });
    expect(far.find((r) => r.item === 0)).toMatchObject({ source: "user_overlap" });
    // One liked film names at most three reasons: the fourth and fifth keep user overlap's.
    const same = blend({
      sources: [
        { name: "user_overlap", weight: 1.2, scores: Float32Array.from([5, 4, 3, 2, 1]) },
        { name: "item_knn", weight: 0.8, scores: Float32Array.from([5, 4, 3, 2, 1]), because: new Int32Array(5).fill(9) },
      ],
      exclude: () => false,
      limit: 5,
    });
    expect(same.map((r) => r.source)).toEqual(["item_knn", "item_knn", "item_knn", "user_overlap", "user_overlap"]);
  });

  it("counts every reason naming a film against the cap: ALS's resolved film and items kNN explains by itself", () => {
    // kNN is strongest for items 0 and 1 (both name film 9); ALS comes close on 2, 3, 4 and names 9 through the resolver.
    const sources = [
      { name: "item_knn" as const, weight: 3, scores: Float32Array.from([9, 8, 0, 0, 0]), because: new Int32Array(5).fill(9) },
      { name: "user_overlap" as const, weight: 1.2, scores: Float32Array.from([0, 0, 5, 4, 3]) },
      { name: "als" as const, weight: 1, scores: Float32Array.from([0, 0, 5, 4, 3]) },
    ];
    const asked: number[] = [];
    const out = blend({ sources, exclude: () => false, limit: 5, nearestLiked: (item) => (asked.push(item), 9) });
    // The resolver runs only for items that reach the page, ALS's among them.
    const short: number[] = [];
    blend({ sources, exclude: () => false, limit: 3, nearestLiked: (item) => (short.push(item), 9) });
    expect(short).toEqual([2]);
    const byItem = new Map(out.map((r) => [r.item, r]));
    expect(byItem.get(0)).toMatchObject({ source: "item_knn", because: 9 });
    expect(byItem.get(1)).toMatchObject({ source: "item_knn", because: 9 });
    // Film 9 already names two reasons: ALS takes item 2 only (the third), 3 and 4 keep user overlap's.
    expect(byItem.get(2)).toMatchObject({ source: "als", because: 9 });
    expect(byItem.get(3)).toMatchObject({ source: "user_overlap", because: -1 });
    expect(byItem.get(4)).toMatchObject({ source: "user_overlap", because: -1 });
    expect(asked.sort()).toEqual([2, 3, 4]);
  });

  it("keeps an AI pick's reason even when a film-naming source comes close", () => {
    const out = blend({
      sources: [
        { name: "llm", weight: 1, scores: Float32Array.from([3, 2]) },
        { name: "item_knn", weight: 1, scores: Float32Array.from([3, 2]), because: Int32Array.from([7, 7]) },
      ],
      exclude: () => false,
      limit: 2,
    });
    expect(out.map((r) => r.source)).toEqual(["llm", "llm"]);
  });
});

describe("whole model", () => {
  const data = buildTrainingData({
    userIds: [10, 11, 12, 13, 14, 15, 16, 17],
    itemIds: [100, 101, 102, 103, 104, 105],
    itemGenres: [["Comedy"], ["Comedy"], ["Comedy"], ["Horror"], ["Horror"], ["Horror"]],
    itemSeries: [null, null, null, null, null, null],
    interactions: groups.map(([u, i]) => ({ user: u, item: i, rating01: 1, liked: false, disliked: false })),
  });
  const model = trainModel(data, { factors: 4, iterations: 10 });

  it("recommends from the user's group, never items they rated, liked, disliked or hid", () => {
    const rec = recommendFor(model, { userId: null, ratings: [{ item: 0, rating01: 1 }], liked: [1], disliked: [3], hidden: [2] }, { limit: 10 });
    const items = rec.items.map((r) => r.item);
    for (const seen of [0, 1, 2, 3]) expect(items).not.toContain(seen);
    expect(rec.coldStart).toBe(false);
  });

  it("ranks only the candidates when given them, exactly as filtering the whole catalog down to them would", () => {
    const state = { userId: null, ratings: [{ item: 0, rating01: 1 }], liked: [4], disliked: [], hidden: [] };
    for (const cands of [[1, 2, 5], [2, 3], [5], [], [0, 1, 2, 3, 4, 5]]) {
      const allowed = new Set(cands);
      const viaCandidates = recommendFor(model, state, { limit: 10, candidates: Int32Array.from(cands) });
      const viaFilter = recommendFor(model, state, { limit: 10, allow: (i) => allowed.has(i) });
      expect(viaCandidates.items).toEqual(viaFilter.items);
      for (const r of viaCandidates.items) expect(allowed.has(r.item)).toBe(true);
    }
  });

  it("gives a cold-start user popularity only", () => {
    const rec = recommendFor(model, { userId: null, ratings: [], liked: [], disliked: [], hidden: [] }, { limit: 3 });
    expect(rec.coldStart).toBe(true);
    expect(rec.items.every((r) => r.source === "popularity")).toBe(true);
  });

  it("survives serialization byte for byte and extends to new catalog items", () => {
    const copy = deserializeModel(serializeModel(model));
    expect(Array.from(copy.als.itemFactors)).toEqual(Array.from(model.als.itemFactors));
    expect(Array.from(copy.knn.neighbors)).toEqual(Array.from(model.knn.neighbors));
    const extended = extendModel(copy, [{ id: 999, genres: ["Comedy"], series: null }]);
    expect(extended.itemIndex.get(999)).toBe(6);
    const rec = recommendFor(extended, { userId: null, ratings: [], liked: [0], disliked: [], hidden: [] }, { limit: 10 });
    expect(rec.items.map((r) => r.item)).toContain(6);
  });
});

describe("offline evaluation", () => {
  it("computes ranking metrics exactly as by hand", () => {
    // recs a,b,c,d with b and d relevant among {b, d, e}
    const m = rankingMetrics([1, 2, 3, 4], new Set([2, 4, 5]), 4);
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBeCloseTo(2 / 3, 10);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(m.ndcg).toBeCloseTo(dcg / idcg, 10);
    expect(m.ndcg).toBeCloseTo(0.4982, 4);
    expect(m.ap).toBeCloseTo((1 / 2 + 2 / 4) / 3, 10);
    expect(rankingMetrics([9, 8], new Set([1]), 2)).toMatchObject({ precision: 0, recall: 0, ndcg: 0, ap: 0 });
  });

  it("splits per user by time and matches hand-computed metrics", async () => {
    const ratings: EvalRating[] = [];
    for (let u = 0; u < 8; u++) for (let i = 0; i < 3; i++) ratings.push({ user: u, item: (u < 4 ? i : i + 3) + 100, rating: 5, ts: i });
    const split = splitRatings(ratings, "leave-last-out");
    expect(split.test).toHaveLength(8);
    expect(split.test.every((r) => r.ts === 2)).toBe(true);
    const items = [100, 101, 102, 103, 104, 105].map((id) => ({ id, genres: [], series: null }));
    const [pop] = await evaluateRecommenders(split, items, { recommenders: ["popularity"], k: [1], threshold: 4, scale: { min: 0, max: 5 }, train: { factors: 2, iterations: 2 } });
    // Every user's held-out item is the one they have not rated in their group; popularity ranks by weighted
    // mean over the training data, where all items score the same except by count: items 100,101,103,104 have 4
    // ratings, 102 and 105 none. So popularity's top-1 is never the held-out item: precision 0.
    expect(pop).toMatchObject({ users: 8, k: 1, precision: 0, recall: 0, ndcg: 0 });
    const [knn] = await evaluateRecommenders(split, items, { recommenders: ["item_knn"], k: [1], threshold: 4, scale: { min: 0, max: 5 }, train: { factors: 2, iterations: 2 } });
    expect(knn.precision).toBe(0);
  });

  it("gives each recommender the training time of the parts it uses, the blend all of them", () => {
    const t = { prepare: 5, popularity: 1, item_knn: 20, als: 300 };
    expect(["popularity", "item_knn", "als", "content", "user_overlap", "blend"].map((n) => trainMsOf(n as Parameters<typeof trainMsOf>[0], t))).toEqual([6, 25, 305, 5, 5, 326]);
  });
});
