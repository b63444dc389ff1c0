import type { Csr } from "./matrix";

// Popularity with an IMDb-style weighted mean: WR = v/(v+m)·R + m/(v+m)·C. Scores every item from explicit
// ratings normalised to 0..1 per rating scale, so a handful of perfect scores does not beat hundreds of good ones.
export type PopularityModel = { scores: Float32Array; counts: Int32Array };

export function trainPopularity(ratings: Csr, opts: { minVotesQuantile?: number } = {}): PopularityModel {
  const byItem = new Float64Array(ratings.cols);
  const counts = new Int32Array(ratings.cols);
  let total = 0;
  for (let k = 0; k < ratings.colIdx.length; k++) {
    byItem[ratings.colIdx[k]] += ratings.values[k];
    counts[ratings.colIdx[k]]++;
    total += ratings.values[k];
  }
  const n = ratings.colIdx.length;
  const globalMean = n ? total / n : 0;
  const rated = Array.from(counts).filter((c) => c > 0).sort((a, b) => a - b);
  const m = Math.max(1, rated.length ? rated[Math.floor((rated.length - 1) * (opts.minVotesQuantile ?? 0.6))] : 1);
  const scores = new Float32Array(ratings.cols);
  for (let i = 0; i < ratings.cols; i++) {
    const v = counts[i];
    const mean = v ? byItem[i] / v : globalMean;
    // A slight preference for items more people saw breaks ties in the weighted mean.
    scores[i] = (v / (v + m)) * mean + (m / (v + m)) * globalMean + 1e-6 * Math.log1p(v);
  }
  return { scores, counts };
}
