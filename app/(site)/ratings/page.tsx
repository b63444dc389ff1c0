import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { requireUser } from "@/lib/auth/session";
import { ApiError } from "@/lib/api/errors";
import { historyPosition, ratingHistory, userProfile } from "@/lib/ratings/history";
import { RatingHistoryQuerySchema } from "@/lib/ratings/schemas";

export const metadata: Metadata = { title: "My ratings" };

const PER_PAGE = 25;

const SORTS = [
  ["newest", "Newest"],
  ["oldest", "Oldest"],
  ["highest", "Highest"],
  ["lowest", "Lowest"],
] as const;

/** The page's position, or null for a cursor that does not decode. */
function validHistoryPosition(cursor: string | undefined, limit: number): ReturnType<typeof historyPosition> | null {
  try {
    return historyPosition(cursor, limit);
  } catch (err) {
    if (err instanceof ApiError) return null;
    throw err;
  }
}

export default async function MyRatingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser("/ratings");
  const raw = await searchParams;
  // An unknown order falls back to newest first; a cursor that is not one of ours (edited, or from an old link) is a
  // page that does not exist.
  const sort = SORTS.find(([value]) => value === raw.sort)?.[0] ?? "newest";
  const cursor = typeof raw.cursor === "string" ? raw.cursor : undefined;
  const parsed = RatingHistoryQuerySchema.safeParse({ sort, cursor, limit: PER_PAGE });
  const position = parsed.success ? validHistoryPosition(parsed.data.cursor, parsed.data.limit) : null;
  if (!parsed.success || !position) return <Alert>That page of ratings does not exist. <Link href="/ratings">Start again</Link>.</Alert>;
  const [history, profile] = await Promise.all([
    ratingHistory(user.id, parsed.data),
    // An account's row: people who sign in are not from an imported file, so they have no source or file id.
    userProfile({ id: user.id, source: null, externalId: null, email: user.email }),
  ]);
  const page = history.value();
  const { ratings_count: total, mean_rating: mean } = profile.value();
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  return (
    <div className="max-w-3xl space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">My ratings</h1>
          {total > 0 ? (
            <p className="mt-1 text-sm text-stone-500" data-testid="ratings-summary">
              {total.toLocaleString("en")} {total === 1 ? "film" : "films"} rated{mean !== null ? ` · average ★ ${mean.toLocaleString("en", { maximumFractionDigits: 2 })}` : ""}
            </p>
          ) : null}
        </div>
        <nav aria-label="Sort" className="flex gap-1 text-sm">
          {SORTS.map(([value, label]) => (
            <Link
              key={value}
              href={`/ratings?sort=${value}`}
              aria-current={parsed.data.sort === value ? "page" : undefined}
              className={`rounded-md px-2.5 py-1 ${parsed.data.sort === value ? "bg-stone-900 text-white" : "text-stone-600 hover:bg-stone-100"}`}
            >
              {label}
            </Link>
          ))}
        </nav>
      </div>
      {page.items.length === 0 && position.previous !== null ? (
        <div className="rounded-lg border border-dashed border-stone-300 p-8 text-center text-stone-600">
          This page is past the end of your ratings.{" "}
          <Link href={`/ratings?sort=${parsed.data.sort}`} className="font-medium text-brand-700 hover:underline">
            Back to the first page
          </Link>
        </div>
      ) : page.items.length === 0 ? (
        <div className="rounded-lg border border-dashed border-stone-300 p-8 text-center text-stone-600">
          You have not rated anything yet.{" "}
          <Link href="/movies" className="font-medium text-brand-700 hover:underline">
            Browse movies
          </Link>{" "}
          and rate a few to get recommendations.
        </div>
      ) : (
        <ul className="divide-y divide-stone-200 rounded-lg border border-stone-200 bg-white">
          {page.items.map((r) => (
            <li key={r.item_id} className="flex items-center gap-3 px-3 py-2.5" data-testid="rating-row">
              {/* On a phone the date goes under the title, which keeps the row's width for the title. */}
              <div className="min-w-0 flex-1 sm:flex sm:items-center sm:gap-3">
                <Link href={`/movies/${r.item_id}`} className="line-clamp-2 min-w-0 font-medium hover:underline sm:line-clamp-1 sm:flex-1">
                  {r.title} {r.year ? <span className="font-normal text-stone-500">({r.year})</span> : null}
                </Link>
                <time className="block text-xs text-stone-500 sm:w-24 sm:text-right sm:text-sm" dateTime={r.rated_at}>
                  {new Date(r.rated_at).toLocaleDateString("en-GB", { dateStyle: "medium" })}
                </time>
              </div>
              <span className="tabular-nums text-amber-700" aria-label={`Rated ${r.rating}`}>
                ★ {r.rating}
              </span>
            </li>
          ))}
        </ul>
      )}
      {page.items.length > 0 && (position.previous !== null || page.next_cursor) ? (
        <nav aria-label="Pages" className="flex items-center justify-between gap-3">
          {position.previous !== null ? (
            <Link href={`/ratings?sort=${parsed.data.sort}${position.previous ? `&cursor=${position.previous}` : ""}`} className={buttonClass("secondary")} rel="prev">
              Previous page
            </Link>
          ) : (
            <span />
          )}
          <span className="text-sm text-stone-500">
            Page {position.page} of {Math.max(pages, position.page)}
          </span>
          {page.next_cursor ? (
            <Link href={`/ratings?sort=${parsed.data.sort}&cursor=${page.next_cursor}`} className={buttonClass("secondary")} rel="next">
              Next page
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </div>
  );
}
