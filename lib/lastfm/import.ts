import { z } from "zod";
import { cache } from "../cache";
import { prisma } from "../db/client";
import { defineJob, PermanentJobError, type Json } from "../jobs/types";
import { invalidateUserRecs, markCatalogChanged } from "../recs/service";
import { LastfmClient, LastfmError, lastfmConfig, type Scrobble } from "./client";

// A user's whole Last.fm history, page by page (each page a durable step), so an import that dies resumes after
// its last stored page; plays are unique per user, track and time, so nothing is stored twice; a re-import asks
// only for what was scrobbled after the last one.

export const trackKey = (artist: string, track: string) => `${artist.trim().toLowerCase()}\u241f${track.trim().toLowerCase()}`;

/** Finds or creates the track items for a page's scrobbles; returns their ids by track key. */
export async function upsertTracks(tracks: { artist: string; track: string; album?: string | null; genres?: string[] }[]): Promise<Map<string, number>> {
  const unique = new Map(tracks.map((t) => [trackKey(t.artist, t.track), t]));
  const keys = [...unique.keys()];
  const ids = new Map<string, number>();
  if (keys.length === 0) return ids;
  for (const e of await prisma().externalId.findMany({ where: { source: "lastfm", value: { in: keys } }, select: { value: true, itemId: true } })) ids.set(e.value, e.itemId);
  for (const key of keys) {
    if (ids.has(key)) continue;
    const t = unique.get(key) as (typeof tracks)[number];
    try {
      const item = await prisma().item.create({
        // The album is the track's series: one album should not fill a page of recommendations.
        data: { kind: "track", title: t.track.trim(), artist: t.artist.trim(), series: t.album?.trim() || null, genres: t.genres ?? [], externalIds: { create: { source: "lastfm", value: key } } },
        select: { id: true },
      });
      ids.set(key, item.id);
    } catch {
      // created meanwhile by another import: use that one
      const e = await prisma().externalId.findUnique({ where: { source_value: { source: "lastfm", value: key } } });
      if (e) ids.set(key, e.itemId);
    }
  }
  markCatalogChanged();
  return ids;
}

export async function storePlays(userId: number, scrobbles: Scrobble[]): Promise<number> {
  const ids = await upsertTracks(scrobbles);
  const rows = scrobbles.map((s) => ({ userId, itemId: ids.get(trackKey(s.artist, s.track)) as number, playedAt: new Date(s.playedAt * 1000) })).filter((r) => r.itemId);
  const { count } = await prisma().play.createMany({ data: rows, skipDuplicates: true });
  return count;
}

const TAG_TTL = 7 * 24 * 3600;
const titleCase = (t: string) => t.replace(/\b\w/g, (c) => c.toUpperCase());

/** Artist tags (Last.fm does not send them with tracks), cached for a week, as genres of that artist's tracks. */
export async function tagArtists(client: LastfmClient, limit: number): Promise<number> {
  const rows = await prisma().$queryRaw<{ artist: string }[]>`
    SELECT DISTINCT artist FROM items WHERE kind = 'track' AND artist IS NOT NULL AND cardinality(genres) = 0 LIMIT ${limit}`;
  let tagged = 0;
  for (const { artist } of rows) {
    const key = `lastfm:artist-tags:v1:${artist.toLowerCase()}`;
    let tags = await cache().get<string[]>(key);
    if (!tags) {
      try {
        tags = (await client.artistTopTags(artist)).slice(0, 3).map(titleCase);
      } catch (err) {
        if (err instanceof LastfmError && !err.transient) tags = [];
        else throw err;
      }
      await cache().set(key, tags, TAG_TTL);
    }
    if (tags.length) {
      await prisma().item.updateMany({ where: { kind: "track", artist, genres: { isEmpty: true } }, data: { genres: tags } });
      tagged++;
    }
  }
  return tagged;
}

