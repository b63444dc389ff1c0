// Offline quality on MovieTweetings (../shared/data/movietweetings-100k): temporal split (last 20% of each user's
// ratings held out), ratings >= 7 relevant. Prints NDCG@10 and Recall@10 per recommender and the blend's ratio
// to popularity (goal: >= 1.5).
import { readFileSync } from "node:fs";
import path from "node:path";
import { evaluateRecommenders, splitRatings, type EvalRating } from "../lib/recs/evaluate";

const dir = path.resolve(process.env.MT_DIR ?? "../shared/data/movietweetings-100k");
const items = readFileSync(path.join(dir, "movies.dat"), "utf8").trim().split("\n").map((l) => {
  const [id, , genres] = l.split("::");
  return { id: Number(id), genres: genres ? genres.split("|") : [], series: null };
});
const ratings: EvalRating[] = readFileSync(path.join(dir, "ratings.dat"), "utf8").trim().split("\n").map((l) => {
  const [u, i, r, t] = l.split("::").map(Number);
  return { user: u, item: i, rating: r, ts: t };
});
const started = performance.now();
const split = splitRatings(ratings, "temporal", { testFraction: 0.2 });
const results = await evaluateRecommenders(split, items, {
  recommenders: ["popularity", "content", "user_overlap", "item_knn", "als", "blend"],
  k: [10],
  threshold: 7,
  scale: { min: 0, max: 10 },
  weights: process.env.WEIGHTS ? JSON.parse(process.env.WEIGHTS) : undefined,
});
console.log(`MovieTweetings 100k, temporal split 80/20, relevant >= 7, ${results[0].users} test users, ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log("recommender    NDCG@10  Recall@10  P@10    MAP@10  coverage  novelty  train ms  score ms");
for (const m of results) {
  console.log(
    `${m.recommender.padEnd(14)} ${m.ndcg.toFixed(4)}   ${m.recall.toFixed(4)}     ${m.precision.toFixed(4)}  ${m.map.toFixed(4)}  ${m.coverage.toFixed(3)}     ${m.novelty.toFixed(2)}    ${String(m.train_ms).padStart(6)}  ${String(m.score_ms).padStart(7)}`,
  );
}
const pop = results.find((m) => m.recommender === "popularity");
const blend = results.find((m) => m.recommender === "blend");
if (pop && blend) console.log(`blend / popularity NDCG@10 ratio: ${(blend.ndcg / pop.ndcg).toFixed(2)} (goal >= 1.5)`);
