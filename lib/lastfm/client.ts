import { z } from "zod";

// The Last.fm API: JSON over GET, errors in the body (sometimes with HTTP 200), paging attributes as strings, a
// now-playing entry without a date on page 1. Transient errors (11, 16, 29, 5xx, network) are retried with backoff;
// the others stop with a message a person can act on. Requests are spaced to a few per second.

export const DEFAULT_LASTFM_URL = "https://ws.audioscrobbler.com/2.0/";

export class LastfmError extends Error {
  constructor(readonly code: number, message: string, readonly transient: boolean) {
    super(message);
    this.name = "LastfmError";
  }
}

const TRANSIENT = new Set([8, 11, 16, 29]);

export function explain(code: number, message: string, username?: string): string {
  switch (code) {
    case 6:
      return username ? `Last.fm has no user named "${username}" (check the spelling)` : `Last.fm rejected the request: ${message}`;
    case 10:
      return "The Last.fm API key is invalid: set LASTFM_API_KEY to a key from last.fm/api/account/create";
    case 17:
      return username ? `${username}'s listening history is private on Last.fm: untick "Hide recent listening information" in Last.fm's privacy settings, then try again` : "This Last.fm profile is private";
    case 26:
      return "The Last.fm API key has been suspended; contact Last.fm or use another key";
    case 29:
      return "Last.fm's rate limit was exceeded; try again in a few minutes";
    case 11:
    case 16:
      return "Last.fm is temporarily unavailable; try again later";
    default:
      return `Last.fm answered with error ${code}: ${message}`;
  }
}

export type LastfmConfig = { url: string; apiKey: string; minIntervalMs: number; retries: number; backoffMs: number };

export function lastfmConfig(): LastfmConfig | null {
  const apiKey = process.env.LASTFM_API_KEY;
  if (!apiKey) return null;
  return {
    url: process.env.LASTFM_API_URL || DEFAULT_LASTFM_URL,
    apiKey,
    minIntervalMs: Number(process.env.LASTFM_MIN_INTERVAL_MS ?? 250),
    retries: Number(process.env.LASTFM_RETRIES ?? 5),
    backoffMs: Number(process.env.LASTFM_BACKOFF_MS ?? 1000),
  };
}

const num = z.union([z.string(), z.number()]).transform((v) => Number(v));
const TrackSchema = z.object({
  name: z.string(),
  mbid: z.string().optional(),
  artist: z.union([z.object({ "#text": z.string().optional(), name: z.string().optional(), mbid: z.string().optional() }), z.string()]),
  album: z.object({ "#text": z.string().optional() }).optional(),
  date: z.object({ uts: num }).optional(),
  "@attr": z.object({ nowplaying: z.string().optional() }).optional(),
});
const RecentSchema = z.object({
  recenttracks: z.object({
    track: z.union([z.array(TrackSchema), TrackSchema]).optional(),
    "@attr": z.object({ page: num, totalPages: num, total: num, perPage: num.optional() }),
  }),
});

export type Scrobble = { artist: string; track: string; album: string | null; mbid: string | null; playedAt: number };
export type RecentPage = { scrobbles: Scrobble[]; page: number; totalPages: number; total: number; skippedNowPlaying: number };

let lastCall = 0;

export class LastfmClient {
  constructor(private readonly cfg: LastfmConfig, private readonly context: { username?: string } = {}) {}