/** Tags for one album or track, cached for a week; a permanent Last.fm error (unknown album) means no tags. */
async function cachedTags(key: string, fetchTags: () => Promise<string[]>): Promise<string[]> {
  const known = await cache().get<string[]>(key);
  if (known) return known;
  let tags: string[];
  try {
    tags = (await fetchTags()).slice(0, 3).map(titleCase);
  } catch (err) {
    if (err instanceof LastfmError && !err.transient) tags = [];
    else throw err;
  }
  await cache().set(key, tags, TAG_TTL);
  return tags;
}

const mergeGenres = (a: string[], b: string[]) => [...new Set([...a, ...b])].slice(0, 5);

/** Album tags for albums of a user's tracks, and track tags for their most played tracks, added to genres. */
export async function tagAlbumsAndTracks(client: LastfmClient, userId: number, limit: number): Promise<{ albums: number; tracks: number }> {
  // The person's most played albums and tracks, ties in a fixed order: the same history always asks Last.fm for the
  // same tags (which are cached), so a re-import asks only for what is new.
  const albums = await prisma().$queryRaw<{ artist: string; album: string }[]>`
    SELECT i.artist, i.series AS album FROM plays p JOIN items i ON i.id = p.item_id
    WHERE p.user_id = ${userId} AND i.series IS NOT NULL AND i.artist IS NOT NULL
    GROUP BY i.artist, i.series ORDER BY count(*) DESC, i.artist, i.series LIMIT ${limit}`;
  for (const { artist, album } of albums) {
    const tags = await cachedTags(`lastfm:album-tags:v1:${artist.toLowerCase()}:${album.toLowerCase()}`, () => client.albumTopTags(artist, album));
    if (!tags.length) continue;
    const items = await prisma().item.findMany({ where: { kind: "track", artist, series: album }, select: { id: true, genres: true } });
    for (const it of items) await prisma().item.update({ where: { id: it.id }, data: { genres: mergeGenres(it.genres, tags) } });
  }
  const top = await prisma().$queryRaw<{ id: number; artist: string; title: string; genres: string[] }[]>`
    SELECT i.id, i.artist, i.title, i.genres FROM plays p JOIN items i ON i.id = p.item_id
    WHERE p.user_id = ${userId} AND i.artist IS NOT NULL GROUP BY i.id ORDER BY count(*) DESC, i.id LIMIT ${limit}`;
  for (const t of top) {
    const tags = await cachedTags(`lastfm:track-tags:v1:${t.artist.toLowerCase()}:${t.title.toLowerCase()}`, () => client.trackTopTags(t.artist, t.title));
    if (tags.length) await prisma().item.update({ where: { id: t.id }, data: { genres: mergeGenres(t.genres, tags) } });
  }
  return { albums: albums.length, tracks: top.length };
}

function lastfmOrFail(username?: string): LastfmClient {
  const cfg = lastfmConfig();
  if (!cfg) throw new PermanentJobError("Last.fm is not configured on this server: set LASTFM_API_KEY");
  return new LastfmClient(cfg, { username });
}

/** Non-transient Last.fm errors end the job at once with their explanation. */
async function orPermanent<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof LastfmError && !err.transient) throw new PermanentJobError(err.message);
    throw err;
  }
}

