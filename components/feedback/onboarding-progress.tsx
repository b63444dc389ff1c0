"use client";

import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { useRatedCount, type FeedbackState } from "./use-feedback";

/** "N of 12 rated" (past the goal, "N rated"): the films on the page counted live from the same cached states the star controls write, plus those rated elsewhere. */
export function OnboardingProgress({ states, ratedElsewhere = 0, goal }: { states: FeedbackState[]; ratedElsewhere?: number; goal: number }) {
  const rated = ratedElsewhere + useRatedCount(states);
  const done = rated >= goal;
  return (
    <div className="sticky top-14 z-10 -mx-4 border-b border-stone-200 bg-stone-50/95 px-4 py-3 backdrop-blur sm:mx-0 sm:rounded-lg sm:border sm:bg-white/95">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <div className="min-w-40 flex-1 space-y-1.5">
          <p className="text-sm font-medium" aria-live="polite" data-testid="rated-count">
            {rated > goal ? `${rated} rated` : `${rated} of ${goal} rated`}
            {done ? <span className="ml-1.5 font-normal text-emerald-700">Nice: that is enough to go on.</span> : null}
          </p>
          <div
            role="progressbar"
            aria-label="Movies rated"
            aria-valuemin={0}
            aria-valuemax={goal}
            aria-valuenow={Math.min(rated, goal)}
            className="h-2 w-full overflow-hidden rounded-full bg-stone-200"
          >
            <div className={`h-full rounded-full transition-[width] duration-300 ${done ? "bg-emerald-500" : "bg-brand-500"}`} style={{ width: `${(Math.min(rated, goal) / goal) * 100}%` }} />
          </div>
        </div>
        <Link href="/" className={buttonClass(done ? "primary" : "secondary")}>
          See my recommendations
        </Link>
      </div>
      {done ? null : <p className="mt-1.5 text-xs text-stone-500">You can look now, but {goal} ratings give much better picks than a few.</p>}
    </div>
  );
}
