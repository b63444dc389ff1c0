import type { Metadata } from "next";
import { HiddenMovies } from "@/components/feedback/hidden-list";
import { HIDDEN_PAGE } from "@/lib/feedback/schemas";
import { requireUser } from "@/lib/auth/session";
import { hiddenItems } from "@/lib/feedback/service";

export const metadata: Metadata = { title: "Hidden movies" };

export default async function HiddenMoviesPage() {
  const user = await requireUser("/settings/hidden");
  const first = await hiddenItems(user.id, { limit: HIDDEN_PAGE });
  return (
    <div className="max-w-3xl space-y-5">
      <div>
        <h1 className="text-2xl font-semibold">Hidden movies</h1>
        <p className="mt-1 text-sm text-stone-600">Movies you hid never appear in your recommendations. Unhide one to let it back in.</p>
      </div>
      <HiddenMovies initial={first} />
    </div>
  );
}
