import type { Metadata } from "next";
import Link from "next/link";
import { MovieFilters } from "@/components/catalog/movie-filters";
import { MovieGrid } from "@/components/catalog/movie-card";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { ApiError } from "@/lib/api/errors";
import { currentUser } from "@/lib/auth/session";
import { listGenres, previousCatalogCursor, searchItems } from "@/lib/catalog/items";
import { CATALOG_SORTS, ItemSearchSchema } from "@/lib/catalog/schemas";
import { feedbackStates } from "@/lib/feedback/service";

export const metadata: Metadata = { title: "Movies" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

// The filter form's names for the query's fields, for messages a person reads.
const FIELD_LABELS: Record<string, string> = { q: "The search", genre: "The genre", year_from: '"From year"', year_to: '"To year"', sort: "The sort order", cursor: "The page link", limit: "The page size" };

export default async function MoviesPage({ searchParams }: { searchParams: SearchParams }) {
  const raw = await searchParams;
  const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined]));
  // An order this page does not offer (an old or edited link) is the default order, as on My ratings.
  if (!(CATALOG_SORTS as readonly (string | undefined)[]).includes(values.sort)) delete values.sort;
  const genres = (await listGenres()).map((g) => g.genre);
  const parsed = ItemSearchSchema.safeParse({ ...values, limit: 24 });
  let error: string | null = parsed.success ? null : parsed.error.issues.map((i) => `${FIELD_LABELS[String(i.path[0])] ?? i.path.join(".")} ${i.message.replace("year_to", FIELD_LABELS.year_to)}.`).join(" ");
  let page = null;
  if (parsed.success) {
    try {
      page = await searchItems(parsed.data);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // A cursor this site did not make (an edited or very old link): say so in words, not the API's.
      error = err.code === "invalid_cursor" ? "That page of the list does not exist. Start again from the first page." : err.message;
    }
  }
  const user = await currentUser();
  const states = user && page ? await feedbackStates(user.id, page.items.map((i) => i.id)) : undefined;
  const at = (cursor: string | undefined) => `/movies?${new URLSearchParams(stripEmpty({ ...values, cursor }))}`;
  const next = page?.next_cursor ? at(page.next_cursor) : null;
  const previous = page && parsed.success ? previousCatalogCursor(parsed.data.cursor, parsed.data.limit) : null;
  return (
    <div className="space-y-5">
      <div className="flex items-baseline justify-between gap-4">
        <h1 className="text-2xl font-semibold">Movies</h1>
      </div>
      <MovieFilters genres={genres} values={values} />
      {error ? <Alert>{error}</Alert> : null}
      {page ? (
        <MovieGrid
          items={page.items}
          feedback={states}
          empty={previous !== null ? "This page is past the end of the list." : values.q ? `No movies match "${values.q}".` : values.genre || values.year_from || values.year_to ? "No movies match these filters." : "No movies yet."}
        />
      ) : null}
      <div className="flex justify-between">
        {previous !== null ? (
          <span className="flex flex-wrap items-center gap-3">
            <Link href={at(previous || undefined)} className={buttonClass("secondary")} rel="prev">
              Previous page
            </Link>
            {previous ? (
              <Link href={at(undefined)} className="text-sm text-brand-700 hover:underline">
                First page
              </Link>
            ) : null}
          </span>
        ) : values.cursor ? (
          <Link href={at(undefined)} className={buttonClass("secondary")}>
            Back to first page
          </Link>
        ) : <span />}
        {next ? (
          <Link href={next} className={buttonClass("secondary")} rel="next">
            Next page
          </Link>
        ) : null}
      </div>
    </div>
  );
}

function stripEmpty(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => Boolean(e[1])));
}
