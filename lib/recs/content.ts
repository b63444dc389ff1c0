// Genre/content similarity: a user's taste as a weighted genre profile, items scored by cosine with it.
// Works for items nobody has rated yet, which collaborative models cannot place.

export type GenreIndex = { genres: string[]; itemGenres: Int32Array[] };

export function buildGenreIndex(itemGenres: string[][]): GenreIndex {
  const vocab = new Map<string, number>();
  const encoded = itemGenres.map((gs) => Int32Array.from(gs.map((g) => vocab.get(g) ?? (vocab.set(g, vocab.size), vocab.size - 1))));
  return { genres: [...vocab.keys()], itemGenres: encoded };
}

export function genreProfile(index: GenreIndex, signals: { item: number; weight: number }[]): Float64Array {
  const profile = new Float64Array(index.genres.length);
  for (const { item, weight } of signals) {
    const gs = index.itemGenres[item];
    if (!gs || gs.length === 0) continue;
    const w = weight / Math.sqrt(gs.length);
    for (const g of gs) profile[g] += w;
  }
  return profile;
}

/** Every item's genre match with a profile; with `candidates`, only theirs (the rest stay 0). */
export function contentScores(index: GenreIndex, profile: Float64Array, candidates?: ArrayLike<number>): Float32Array {
  let norm = 0;
  for (const v of profile) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  const out = new Float32Array(index.itemGenres.length);
  const m = candidates ? candidates.length : index.itemGenres.length;
  for (let c = 0; c < m; c++) {
    const i = candidates ? candidates[c] : c;
    const gs = index.itemGenres[i];
    if (gs.length === 0) continue;
    let s = 0;
    for (const g of gs) s += profile[g];
    out[i] = s / (norm * Math.sqrt(gs.length));
  }
  return out;
}

export function topGenres(profile: Float64Array, index: GenreIndex, n: number): string[] {
  return Array.from(profile, (v, g) => [v, g] as const)
    .filter(([v]) => v > 0)
    .sort((a, b) => b[0] - a[0])
    .slice(0, n)
    .map(([, g]) => index.genres[g]);
}
