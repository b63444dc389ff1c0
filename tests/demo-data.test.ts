import { describe, expect, it } from "vitest";
import { FILMS } from "../prisma/seed/films";
import { generateDemoRatings } from "../lib/catalog/demo-data";
import { GENRES } from "../lib/catalog/genres";
import { splitGenres } from "../lib/catalog/genres";

const films = FILMS.map(([, , genres]) => ({ genres: splitGenres(genres) }));

describe("demo catalog", () => {
  it("holds at least 500 distinct real films with known genres", () => {
    expect(FILMS.length).toBeGreaterThanOrEqual(500);
    expect(new Set(FILMS.map(([t, y]) => `${t}|${y}`)).size).toBe(FILMS.length);
    const known = new Set<string>(GENRES);
    for (const f of films) for (const g of f.genres) expect(known.has(g)).toBe(true);
  });
});

describe("synthetic ratings", () => {
  const ratings = generateDemoRatings(films, { users: 2000, seed: 42 });

  it("gives at least 100,000 ratings from 2,000 users on the half-star scale", () => {
    expect(ratings.length).toBeGreaterThanOrEqual(100_000);
    expect(new Set(ratings.map((r) => r.user)).size).toBe(2000);
    expect(ratings.every((r) => r.rating >= 0.5 && r.rating <= 5 && Number.isInteger(r.rating * 2))).toBe(true);
    const pairs = new Set(ratings.map((r) => `${r.user}:${r.film}`));
    expect(pairs.size).toBe(ratings.length);
  });

  it("is deterministic for a seed and different for another", () => {
    const again = generateDemoRatings(films, { users: 50, seed: 7 });
    expect(generateDemoRatings(films, { users: 50, seed: 7 })).toEqual(again);
    expect(generateDemoRatings(films, { users: 50, seed: 8 })).not.toEqual(again);
  });

  it("carries taste signal: a user rates films of their favourite genre above their own average", () => {
    const byUser = new Map<number, typeof ratings>();
    for (const r of ratings) byUser.set(r.user, [...(byUser.get(r.user) ?? []), r]);
    let above = 0;
    let total = 0;
    for (const list of byUser.values()) {
      // favourite genre from the first half of a user's ratings, tested on the second half
      const half = Math.floor(list.length / 2);
      const sums = new Map<string, { s: number; n: number }>();
      for (const r of list.slice(0, half)) for (const g of films[r.film].genres) {
        const e = sums.get(g) ?? { s: 0, n: 0 };
        sums.set(g, { s: e.s + r.rating, n: e.n + 1 });
      }
      const fav = [...sums.entries()].filter(([, e]) => e.n >= 3).sort((a, b) => b[1].s / b[1].n - a[1].s / a[1].n)[0]?.[0];
      if (!fav) continue;
      const rest = list.slice(half);
      const inFav = rest.filter((r) => films[r.film].genres.includes(fav));
      if (inFav.length < 2) continue;
      const mean = (xs: typeof rest) => xs.reduce((s, r) => s + r.rating, 0) / xs.length;
      total++;
      if (mean(inFav) > mean(rest)) above++;
    }
    expect(total).toBeGreaterThan(500);
    expect(above / total).toBeGreaterThan(0.6);
  });
});
