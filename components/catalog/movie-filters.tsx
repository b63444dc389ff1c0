import { CATALOG_SORTS } from "@/lib/catalog/schemas";
import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";

const SORT_LABELS: Record<(typeof CATALOG_SORTS)[number], string> = {
  relevance: "Best match",
  popular: "Most rated",
  rating: "Top rated",
  newest: "Newest",
  oldest: "Oldest",
  title: "Title A-Z",
};

// A plain GET form: filters live in the URL, so results can be shared and work without JavaScript.
export function MovieFilters({ genres, values }: { genres: string[]; values: Record<string, string | undefined> }) {
  return (
    <form method="get" action="/movies" role="search" className="grid grid-cols-2 gap-2 sm:grid-cols-6">
      <input
        type="search"
        name="q"
        defaultValue={values.q}
        placeholder="Search titles, e.g. godfather"
        aria-label="Search movies"
        className={`${inputClass} col-span-2 sm:col-span-2`}
      />
      <select name="genre" defaultValue={values.genre ?? ""} aria-label="Genre" className={inputClass}>
        <option value="">All genres</option>
        {genres.map((g) => (
          <option key={g} value={g}>
            {g}
          </option>
        ))}
      </select>
      <input type="number" name="year_from" defaultValue={values.year_from} placeholder="From year" aria-label="From year" min={1870} max={2100} className={inputClass} />
      <input type="number" name="year_to" defaultValue={values.year_to} placeholder="To year" aria-label="To year" min={1870} max={2100} className={inputClass} />
      <div className="flex gap-2">
        <select name="sort" defaultValue={values.sort ?? ""} aria-label="Sort" className={inputClass}>
          <option value="">Sort: auto</option>
          {CATALOG_SORTS.map((s) => (
            <option key={s} value={s}>
              {SORT_LABELS[s]}
            </option>
          ))}
        </select>
        <button type="submit" className={buttonClass("primary")}>
          Go
        </button>
      </div>
    </form>
  );
}
