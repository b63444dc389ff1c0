import Link from "next/link";

/** What a page that does not exist says, inside the site's frame. */
export function NotFoundMessage() {
  return (
    <div className="mx-auto max-w-xl space-y-4 py-12 text-center">
      <p className="text-sm font-medium text-brand-700">404</p>
      <h1 className="text-2xl font-semibold">This page does not exist</h1>
      <p className="text-stone-600">The address may be mistyped, or the movie or page may have been removed.</p>
      <div className="flex justify-center gap-4 text-sm">
        <Link href="/" className="font-medium text-brand-700 hover:underline">
          Home
        </Link>
        <Link href="/movies" className="font-medium text-brand-700 hover:underline">
          Browse movies
        </Link>
      </div>
    </div>
  );
}
