import type { ReactNode } from "react";
import { CardAverage, LiveCardAverage } from "@/components/catalog/card-average";
import { CardLink } from "@/components/catalog/card-link";
import { FeedbackButtons } from "@/components/feedback/feedback-buttons";
import { HideableCard } from "@/components/feedback/hideable-card";
import type { ItemView } from "@/lib/catalog/schemas";
import type { FeedbackState } from "@/lib/feedback/schemas";

/** What a card needs: recommendations carry no statistics, catalog items do. */
export type CardItem = Pick<ItemView, "id" | "title" | "year" | "genres"> & { stats?: ItemView["stats"] };

/** Signed-in people get feedback controls on every card; `initial` is their saved state, loaded with the page. */
export type CardFeedback = { initial?: FeedbackState; variant?: "compact" | "rating" };

// A poster-less card: a tinted tile derived from the title keeps the grid lively without images.
function tint(title: string): string {
  let h = 0;
  for (const c of title) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h} 55% 88%)`;
}

export function MovieCard({ item, reason, feedback, children }: { item: CardItem; reason?: string; feedback?: CardFeedback; children?: ReactNode }) {
  const card = (
    <article className="flex flex-col overflow-hidden rounded-lg border border-stone-200 bg-white shadow-sm" data-testid="movie-card">
      <CardLink itemId={item.id} track={feedback !== undefined} className="block p-3 hover:bg-stone-50" style={{ borderTop: `6px solid ${tint(item.title)}` }}>
        <h3 className="line-clamp-2 font-medium leading-snug text-stone-900">{item.title}</h3>
        <p className="mt-0.5 text-sm text-stone-500">
          {item.year ?? "year unknown"}
          {item.stats ? (
            feedback ? (
              <LiveCardAverage itemId={item.id} stats={item.stats} initial={feedback.initial} />
            ) : (
              <CardAverage count={item.stats.ratings_count} mean={item.stats.mean_rating} />
            )
          ) : null}
        </p>
        <p className="mt-1.5 flex flex-wrap gap-1">
          {item.genres.map((g) => (
            <span key={g} className="rounded-full bg-stone-100 px-2 py-0.5 text-xs text-stone-600">
              {g}
            </span>
          ))}
        </p>
        {reason ? (
          <p className="mt-2 text-xs font-medium text-brand-700" data-testid="rec-reason">
            {reason}
          </p>
        ) : null}
      </CardLink>
      {children || feedback ? (
        <div className="mt-auto space-y-2 border-t border-stone-100 px-3 py-2">
          {feedback ? <FeedbackButtons itemId={item.id} initial={feedback.initial} variant={feedback.variant ?? "compact"} /> : null}
          {children}
        </div>
      ) : null}
    </article>
  );
  if (!feedback) return card;
  return (
    <HideableCard itemId={item.id} title={item.title} initial={feedback.initial}>
      {card}
    </HideableCard>
  );
}

/**
 * `feedback` (signed in only) holds the person's states for these items, fetched in one call by the page, so the
 * buttons show them from the first paint; `reasons` labels recommendation cards with why they are there.
 */
export function MovieGrid({
  items,
  empty,
  feedback,
  reasons,
  variant,
}: {
  items: CardItem[];
  empty?: ReactNode;
  feedback?: FeedbackState[];
  reasons?: Record<number, string>;
  variant?: CardFeedback["variant"];
}) {
  const states = new Map(feedback?.map((s) => [s.item_id, s]));
  if (items.length === 0) return <div className="rounded-lg border border-dashed border-stone-300 p-8 text-center text-stone-500">{empty ?? "Nothing here yet."}</div>;
  return (
    <div className="grid grid-cols-1 gap-3 min-[420px]:grid-cols-2 md:grid-cols-3 lg:grid-cols-4">
      {items.map((item) => (
        <MovieCard key={item.id} item={item} reason={reasons?.[item.id]} feedback={feedback ? { initial: states.get(item.id), variant } : undefined} />
      ))}
    </div>
  );
}