export const lastfmImportJob = defineJob({
  kind: "lastfm-import",
  title: "Import Last.fm history",
  description: "Every scrobble of a Last.fm user, page by page, then artist tags.",
  payload: z.object({ user_id: z.number().int().positive(), username: z.string().min(1).max(64) }),
  retries: 3,
  concurrency: 2,
  startableBy: "user",
  timeoutSeconds: 6 * 60 * 60,
  async run({ payload, step, progress }) {
    const client = lastfmOrFail(payload.username);
    const window = await step.run("window", async () => {
      const account = await prisma().lastfmAccount.findUnique({ where: { userId: payload.user_id } });
      const from = account?.importedTo && account.username.toLowerCase() === payload.username.toLowerCase() ? Math.floor(account.importedTo.getTime() / 1000) + 1 : undefined;
      const to = Math.floor(Date.now() / 1000);
      const first = await orPermanent(() => client.recentTracks(payload.username, 1, { from, to }));
      return { from: from ?? null, to, totalPages: first.totalPages, total: first.total };
    });
    await progress(2, `${window.total.toLocaleString("en")} scrobbles on ${window.totalPages} pages`);
    let stored = 0;
    for (let page = 1; page <= window.totalPages; page++) {
      const result = await step.run(`page-${page}`, async () => {
        const r = await orPermanent(() => client.recentTracks(payload.username, page, { from: window.from ?? undefined, to: window.to }));
        return { stored: await storePlays(payload.user_id, r.scrobbles), scrobbles: r.scrobbles.length };
      });
      stored += result.stored;
      await progress(2 + Math.floor((page / Math.max(1, window.totalPages)) * 88), `Page ${page} of ${window.totalPages} · ${stored.toLocaleString("en")} new plays`);
    }
    const tagged = await step.run("tags", async () => tagArtists(client, Number(process.env.LASTFM_TAG_ARTISTS ?? 100)));
    await progress(93, "Fetching album and track tags");
    const detail = await step.run("album-track-tags", async () => tagAlbumsAndTracks(client, payload.user_id, Number(process.env.LASTFM_TAG_ALBUMS ?? 50)));
    await step.run("finish", async () => {
      await prisma().lastfmAccount.upsert({
        where: { userId: payload.user_id },
        create: { userId: payload.user_id, username: payload.username, importedTo: new Date(window.to * 1000) },
        update: { username: payload.username, importedTo: new Date(window.to * 1000) },
      });
      await invalidateUserRecs(payload.user_id);
    });
    return {
      summary: `${stored.toLocaleString("en")} new plays from ${window.totalPages} pages · ${tagged} artists, ${detail.albums} albums and ${detail.tracks} tracks tagged`,
      plays: stored,
      pages: window.totalPages,
      total: window.total,
      artists_tagged: tagged,
      albums_tagged: detail.albums,
      tracks_tagged: detail.tracks,
    } as unknown as Json;
  },
});

// The scheduled crawl: top tags -> their top artists -> those artists' top tracks, to grow the music catalog.
export const lastfmCrawlJob = defineJob({
  kind: "lastfm-crawl",
  title: "Crawl Last.fm top tracks",
  description: "Top tags, their top artists and those artists' top tracks, added to the music catalog.",
  payload: z.object({ tags: z.number().int().min(1).max(50).default(5), artists: z.number().int().min(1).max(50).default(5), tracks: z.number().int().min(1).max(50).default(10) }),
  retries: 2,
  concurrency: 1,
  cron: "30 4 * * 0",
  startableBy: "admin",
  timeoutSeconds: 60 * 60,
  async run({ payload, step, progress }) {
    if (!lastfmConfig()) return { skipped: "Last.fm is not configured", summary: "Skipped: LASTFM_API_KEY is not set" };
    const client = lastfmOrFail();
    const tags = await step.run("tags", async () => orPermanent(() => client.chartTopTags(payload.tags)));
    let added = 0;
    for (const [t, tag] of tags.entries()) {
      added += await step.run(`tag-${t}`, async () => {
        const artists = await orPermanent(() => client.tagTopArtists(tag, payload.artists));
        let n = 0;
        for (const artist of artists) {
          const tracks = await orPermanent(() => client.artistTopTracks(artist, payload.tracks));
          n += (await upsertTracks(tracks.map((tr) => ({ artist, track: tr.name, genres: [titleCase(tag)] })))).size;
        }
        return n;
      });
      await progress(Math.round(((t + 1) / tags.length) * 100), `Tag ${t + 1} of ${tags.length}: ${tag}`);
    }
    return { summary: `${added} tracks from ${tags.length} tags`, tags, tracks: added } as unknown as Json;
  },
});
