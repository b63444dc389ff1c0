import { z } from "zod";
import { PageQuerySchema } from "../api/pagination";

export const RecsQuerySchema = PageQuerySchema.extend({
  genre: z.string().trim().min(1).max(40).optional(),
  kind: z.enum(["movie", "track"]).default("movie"),
});
/** A page of "more like this": the list is the model's nearest neighbours, the same until the next training. */
export const SimilarQuerySchema = PageQuerySchema;
export const PopularQuerySchema = PageQuerySchema.extend({ genre: z.string().trim().min(1).max(40).optional() });

export const ItemUpsertSchema = z.object({
  source: z.string().trim().regex(/^[a-z][a-z0-9_-]{0,30}$/).default("api"),
  external_id: z.string().trim().min(1).max(120),
  title: z.string().trim().min(1).max(300),
  year: z.number().int().min(1870).max(2100).nullable().optional(),
  genres: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  kind: z.enum(["movie", "track"]).default("movie"),
  artist: z.string().trim().max(200).nullable().optional(),
  series: z.string().trim().max(200).nullable().optional(),
});
export const ItemsBatchSchema = z.union([z.array(ItemUpsertSchema).min(1).max(1000), z.object({ items: z.array(ItemUpsertSchema).min(1).max(1000) }).transform((v) => v.items)]);