  async call(method: string, params: Record<string, string | number | undefined>): Promise<unknown> {
    const url = new URL(this.cfg.url);
    url.searchParams.set("method", method);
    url.searchParams.set("api_key", this.cfg.apiKey);
    url.searchParams.set("format", "json");
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
    let attempt = 0;
    for (;;) {
      const wait = lastCall + this.cfg.minIntervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lastCall = Date.now();
      let error: LastfmError;
      try {
        const res = await fetch(url, { headers: { "user-agent": "Tastebud/1.0" }, signal: AbortSignal.timeout(20_000) });
        const body = (await res.json().catch(() => null)) as { error?: number; message?: string } | null;
        if (body && typeof body.error === "number") {
          error = new LastfmError(body.error, explain(body.error, body.message ?? "", this.context.username), TRANSIENT.has(body.error));
        } else if (!res.ok || body === null) {
          error = new LastfmError(res.status, `Last.fm answered HTTP ${res.status}`, res.status >= 500 || res.status === 429);
        } else {
          return body;
        }
      } catch (err) {
        error = new LastfmError(0, `Could not reach Last.fm: ${(err as Error).message}`, true);
      }
      if (!error.transient || attempt >= this.cfg.retries) throw error;
      // Rate limiting (29) gets a longer pause than other transient errors.
      await new Promise((r) => setTimeout(r, this.cfg.backoffMs * 2 ** attempt * (error.code === 29 ? 3 : 1)));
      attempt++;
    }
  }

  /** One page of a user's scrobbles, newest first; the now-playing entry (no date) is left out. */
  async recentTracks(user: string, page: number, opts: { from?: number; to?: number; limit?: number } = {}): Promise<RecentPage> {
    const raw = await this.call("user.getRecentTracks", { user, page, limit: opts.limit ?? 200, from: opts.from, to: opts.to, extended: 0 });
    const parsed = RecentSchema.safeParse(raw);
    if (!parsed.success) throw new LastfmError(-1, "Last.fm sent a page of recent tracks in an unexpected shape", true);
    const r = parsed.data.recenttracks;
    const tracks = r.track === undefined ? [] : Array.isArray(r.track) ? r.track : [r.track];
    const scrobbles: Scrobble[] = [];
    let skippedNowPlaying = 0;
    for (const t of tracks) {
      if (t["@attr"]?.nowplaying === "true" || !t.date) {
        skippedNowPlaying++;
        continue;
      }
      const artist = typeof t.artist === "string" ? t.artist : (t.artist["#text"] ?? t.artist.name ?? "");
      scrobbles.push({ artist, track: t.name, album: t.album?.["#text"] || null, mbid: t.mbid || null, playedAt: t.date.uts });
    }
    return { scrobbles, page: r["@attr"].page, totalPages: r["@attr"].totalPages, total: r["@attr"].total, skippedNowPlaying };
  }

  private async tags(method: string, params: Record<string, string>): Promise<string[]> {
    const raw = (await this.call(method, params)) as { toptags?: { tag?: { name: string; count?: number | string }[] | { name: string } } };
    const tags = raw.toptags?.tag;
    const list = tags === undefined ? [] : Array.isArray(tags) ? tags : [tags];
    return list.map((t) => t.name.trim()).filter(Boolean);
  }

  artistTopTags(artist: string) {
    return this.tags("artist.getTopTags", { artist, autocorrect: "1" });
  }
  albumTopTags(artist: string, album: string) {
    return this.tags("album.getTopTags", { artist, album, autocorrect: "1" });
  }
  trackTopTags(artist: string, track: string) {
    return this.tags("track.getTopTags", { artist, track, autocorrect: "1" });
  }

  async chartTopTags(limit: number): Promise<string[]> {
    const raw = (await this.call("chart.getTopTags", { limit })) as { tags?: { tag?: { name: string }[] } };
    return (raw.tags?.tag ?? []).map((t) => t.name);
  }
  async tagTopArtists(tag: string, limit: number): Promise<string[]> {
    const raw = (await this.call("tag.getTopArtists", { tag, limit })) as { topartists?: { artist?: { name: string }[] } };
    return (raw.topartists?.artist ?? []).map((a) => a.name);
  }
  async artistTopTracks(artist: string, limit: number): Promise<{ name: string; mbid: string | null }[]> {
    const raw = (await this.call("artist.getTopTracks", { artist, limit, autocorrect: "1" })) as { toptracks?: { track?: { name: string; mbid?: string }[] } };
    return (raw.toptracks?.track ?? []).map((t) => ({ name: t.name, mbid: t.mbid || null }));
  }
}
