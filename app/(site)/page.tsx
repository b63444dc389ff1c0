import Link from "next/link";
import { MovieGrid } from "@/components/catalog/movie-card";
import { buttonClass } from "@/components/ui/button";
import { currentUser } from "@/lib/auth/session";
import { searchItems } from "@/lib/catalog/items";

export default async function HomePage() {
  const user = await currentUser();
  const [topRated, popular] = await Promise.all([
    searchItems({ sort: "rating", limit: 8 }),
    searchItems({ sort: "popular", limit: 8 }),
  ]);
  return (
    <div className="space-y-10">
      <section className="rounded-2xl bg-gradient-to-br from-brand-50 to-white p-6 ring-1 ring-brand-100 sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">
          {user ? `Welcome back${user.name ? `, ${user.name}` : ""}.` : "Find your next favourite film."}
        </h1>
        <p className="mt-2 max-w-2xl text-stone-600">
          Tastebud learns from what you rate, like and hide, and every recommendation says why it is there.
        </p>
        <div className="mt-4 flex flex-wrap gap-2">
          <Link href="/movies" className={buttonClass("primary")}>
            Browse movies
          </Link>
          {user ? null : (
            <Link href="/signup" className={buttonClass("secondary")}>
              Create an account
            </Link>
          )}
        </div>
      </section>
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Top rated</h2>
        <p className="-mt-2 text-sm text-stone-500">Ranked by an IMDb-style weighted mean, so a handful of perfect scores does not beat hundreds of good ones.</p>
        <MovieGrid items={topRated.items} empty="No ratings yet: import some or run the statistics job." />
      </section>
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Most rated</h2>
        <MovieGrid items={popular.items} />
      </section>
    </div>
  );
}
