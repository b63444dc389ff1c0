"use client";

import { useIsMutating } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import type { ItemView } from "@/lib/catalog/schemas";
import { feedbackKey } from "../feedback/use-feedback";

/**
 * A film's ratings, mean, score and likes. The server counts a person's rating or like into them as it saves it, so
 * once this page's own feedback has been saved (nothing more on its way) the page is rendered again to show them.
 */
export function FilmStats({ itemId, stats }: { itemId: number; stats: ItemView["stats"] }) {
  const router = useRouter();
  const saving = useIsMutating({ mutationKey: feedbackKey(itemId), exact: true });
  const wasSaving = useRef(false);
  useEffect(() => {
    if (wasSaving.current && saving === 0) router.refresh();
    wasSaving.current = saving > 0;
  }, [saving, router]);
  return (
    <dl className="grid max-w-xl grid-cols-2 gap-3 sm:grid-cols-4" aria-label="Film statistics">
      <Stat label="Ratings" value={stats.ratings_count.toLocaleString("en")} />
      <Stat label="Mean rating" value={stats.mean_rating?.toFixed(2) ?? "-"} />
      {/* Unrated, a film scores the catalog's mean (what it is ranked by); as its own score that would only puzzle. */}
      <Stat label="Weighted score" value={stats.ratings_count > 0 ? (stats.weighted_score?.toFixed(2) ?? "-") : "-"} />
      <Stat label="Likes" value={String(stats.likes)} />
    </dl>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-lg border border-stone-200 bg-white p-3">
      <dt className="text-xs uppercase tracking-wide text-stone-500">{label}</dt>
      <dd className="mt-1 text-lg font-semibold">{value}</dd>
    </div>
  );
}
