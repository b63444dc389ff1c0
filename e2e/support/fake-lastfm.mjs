// A stand-in for the Last.fm API, serving its real JSON shapes, for tests and e2e runs.
// `node e2e/support/fake-lastfm.mjs <port>` runs it on its own; tests import startFakeLastfm().
import http from "node:http";

export const FAN = "tastebud-fan";
export const API_KEY = "test-key";
const BASE_UTS = 1_700_000_000;

function makeHistory(count) {
  const list = [];
  for (let i = 0; i < count; i++) {
    const a = (i * 7) % 40;
    const t = (i * 13) % 25;
    // newest first: index 0 is the most recent
    list.push({ artist: `Artist ${a}`, track: `Song ${a}-${t}`, album: `Album ${a}`, uts: BASE_UTS - i * 600 });
  }
  return list;
}

const trackJson = (s) => ({
  artist: { mbid: "", "#text": s.artist },
  streamable: "0",
  image: [{ size: "small", "#text": "" }],
  mbid: "",
  album: { mbid: "", "#text": s.album },
  name: s.track,
  url: `https://www.last.fm/music/${encodeURIComponent(s.artist)}/_/${encodeURIComponent(s.track)}`,
  date: { uts: String(s.uts), "#text": new Date(s.uts * 1000).toUTCString() },
});

export async function startFakeLastfm(opts = {}) {
  const state = {
    history: makeHistory(opts.scrobbles ?? 2500),
    failures: new Map(Object.entries(opts.failures ?? {})), // "page:5" -> [29] (each entry used once)
    requests: [],
    delayMs: opts.delayMs ?? 0,
  };
  const send = (res, status, body) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const q = Object.fromEntries(url.searchParams);
    state.requests.push(q);
    const reply = () => {
      if (q.api_key !== API_KEY) return send(res, 403, { error: 10, message: "Invalid API key - You must be granted a valid key by last.fm" });
      if (q.method === "user.getrecenttracks" || q.method === "user.getRecentTracks") {
        if (q.user === "private-user") return send(res, 403, { error: 17, message: "Login: User required to be logged in" });
        if (q.user !== FAN) return send(res, 404, { error: 6, message: "User not found" });
        const page = Number(q.page ?? 1);
        const pending = state.failures.get(`page:${page}`);
        if (pending?.length) {
          const code = pending.shift();
          return send(res, code === 29 ? 429 : 200, { error: code, message: code === 29 ? "Rate Limit Exceeded" : "Operation failed - Most likely the backend service failed. Please try again." });
        }
        const limit = Math.min(1000, Number(q.limit ?? 50));
        const from = q.from ? Number(q.from) : -Infinity;
        const to = q.to ? Number(q.to) : Infinity;
        const matching = state.history.filter((s) => s.uts >= from && s.uts <= to);
        const totalPages = Math.max(1, Math.ceil(matching.length / limit));
        const slice = matching.slice((page - 1) * limit, page * limit).map(trackJson);
        // Like the real API, page 1 starts with the track playing now: no date, one item more than the page size.
        if (page === 1) slice.unshift({ ...trackJson({ artist: "Artist 0", track: "Now Playing Song", album: "Live", uts: 0 }), date: undefined, "@attr": { nowplaying: "true" } });
        return send(res, 200, {
          recenttracks: { track: slice, "@attr": { user: q.user, totalPages: String(totalPages), page: String(page), perPage: String(limit), total: String(matching.length) } },
        });
      }
      if (q.method === "artist.getTopTags" || q.method === "artist.gettoptags") {
        const n = Number(/\d+/.exec(q.artist ?? "")?.[0] ?? 0);
        return send(res, 200, { toptags: { tag: [{ count: 100, name: n % 2 === 0 ? "rock" : "electronic" }, { count: 40, name: "indie" }], "@attr": { artist: q.artist } } });
      }
      if (q.method === "album.getTopTags") return send(res, 200, { toptags: { tag: [{ count: 90, name: "album tag" }], "@attr": { artist: q.artist, album: q.album } } });
      if (q.method === "track.getTopTags") return send(res, 200, { toptags: { tag: [{ count: 80, name: "catchy" }], "@attr": { artist: q.artist, track: q.track } } });
      if (q.method === "chart.getTopTags") return send(res, 200, { tags: { tag: [{ name: "jazz" }, { name: "ambient" }] } });
      if (q.method === "tag.getTopArtists") return send(res, 200, { topartists: { artist: [{ name: `${q.tag} player` }] } });
      if (q.method === "artist.getTopTracks") return send(res, 200, { toptracks: { track: [{ name: `${q.artist} hit`, mbid: "" }, { name: `${q.artist} b-side`, mbid: "" }] } });
      return send(res, 400, { error: 3, message: "Invalid Method - No method with that name in this package" });
    };
    if (state.delayMs) setTimeout(reply, state.delayMs);
    else reply();
  });
  await new Promise((r) => server.listen(opts.port ?? 0, "127.0.0.1", r));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}/2.0/`,
    state,
    /** n tracks scrobbled just now (all in the current second). */
    addScrobbles(n) {
      const now = Math.floor(Date.now() / 1000);
      const fresh = Array.from({ length: n }, (_, i) => ({ artist: "Artist 99", track: `New Song ${i}`, album: "New", uts: now }));
      state.history = [...fresh, ...state.history];
    },
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await startFakeLastfm({ port: Number(process.argv[2] ?? 3199), delayMs: Number(process.env.FAKE_LASTFM_DELAY_MS ?? 0) });
  console.log(`fake Last.fm at ${fake.url}`);
}
