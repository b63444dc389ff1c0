import type { Metadata } from "next";
import { MovieGrid } from "@/components/catalog/movie-card";
import { ConnectLastfm } from "@/components/music/connect-lastfm";
import { Alert } from "@/components/ui/alert";
import { requireUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { feedbackStates } from "@/lib/feedback/service";
import { lastfmConfig } from "@/lib/lastfm/client";
import { playsOf } from "@/lib/lastfm/plays";
import { pagedRecommendations } from "@/lib/recs/api";

export const metadata: Metadata = { title: "Music" };

export default async function MusicPage() {
  const user = await requireUser("/music");
  const enabled = lastfmConfig() !== null;
  const [account, plays] = await Promise.all([prisma().lastfmAccount.findUnique({ where: { userId: user.id } }), playsOf(user.id, { limit: 20 })]);
  const recs = plays.items.length ? (await pagedRecommendations(user.id, { limit: 12, kind: "track" })).body : null;
  const states = recs ? await feedbackStates(user.id, recs.items.map((r) => r.item.id)) : undefined;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Music</h1>
        <p className="mt-1 text-sm text-stone-600">Import your whole Last.fm listening history, then get tracks recommended from it, each with its reason.</p>
      </div>
      {enabled ? (
        <section className="space-y-2 rounded-lg border border-stone-200 bg-white p-4">
          {account ? (
            <p className="text-sm text-stone-600" data-testid="lastfm-account">
              Connected to <strong>{account.username}</strong>
              {account.importedTo ? `, imported up to ${account.importedTo.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC` : ""}.
            </p>
          ) : null}
          <ConnectLastfm username={account?.username ?? null} />
        </section>
      ) : (
        <Alert tone="info">
          {user.role === "admin"
            ? "Last.fm is off on this server: set LASTFM_API_KEY (and LASTFM_API_URL for a different endpoint) to connect accounts."
            : "Connecting a Last.fm account is not available on this server yet."}
        </Alert>
      )}
      {recs ? (
        <section className="space-y-3">
          <h2 className="text-lg font-semibold">Tracks for you</h2>
          <MovieGrid
            items={recs.items.map((r) => r.item)}
            reasons={Object.fromEntries(recs.items.map((r) => [r.item.id, r.reason]))}
            feedback={states}
            empty="No track recommendations yet: the catalog has only what you already played. They appear as the catalog grows."
          />
        </section>
      ) : null}
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Recent plays</h2>
        {plays.items.length === 0 ? (
          <p className="text-sm text-stone-500">No plays yet.</p>
        ) : (
          <ul className="divide-y divide-stone-200 rounded-lg border border-stone-200 bg-white">
            {plays.items.map((p, i) => (
              <li key={`${p.item.id}-${p.played_at}-${i}`} className="flex items-center gap-3 px-3 py-2 text-sm" data-testid="play-row">
                <span className="min-w-0 flex-1 truncate">
                  <span className="font-medium">{p.item.title}</span> <span className="text-stone-500">by {p.item.artist}</span>
                </span>
                <time className="text-stone-500" dateTime={p.played_at}>
                  {new Date(p.played_at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })}
                </time>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
