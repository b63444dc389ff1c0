// MovieLens' genre vocabulary, which the demo catalog and the importers share.
export const GENRES = [
  "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
  "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
] as const;

export type Genre = (typeof GENRES)[number];

export function splitGenres(pipeSeparated: string): string[] {
  return pipeSeparated
    .split("|")
    .map((g) => g.trim())
    .filter((g) => g && g !== "(no genres listed)");
}
