import { z } from "zod";
import { PageQuerySchema } from "../api/pagination";

export const CATALOG_SORTS = ["relevance", "popular", "rating", "newest", "oldest", "title"] as const;
export type CatalogSort = (typeof CATALOG_SORTS)[number];

const year = z.coerce
  .number({ message: "must be a year, like 1994" })
  .int({ message: "must be a whole year, like 1994" })
  .min(1870, { message: "must be 1870 or later" })
  .max(2100, { message: "must be 2100 or earlier" });

export const ItemSearchSchema = PageQuerySchema.extend({
  q: z.string().trim().max(200, { message: "must be at most 200 characters" }).optional(),
  genre: z.string().trim().max(40).optional(),
  kind: z.enum(["movie", "track"]).optional(),
  year_from: year.optional(),
  year_to: year.optional(),
  sort: z.enum(CATALOG_SORTS).optional(),
}).refine((v) => v.year_from === undefined || v.year_to === undefined || v.year_from <= v.year_to, {
  message: "must not be after year_to",
  path: ["year_from"],
});
export type ItemSearch = z.infer<typeof ItemSearchSchema>;

export type ItemView = {
  id: number;
  kind: "movie" | "track";
  title: string;
  year: number | null;
  genres: string[];
  series: string | null;
  artist: string | null;
  stats: { ratings_count: number; mean_rating: number | null; weighted_score: number | null; likes: number };
  external_ids: Record<string, string>;
};
