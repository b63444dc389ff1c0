import type { Metadata } from "next";
import { MovieGrid } from "@/components/catalog/movie-card";
import { OnboardingProgress } from "@/components/feedback/onboarding-progress";
import { requireUser } from "@/lib/auth/session";
import { searchItems } from "@/lib/catalog/items";
import { prisma } from "@/lib/db/client";
import { feedbackStates } from "@/lib/feedback/service";

export const metadata: Metadata = { title: "Rate a dozen movies" };

const GOAL = 12;

export default async function OnboardingPage() {
  const user = await requireUser("/onboarding");
  const { items } = await searchItems({ sort: "popular", limit: 30 });
  const ids = items.map((i) => i.id);
  const [states, ratedElsewhere] = await Promise.all([
    feedbackStates(user.id, ids),
    // Films rated from other pages count towards the dozen too.
    prisma().rating.count({ where: { userId: user.id, itemId: { notIn: ids } } }),
  ]);
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold">Rate a dozen movies</h1>
        <p className="mt-1 max-w-2xl text-sm text-stone-600">
          These are the films most people here have seen. Rate the ones you know, half stars welcome, and skip the rest. Every rating counts at once.
        </p>
      </div>
      <OnboardingProgress states={states} ratedElsewhere={ratedElsewhere} goal={GOAL} />
      <MovieGrid items={items} feedback={states} variant="rating" empty="The catalog is empty: import some movies first." />
    </div>
  );
}
