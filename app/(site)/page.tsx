import Link from "next/link";
import type { ReactNode } from "react";
import { MovieGrid, type CardItem } from "@/components/catalog/movie-card";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { currentUser, type SessionUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { logImpressions } from "@/lib/experiments/ab";
import { searchItems } from "@/lib/catalog/items";
import { feedbackStates } from "@/lib/feedback/service";
import { log } from "@/lib/log";
import { pagedRecommendations, type RecsPage } from "@/lib/recs/api";
import { llmPicksOf } from "@/lib/llm/picks";
import { AiPicksRefresh } from "@/components/llm/ai-picks-refresh";
import type { RecItem } from "@/lib/recs/present";

const FOR_YOU = 12;
const ROW = 4;
const LIKED_ROWS = 2;

/** `catalog`: a row from the catalog rather than from the person's recommendations. */
type Row = { heading: string; items: CardItem[]; reasons?: Record<number, string>; note?: string; empty?: string; catalog?: boolean };

export default async function HomePage() {
  const user = await currentUser();
  const recs = user ? await recommendationsFor(user) : null;
  const personal = recs !== null && !recs.cold_start && recs.items.length > 0;
  const rows = personal && user ? await personalRows(recs.items, user.id) : await catalogRows();
  // The variant the recommendations were made for (none outside a running A/B test) counts the cards shown.
  if (personal && user && recs.variant) await countImpressions(recs.variant, user.id, rows);
  const aiPicks = user ? await llmPicksOf(user.id) : null;
  const shown = [...rows.flatMap((r) => r.items.map((i) => i.id)), ...(aiPicks?.items.map((p) => p.item.id) ?? [])];
  const states = user ? await feedbackStates(user.id, [...new Set(shown)]) : undefined;
  // "Welcome back" is for someone whose account is older than today's visit, not for the person who just signed up.
  const since = user ? (await prisma().user.findUnique({ where: { id: user.id }, select: { createdAt: true } }))?.createdAt : undefined;
  const returning = since !== undefined && Date.now() - since.getTime() > 12 * 3600_000;
  return (
    <div className="space-y-10">
      <section className="rounded-2xl bg-gradient-to-br from-brand-50 to-white p-6 ring-1 ring-brand-100 sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">
          {user ? `${returning ? "Welcome back" : "Welcome"}${user.name ? `, ${user.name}` : ""}.` : "Find your next favourite film."}
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
      {user && recs === null ? <Alert tone="info">Recommendations are not available right now. Here is what everyone else is watching.</Alert> : null}
      {user && recs?.cold_start ? <StartRating /> : null}
      {rows.slice(0, personal ? 1 : 0).map((row) => (
        <Section key={row.heading} heading={row.heading} note={row.note}>
          <MovieGrid items={row.items} reasons={row.reasons} feedback={states} empty={row.empty} />
        </Section>
      ))}
      {user && !recs?.cold_start ? <AiPicks picks={aiPicks} states={states} operator={user.role === "admin"} /> : null}
      {rows.slice(personal ? 1 : 0).map((row) => (
        <Section key={row.heading} heading={row.heading} note={row.note}>
          <MovieGrid items={row.items} reasons={row.reasons} feedback={states} empty={row.empty} />
        </Section>
      ))}
    </div>
  );
}

async function recommendationsFor(user: SessionUser) {
  try {
    // Impressions are counted below for the cards the page shows, not for the 100 it reads.
    return (await pagedRecommendations(user.id, { limit: 100 }, null)).body;
  } catch (err) {
    // The home page still has the catalog to show when the model is missing or broken.
    log.error({ err: (err as Error).message, userId: user.id }, "home page recommendations failed");
    return null;
  }
}

/** "For you", then rows for the titles most of the rest are "because of", then the best of their favourite genre. */
async function personalRows(recs: RecItem[], userId: number): Promise<Row[]> {
  const forYou = recs.slice(0, FOR_YOU);
  const rows: Row[] = [
    {
      heading: "For you",
      note: "Picked from what you rated and liked. Hide anything you never want to see.",
      items: forYou.map((r) => r.item),
      reasons: Object.fromEntries(forYou.map((r) => [r.item.id, r.reason])),
    },
  ];
  const byLiked = new Map<string, CardItem[]>();
  for (const r of recs.slice(FOR_YOU)) {
    if (!r.reason.startsWith("Because you liked")) continue;
    byLiked.set(r.reason, [...(byLiked.get(r.reason) ?? []), r.item]);
  }
  for (const [reason, items] of [...byLiked].filter(([, items]) => items.length >= 2).slice(0, LIKED_ROWS)) {
    rows.push({ heading: reason, items: items.slice(0, ROW) });
  }
  const genre = mostFrequent(recs.flatMap((r) => r.item.genres));
  if (genre) {
    // Like the rows above, it leaves out what the person rated or hid.
    const popular = await searchItems({ sort: "rating", genre, limit: 8 }, { unseenBy: userId });
    rows.push({ heading: `Popular in ${genre}`, items: popular.items, catalog: true });
  }
  return rows;
}

async function catalogRows(): Promise<Row[]> {
  const [topRated, popular] = await Promise.all([searchItems({ sort: "rating", limit: 8 }), searchItems({ sort: "popular", limit: 8 })]);
  return [
    {
      heading: "Top rated",
      note: "Ranked by an IMDb-style weighted mean, so a handful of perfect scores does not beat hundreds of good ones.",
      items: topRated.items,
      empty: "No ratings yet: import some or run the statistics job.",
    },
    { heading: "Most rated", items: popular.items },
  ];
}

/** What a running A/B test counts as shown: the recommended cards on the page (not the catalog's "Popular in" row). */
async function countImpressions(variant: NonNullable<RecsPage["variant"]>, userId: number, rows: Row[]): Promise<void> {
  const shown = rows.filter((r) => !r.catalog).flatMap((r) => r.items.map((i) => i.id));
  await logImpressions(variant, userId, [...new Set(shown)]);
}

function mostFrequent(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = v;
  return best;
}

function StartRating() {
  return (
    <section className="rounded-2xl bg-brand-700 p-6 text-white shadow-sm sm:p-8">
      <h2 className="text-xl font-semibold sm:text-2xl">Your recommendations start here</h2>
      <p className="mt-2 max-w-2xl text-brand-50">
        Tastebud does not know your taste yet. Rate twelve films you have seen and your own picks appear on this page, each with the reason it was chosen.
      </p>
      <Link
        href="/onboarding"
        className="mt-4 inline-flex items-center rounded-md bg-white px-4 py-2.5 text-sm font-semibold text-brand-700 shadow-sm hover:bg-brand-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-white focus-visible:ring-offset-2 focus-visible:ring-offset-brand-600"
      >
        Rate a dozen movies to get recommendations
      </Link>
    </section>
  );
}

/** The language model's picks with its reasons; when no model is configured, nothing (an administrator: how to turn it on). */
function AiPicks({
  picks,
  states,
  operator,
}: {
  picks: Awaited<ReturnType<typeof llmPicksOf>> | null;
  states: Awaited<ReturnType<typeof feedbackStates>> | undefined;
  operator: boolean;
}) {
  if (!picks) return null;
  if (!picks.llm.enabled) {
    if (!operator) return null;
    return (
      <Section heading="AI picks">
        <p className="rounded-lg border border-dashed border-stone-300 p-4 text-sm text-stone-600" data-testid="ai-picks-off">
          AI picks are off on this server: {picks.llm.reason}.
        </p>
      </Section>
    );
  }
  const items = picks.items.slice(0, 8);
  return (
    <Section heading="AI picks" note={`Suggested by ${picks.llm.model} from your likes and ratings, and matched to our catalog.`}>
      {items.length ? (
        <MovieGrid items={items.map((p) => p.item)} reasons={Object.fromEntries(items.map((p) => [p.item.id, `AI pick: ${p.reason}`]))} feedback={states} />
      ) : (
        <p className="text-sm text-stone-600">No AI picks yet{picks.last_run?.status === "failed" ? ` (the last try failed: ${picks.last_run.error})` : ""}.</p>
      )}
      <AiPicksRefresh label={items.length ? "Refresh AI picks" : "Ask for AI picks"} />
    </Section>
  );
}

function Section({ heading, note, children }: { heading: string; note?: string; children: ReactNode }) {
  return (
    <section className="space-y-3">
      <h2 className="text-lg font-semibold">{heading}</h2>
      {note ? <p className="-mt-2 text-sm text-stone-500">{note}</p> : null}
      {children}
    </section>
  );
}
