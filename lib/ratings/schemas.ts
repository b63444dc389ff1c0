import { z } from "zod";
import { PageQuerySchema } from "../api/pagination";
import { DateParamSchema, DateUpperBoundSchema } from "../api/dates";

export const RatingHistoryQuerySchema = PageQuerySchema.extend({
  from: DateParamSchema.optional(),
  /** The first instant past the range: `to=2024-01-31` takes in all of that day. */
  to: DateUpperBoundSchema.optional(),
  sort: z.enum(["newest", "oldest", "highest", "lowest"]).default("newest"),
}).refine((v) => !v.from || !v.to || v.from < v.to, { message: "from must not be after to", path: ["from"] });
export type RatingHistoryQuery = z.infer<typeof RatingHistoryQuerySchema>;

const INT4_MAX = 2_147_483_647;

/** A user as the API names one: Tastebud's numeric id, or `<source>:<id>` (and `me` where `allowMe`). */
export function userRefSchema(opts: { allowMe?: boolean } = {}) {
  return z
    .string()
    .trim()
    .min(1)
    .max(120)
    .refine(
      (v) => (opts.allowMe && v === "me") || (/^\d{1,10}$/.test(v) ? Number(v) >= 1 && Number(v) <= INT4_MAX : /^[a-z][a-z0-9_-]{0,30}:[^\s:]{1,80}$/.test(v)),
      { message: `must be ${opts.allowMe ? "me, " : ""}a numeric user id or <source>:<id>, such as movielens:42` },
    );
}

/** `/users/{id}/...`: the caller may name themselves `me`. */
export const UserRefParamSchema = z.object({ id: userRefSchema({ allowMe: true }) });

export const LegacyUidParamSchema = z.object({ uid: z.string().trim().min(1).max(80).regex(/^[^\s/]+$/, { message: "must be a user id" }) });

export type RatingView = { item_id: number; title: string; year: number | null; rating: number; rated_at: string };
export type LegacyRate = { movie_id: number | string; rating: number; timestamp: string };

export type Profile = {
  user_id: number;
  source: string | null;
  external_id: string | null;
  ratings_count: number;
  mean_rating: number | null;
  top_genres: { genre: string; count: number; mean_rating: number }[];
  first_rating_at: string | null;
  last_rating_at: string | null;
};
