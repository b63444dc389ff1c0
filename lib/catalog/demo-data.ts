import { GENRES } from "./genres";
import { seededRandom } from "../random";

// Synthetic users whose ratings come from a latent-taste model: every film has a position in a taste space built
// from its genres plus hidden factors, every user has preferences in the same space, and a user rates what they
// are drawn to, higher the closer it sits to their taste. Collaborative filtering can recover that structure.

export type DemoFilm = { genres: readonly string[]; series?: string | null };
export type DemoRating = { user: number; film: number; rating: number; ratedAt: Date };

const HIDDEN_FACTORS = 4;
const START = Date.UTC(2019, 0, 1);
const END = Date.UTC(2026, 9, 1);

export function generateDemoRatings(films: readonly DemoFilm[], opts: { users: number; seed: number }): DemoRating[] {
  const rnd = seededRandom(opts.seed);
  const dims = GENRES.length + HIDDEN_FACTORS;
  const genreIndex = new Map<string, number>(GENRES.map((g, i) => [g, i]));

  const filmVec = new Float64Array(films.length * dims);
  const quality = new Float64Array(films.length);
  const logPopularity = new Float64Array(films.length);
  films.forEach((film, f) => {
    const known = film.genres.map((g) => genreIndex.get(g)).filter((g): g is number => g !== undefined);
    for (const g of known) filmVec[f * dims + g] = 1 / Math.sqrt(known.length);
    for (let h = 0; h < HIDDEN_FACTORS; h++) filmVec[f * dims + GENRES.length + h] = rnd.normal() * 0.5;
    quality[f] = rnd.normal() * 0.45;
    // Franchise entries draw bigger audiences.
    logPopularity[f] = rnd.normal() * 1.1 + quality[f] + (film.series ? 0.7 : 0);
  });

  const ratings: DemoRating[] = [];
  const taste = new Float64Array(dims);
  const keys = new Float64Array(films.length);
  const order = new Int32Array(films.length);
  for (let u = 0; u < opts.users; u++) {
    taste.fill(0);
    const loved = 1 + rnd.int(3);
    for (let k = 0; k < loved; k++) taste[rnd.int(GENRES.length)] += 1 + rnd.next();
    const disliked = rnd.int(3);
    for (let k = 0; k < disliked; k++) taste[rnd.int(GENRES.length)] -= 1 + rnd.next();
    for (let h = 0; h < HIDDEN_FACTORS; h++) taste[GENRES.length + h] = rnd.normal();
    const bias = rnd.normal() * 0.35;
    const count = Math.min(films.length, Math.max(15, Math.round(Math.exp(3.8 + rnd.normal() * 0.6))));

    const affinity = (f: number) => {
      let s = 0;
      for (let d = 0; d < dims; d++) s += taste[d] * filmVec[f * dims + d];
      return s;
    };
    // Gumbel top-k: sample `count` films without replacement, weighted by popularity and taste.
    for (let f = 0; f < films.length; f++) {
      keys[f] = logPopularity[f] + 1.2 * affinity(f) - Math.log(-Math.log(1 - rnd.next() * 0.999999));
      order[f] = f;
    }
    const picked = Array.from(order).sort((a, b) => keys[b] - keys[a]).slice(0, count);

    const first = START + rnd.next() * (END - START) * 0.8;
    const span = rnd.next() * (END - first);
    for (const f of picked) {
      const raw = 2.3 + bias + quality[f] + 0.75 * affinity(f) + rnd.normal() * 0.6;
      const rating = Math.min(5, Math.max(0.5, Math.round(raw * 2) / 2));
      ratings.push({ user: u, film: f, rating, ratedAt: new Date(Math.round(first + rnd.next() * span)) });
    }
  }
  return ratings;
}
