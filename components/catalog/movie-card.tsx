import Link from "next/link";
import type { ItemView } from "@/lib/catalog/schemas";

// A poster-less card: a tinted tile derived from the title keeps the grid lively without images.
function tint(title: string): string {
  let h = 0;
  for (const c of title) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h} 55% 88%)`;
}

export function MovieCard({ item, children }: { item: ItemView; children?: React.ReactNode }) {
  return (
    <article className="flex flex-col overflow-hidden rounded-lg border border-stone-200 bg-white shadow-sm" data-testid="movie-card">
      <Link href={`/movies/${item.id}`} className="block p-3 hover:bg-stone-50" style={{ borderTop: `6px solid ${tint(item.title)}` }}>
        <h3 className="line-clamp-2 font-medium leading-snug text-stone-900">{item.title}</h3>
        <p className="mt-0.5 text-sm text-stone-500">
          {item.year ?? "year unknown"}
          {item.stats.ratings_count > 0 ? (
            <>
              {" · "}
              <span title={`Mean ${item.stats.mean_rating} from ${item.stats.ratings_count} ratings`}>
                ★ {item.stats.mean_rating?.toFixed(1)} <span className="text-stone-400">({item.stats.ratings_count})</span>
              </span>
            </>
          ) : null}
        </p>
        <p className="mt-1.5 flex flex-wrap gap-1">
          {item.genres.map((g) => (
            <span key={g} className="rounded-full bg-stone-100 px-2 py-0.5 text-xs text-stone-600">
              {g}
            </span>
          ))}
        </p>
      </Link>
      {children ? <div className="mt-auto border-t border-stone-100 px-3 py-2">{children}</div> : null}
    </article>
  );
}

export function MovieGrid({ items, empty }: { items: ItemView[]; empty?: React.ReactNode }) {
  if (items.length === 0) return <div className="rounded-lg border border-dashed border-stone-300 p-8 text-center text-stone-500">{empty ?? "Nothing here yet."}</div>;
  return (
    <div className="grid grid-cols-1 gap-3 min-[420px]:grid-cols-2 md:grid-cols-3 lg:grid-cols-4">
      {items.map((item) => (
        <MovieCard key={item.id} item={item} />
      ))}
    </div>
  );
}
