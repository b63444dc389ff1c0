"use client";

import type { ItemView } from "@/lib/catalog/schemas";
import type { FeedbackState } from "@/lib/feedback/schemas";
import { useFeedbackState } from "../feedback/use-feedback";

/** A film's average on its card, " · ★ 3.9 avg (120)"; nothing for a film nobody has rated. */
export function CardAverage({ count, mean }: { count: number; mean: number | null }) {
  if (count <= 0 || mean === null) return null;
  return (
    <>
      {" · "}
      {/* Labelled "avg", so it is not read as the viewer's own rating, which the stars below the title show. */}
      <span title={`Average ${mean.toFixed(2)} from ${count} ratings`} data-testid="card-average">
        ★ {mean.toFixed(1)} avg <span className="text-stone-500">({count})</span>
      </span>
    </>
  );
}

/**
 * The same for a signed-in person, who may rate the film on this very page: the figures the page was made with count
 * their rating as it was then (`initial`), so their rating since is put in its place, as the server has counted it.
 */
export function LiveCardAverage({ itemId, stats, initial }: { itemId: number; stats: ItemView["stats"]; initial?: FeedbackState }) {
  const now = useFeedbackState(itemId, initial);
  const was = initial?.rating ?? null;
  const is = now.rating;
  const count = stats.ratings_count - (was === null ? 0 : 1) + (is === null ? 0 : 1);
  const sum = (stats.mean_rating ?? 0) * stats.ratings_count - (was ?? 0) + (is ?? 0);
  return <CardAverage count={count} mean={count > 0 ? sum / count : null} />;
}
