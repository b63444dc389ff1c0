import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FilmStats } from "@/components/catalog/film-stats";
import { MovieGrid } from "@/components/catalog/movie-card";
import { FeedbackButtons } from "@/components/feedback/feedback-buttons";
import { ApiError } from "@/lib/api/errors";
import { currentUser } from "@/lib/auth/session";
import { getItem } from "@/lib/catalog/items";
import type { ItemView } from "@/lib/catalog/schemas";
import { feedbackStates } from "@/lib/feedback/service";
import { presentRecs } from "@/lib/recs/present";
import { similarToItem } from "@/lib/recs/service";

const MORE_LIKE_THIS = 8;

type Params = Promise<{ id: string }>;

async function load(id: string): Promise<ItemView> {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0 || n > 2_147_483_647) notFound();
  try {
    return await getItem(n);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const item = await load((await params).id);
  return { title: `${item.title}${item.year ? ` (${item.year})` : ""}` };
}

export default async function MoviePage({ params }: { params: Params }) {
  const item = await load((await params).id);
  // Twice as many as shown, so that films the viewer hid (which never come back, as Settings > Hidden promises) leave
  // no gaps.
  const [user, similar] = await Promise.all([currentUser(), similarToItem(item.id, MORE_LIKE_THIS * 2)]);
  const candidates = await presentRecs(similar.map((s) => ({ id: s.id, score: s.score, source: "item_knn", because: item.id, genre: null })), []);
  const states = user ? await feedbackStates(user.id, [item.id, ...candidates.map((r) => r.item.id)]) : undefined;
  const hidden = new Set(states?.filter((s) => s.hidden && s.item_id !== item.id).map((s) => s.item_id));
  const more = candidates.filter((r) => !hidden.has(r.item.id)).slice(0, MORE_LIKE_THIS);
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
        {item.series ? <p className="text-sm text-stone-600">Part of {/^the\s/i.test(item.series) ? "" : "the "}{item.series} series</p> : null}
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
        <MovieGrid items={more.map((r) => r.item)} feedback={states} empty="No similar movies yet." />
      </section>
    </article>
  );
}
