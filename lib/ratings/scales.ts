import { Prisma } from "../db/client";
import { MOVIETWEETINGS_RATINGS } from "./formats";

// Ratings are stored as the files gave them (the old /rates answers must echo them), so a MovieTweetings user's 8 is
// an 8 out of 10 and a MovieLens user's 4 is 4 stars. Everything that compares ratings across people puts them on
// one scale first: the models on 0..1, the catalog's means on five stars.

/** The scale a user's ratings are on, by where the user came from: MovieTweetings files rate 0-10, the rest 0.5-5. */
export const scaleOf = (source: string | null) =>
  source === MOVIETWEETINGS_RATINGS.userSource ? { min: MOVIETWEETINGS_RATINGS.min, max: MOVIETWEETINGS_RATINGS.max } : { min: 0.5, max: 5 };

/** The user sources whose ratings are not on the five-star scale. */
export const OTHER_SCALES = [MOVIETWEETINGS_RATINGS.userSource];

/** A rating on 0..1 of its own scale. */
export const to01 = (rating: number, source: string | null) => {
  const s = scaleOf(source);
  return Math.min(1, Math.max(0, (rating - s.min) / (s.max - s.min)));
};

/** A rating on the five-star scale (0.5-5), as fiveStarSql reckons it. */
export const toFiveStars = (rating: number, source: string | null) => {
  const s = scaleOf(source);
  return 0.5 + ((rating - s.min) * 4.5) / (s.max - s.min);
};

/** SQL for rating `r.rating` of user `u` on the five-star scale (0.5-5), for queries that join ratings r to users u. */
export function fiveStarSql(): Prisma.Sql {
  const mt = scaleOf(MOVIETWEETINGS_RATINGS.userSource);
  return Prisma.sql`CASE WHEN u.source = ${MOVIETWEETINGS_RATINGS.userSource} THEN 0.5 + (r.rating - ${mt.min}::float8) * ${4.5 / (mt.max - mt.min)}::float8 ELSE r.rating::float8 END`;
}
