// SQL for loaders that write many ratings at once (imports, the demo seed). Ratings written one at a time keep their
// user's list by a trigger (prisma/migrations/*_rating_lists); a loader turns that off for its transaction with
// BULK_RATINGS and writes the lists itself: COPY for users it created (copyRatingListsBinary), MERGE_INTO_LISTS for
// the rest.

export const BULK_RATINGS = "SET LOCAL tastebud.bulk_ratings = 'on'";

/**
 * An INSERT merging the ratings in `source` (user_id, item_id, rating, rated_at) into their users' lists: each
 * replaces the user's entry for its item, or is added. The list row's lock orders it with concurrent writers.
 */
export const MERGE_INTO_LISTS = (source: string) => `
  INSERT INTO rating_lists AS l (user_id, item_ids, ratings, rated_at_ms)
  SELECT user_id, array_agg(item_id), array_agg(rating), array_agg(rating_ms(rated_at)) FROM ${source} GROUP BY user_id
  ON CONFLICT (user_id) DO UPDATE SET (item_ids, ratings, rated_at_ms) =
    (SELECT * FROM rating_list_apply(l.item_ids, l.ratings, l.rated_at_ms, EXCLUDED.item_ids, EXCLUDED.item_ids, EXCLUDED.ratings, EXCLUDED.rated_at_ms))`;
