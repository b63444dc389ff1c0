import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FilmStats } from "@/components/catalog/film-stats";
import { MovieGrid } from "@/components/catalog/movie-card";
import { FeedbackButtons } from "@/components/feedback/feedback-buttons";
import { ApiError } from "@/lib/api/errors";
import { IdParamSchema } from "@/lib/api/handler";
import { currentUser } from "@/lib/auth/session";
import { getItem } from "@/lib/catalog/items";
import type { ItemView } from "@/lib/catalog/schemas";
import { feedbackStates } from "@/lib/feedback/service";
import { prisma } from "@/lib/db/client";
import { presentRecs } from "@/lib/recs/present";
import { similarToItem } from "@/lib/recs/service";

const MORE_LIKE_THIS = 8;

type Params = Promise<{ id: string }>;

/** The film the address names, or null when there is none. */
async function find(id: string): Promise<ItemView | null> {
  const parsed = IdParamSchema.shape.id.safeParse(id);
  if (!parsed.success) return null;
  try {
    return await getItem(parsed.data);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

async function load(id: string): Promise<ItemView> {
  return (await find(id)) ?? notFound();
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  // No such film: the page answers with the 404, and the tab says so too.
  const item = await find((await params).id);
  if (!item) return { title: "Not found" };
  return { title: `${item.title}${item.year ? ` (${item.year})` : ""}` };
}

export default async function MoviePage({ params }: { params: Params }) {
  const item = await load((await params).id);
  // Twice as many as shown, so that films the viewer hid (which never come back, as Settings > Hidden promises) leave
  // no gaps.
  // The other films of its series come first, in order of release; then the nearest neighbours.
  const [user, similar, series] = await Promise.all([
    currentUser(),
    similarToItem(item.id, MORE_LIKE_THIS * 2),
    item.series ? prisma().item.findMany({ where: { series: item.series, kind: "movie", id: { not: item.id } }, orderBy: [{ year: "asc" }, { id: "asc" }], select: { id: true }, take: MORE_LIKE_THIS }) : [],
  ]);
  const inSeries = new Set(series.map((s) => s.id));
  const seriesName = `${/^the\s/i.test(item.series ?? "") ? "" : "the "}${item.series} series`;
  const ranked = [...series, ...similar.filter((s) => !inSeries.has(s.id))];
  const candidates = (await presentRecs(ranked.map((s) => ({ id: s.id, score: 0, source: "item_knn", because: item.id, genre: null })), [])).map((r) => ({
    ...r,
    reason: inSeries.has(r.item.id) ? `Also in ${seriesName}` : `Similar to ${item.title}`,
  }));
  const states = user ? await feedbackStates(user.id, [item.id, ...candidates.map((r) => r.item.id)]) : undefined;
  const stateOf = new Map(states?.map((s) => [s.item_id, s]));
  // Films the viewer hid never come back (as Settings > Hidden promises); ones they rated or reacted to go after the
  // ones they have not seen, so the row shows something new first.
  const seen = (id: number) => {
    const state = stateOf.get(id);
    return state !== undefined && (state.rating !== null || state.reaction !== null);
  };
  const shown = candidates.filter((r) => !stateOf.get(r.item.id)?.hidden);
  const more = [...shown.filter((r) => !seen(r.item.id)), ...shown.filter((r) => seen(r.item.id))].slice(0, MORE_LIKE_THIS);
  const imdb = item.external_ids.imdb;
  return (
    <article className="space-y-6">
      <nav className="text-sm text-stone-500">
        <Link href="/movies" className="hover:underline">
          Movies
        </Link>{" "}
        / {item.title}
      </nav>
      <header className="space-y-2">
        <h1 className="text-3xl font-semibold tracking-tight">
          {item.title} {item.year ? <span className="font-normal text-stone-500">({item.year})</span> : null}
        </h1>
        <p className="flex flex-wrap gap-1.5">
          {item.genres.map((g) => (
            <Link key={g} href={`/movies?genre=${encodeURIComponent(g)}`} className="rounded-full bg-stone-100 px-2.5 py-0.5 text-sm text-stone-700 hover:bg-stone-200">
              {g}
            </Link>
          ))}
        </p>
        {item.series ? <p className="text-sm text-stone-600">Part of {seriesName}</p> : null}
      </header>
      {states ? (
        <section aria-label="Your feedback" className="max-w-xl rounded-lg border border-stone-200 bg-white p-4">
          <FeedbackButtons itemId={item.id} initial={states[0]} />
        </section>
      ) : (
        <p className="text-sm text-stone-600">
          <Link href={`/signin?callbackUrl=${encodeURIComponent(`/movies/${item.id}`)}`} className="font-medium text-brand-700 hover:underline">
            Sign in
          </Link>{" "}
          to rate, like or hide this movie.
        </p>
      )}
      <FilmStats itemId={item.id} stats={item.stats} />
      {imdb ? (
        <p className="text-sm">
          <a className="text-brand-700 hover:underline" href={`https://www.imdb.com/title/${imdb}/`} rel="noreferrer" target="_blank">
            IMDb page
          </a>
        </p>
      ) : null}
      <section className="space-y-3 pt-2">
        <h2 className="text-lg font-semibold">More like this</h2>
        <MovieGrid items={more.map((r) => r.item)} reasons={Object.fromEntries(more.map((r) => [r.item.id, r.reason]))} feedback={states} empty="No similar movies yet." />
      </section>
    </article>
  );
}
