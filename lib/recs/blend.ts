import { topK } from "./matrix";

// Blending: each recommender ranks its candidates; ranks are fused (weighted reciprocal-rank fusion, robust to
// the recommenders' different score scales); every item keeps the source that contributed most as its reason,
// unless a source that can name a film the user liked (item-kNN, ALS) contributed at least SPECIFIC_SHARE of that:
// "Because you liked Heat" says more than "People with your taste liked it" (but one film names at most a few items'
// reasons this way). A series may take at most `perSeries` places so one franchise does not fill the page.

export type SourceName = "als" | "item_knn" | "user_overlap" | "content" | "popularity" | "llm";

export type SourceScores = { name: SourceName; weight: number; scores: Float32Array; because?: Int32Array };

export type Blended = { item: number; score: number; source: SourceName; because: number };

export const RRF_K = 20;

/** Sources whose reason names a liked film, and how close to the strongest contribution they must come to give it. */
const SPECIFIC: ReadonlySet<SourceName> = new Set(["item_knn", "als"]);
export const SPECIFIC_SHARE = 0.6;
const SAME_FILM_REASONS = 3;

export function blend(input: {
  sources: SourceScores[];
  exclude: (item: number) => boolean;
  allow?: (item: number) => boolean;
  series?: (item: number) => string | null;
  limit: number;
  perSeries?: number;
  pool?: number;
  /** Ascending item indexes to rank among (instead of the whole catalog); `allow` still applies to them. */
  candidates?: ArrayLike<number>;
  /** The liked film nearest to an item, for a specific source that does not say which film (ALS). */
  nearestLiked?: (item: number) => number;
}): Blended[] {
  const pool = input.pool ?? Math.max(200, input.limit * 3);
  type Entry = { score: number; best: number; source: SourceName; because: number; specific: number; specificSource: SourceName | null; specificBecause: number };
  const total = new Map<number, Entry>();
  const skip = (i: number) => input.exclude(i) || (input.allow ? !input.allow(i) : false);
  for (const src of input.sources) {
    if (src.weight <= 0) continue;
    const ranked = topK(src.scores, pool, (i) => skip(i) || src.scores[i] <= 0, input.candidates);
    ranked.forEach((item, rank) => {
      const contribution = src.weight / (RRF_K + rank + 1);
      const entry = total.get(item) ?? { score: 0, best: 0, source: src.name, because: -1, specific: 0, specificSource: null, specificBecause: -1 };
      entry.score += contribution;
      if (contribution > entry.best) {
        entry.best = contribution;
        entry.source = src.name;
        entry.because = src.because?.[item] ?? -1;
      }
      if (SPECIFIC.has(src.name) && contribution > entry.specific) {
        entry.specific = contribution;
        entry.specificSource = src.name;
        entry.specificBecause = src.because?.[item] ?? -1;
      }
      total.set(item, entry);
    });
  }
  const ranked = [...total.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]);
  const perSeries = input.perSeries ?? 2;
  const seriesCount = new Map<string, number>();
  const out: Blended[] = [];
  const overflow: Blended[] = [];
  // A liked film takes over another source's reason only while fewer than SAME_FILM_REASONS items above name it
  // (whichever source named it), so takeovers do not make a page's reasons all name one film; an item that item-kNN
  // or ALS ranks best keeps the film they name, however often. An AI pick keeps its own reason.
  const namedFilms = new Map<number, number>();
  const filmOf = (source: SourceName, because: number, item: number) =>
    because < 0 && source === "als" && input.nearestLiked ? input.nearestLiked(item) : because;
  for (const [item, e] of ranked) {
    let source = e.source;
    let because = SPECIFIC.has(e.source) ? filmOf(e.source, e.because, item) : e.because;
    if (e.specificSource !== null && !SPECIFIC.has(e.source) && e.source !== "llm" && e.specific >= SPECIFIC_SHARE * e.best) {
      const film = filmOf(e.specificSource, e.specificBecause, item);
      if (film >= 0 && (namedFilms.get(film) ?? 0) < SAME_FILM_REASONS) {
        source = e.specificSource;
        because = film;
      }
    }
    if (SPECIFIC.has(source) && because >= 0) namedFilms.set(because, (namedFilms.get(because) ?? 0) + 1);
    const entry = { item, score: e.score, source, because };
    const series = input.series?.(item) ?? null;
    if (series) {
      const n = seriesCount.get(series) ?? 0;
      seriesCount.set(series, n + 1);
      if (n >= perSeries) {
        overflow.push(entry);
        continue;
      }
    }
    out.push(entry);
    if (out.length >= input.limit) return out;
  }
  return [...out, ...overflow].slice(0, input.limit);
}
