import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as rates } from "../app/api/v1/rates/[uid]/route";
import { GET as legacyProfile } from "../app/api/v1/user/profile/[uid]/route";
import { GET as history } from "../app/api/v1/users/[id]/ratings/route";
import { GET as profile } from "../app/api/v1/users/[id]/profile/route";
import { POST as importRoute } from "../app/api/v1/imports/[kind]/route";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { encodeCursor } from "../lib/api/pagination";
import { ensureAdmin, registerUser } from "../lib/auth/users";
import { historyPosition } from "../lib/ratings/history";
import { prisma } from "../lib/db/client";
import { executeJob } from "../lib/jobs/execute";
import { startJobRunner, stopJobRunner } from "../lib/jobs/embedded";
import { createJobRecord } from "../lib/jobs/store";
import { cache } from "../lib/cache";
import { applyFeedback, applyFeedbackBatch } from "../lib/feedback/service";
import { legacyUidKey, ratingsVersionKey } from "../lib/ratings/cache-keys";
import { invalidateUserRatings, publishRatingsVersions } from "../lib/ratings/history";
import { cancellingSteps } from "./support/cancel";
import { useTestDatabase } from "./support/db";
import { call, expectProblem } from "./support/http";
import { waitFor } from "./support/wait";

const db = useTestDatabase();
const MT = path.resolve("../shared/data/movietweetings-100k");

type Rate = { movie_id: number; rating: number; timestamp: string };

function fileRatings(uid: string): Rate[] {
  return readFileSync(path.join(MT, "ratings.dat"), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split("::"))
    .filter((f) => f[0] === uid)
    .map(([, movie, rating, ts]) => ({ movie_id: Number(movie), rating: Number(rating), timestamp: new Date(Number(ts) * 1000).toISOString().slice(0, 19).replace("T", " "), ts: Number(ts) }))
    .sort((a, b) => a.ts - b.ts || a.movie_id - b.movie_id)
    .map(({ movie_id, rating, timestamp }) => ({ movie_id, rating, timestamp }));
}

async function importFile(format: string, file: string) {
  const job = await createJobRecord({ kind: "import", ownerId: null, payload: { format, path: file, name: path.basename(file) }, maxAttempts: 1 });
  const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1 });
  expect(outcome.status).toBe("succeeded");
}

let adminToken = "";
let userToken = "";
let accountId = 0;

beforeAll(async () => {
  await importFile("movietweetings-movies", path.join(MT, "movies.dat"));
  await importFile("movietweetings-ratings", path.join(MT, "ratings.dat"));
  await ensureAdmin("admin@example.com", "correct horse");
  accountId = (await registerUser({ email: "viewer@example.com", password: "correct horse" })).id;
  adminToken = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "admin@example.com", password: "correct horse", scopes: ["admin"] } })).body.token;
  userToken = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "viewer@example.com", password: "correct horse" } })).body.token;
}, 60_000);

describe("GET /api/v1/rates/{uid} (legacy)", () => {
  it("returns exactly the user's ratings from the file, oldest first, in the old shape", async () => {
    for (const uid of ["1", "2", "17", "4242"]) {
      const expected = fileRatings(uid);
      const res = await call<Rate[]>(rates, { params: { uid } });
      if (expected.length === 0) {
        expect(res.status).toBe(404);
        continue;
      }
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expected);
      for (const r of res.body) expect(Object.keys(r)).toEqual(["movie_id", "rating", "timestamp"]);
    }
  });

  it("reads through the cache: MISS, then HIT, then MISS again after the user's rating changes", async () => {
    const first = await call<Rate[]>(rates, { params: { uid: "1" } });
    const second = await call<Rate[]>(rates, { params: { uid: "1" } });
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(second.body).toEqual(first.body);
    const user = await prisma().user.findUniqueOrThrow({ where: { source_externalId: { source: "movietweetings", externalId: "1" } } });
    const rated = await prisma().rating.findFirstOrThrow({ where: { userId: user.id } });
    await prisma().rating.update({ where: { userId_itemId: { userId: user.id, itemId: rated.itemId } }, data: { rating: 1 } });
    await invalidateUserRatings(user.id);
    const third = await call<Rate[]>(rates, { params: { uid: "1" } });
    expect(third.headers.get("x-cache")).toBe("MISS");
    expect(third.body.some((r) => r.rating === 1)).toBe(true);
  });

  it("keeps the user's version in the database with every write and in the cache, and mends a version the cache lost", async () => {
    const uid = "9"; // no other test reads this user
    const user = await prisma().user.findUniqueOrThrow({ where: { source_externalId: { source: "movietweetings", externalId: uid } } });
    expect(user.ratingsVersion).toBe(0n); // only an import has written their ratings
    // Not remembered: the user and the ratings in one statement, stored under version 0; then a hit.
    expect((await call(rates, { params: { uid } })).headers.get("x-cache")).toBe("MISS");
    expect((await call(rates, { params: { uid } })).headers.get("x-cache")).toBe("HIT");

    const rated = await prisma().rating.findFirstOrThrow({ where: { userId: user.id }, orderBy: { itemId: "asc" } });
    await applyFeedback(user.id, { itemId: rated.itemId, type: "rate", value: 0.5, at: new Date(Date.UTC(2030, 0, 1)) });
    const { ratingsVersion } = await prisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(ratingsVersion).toBeGreaterThan(0n);
    expect(await cache().get(ratingsVersionKey(user.id))).toBe(Number(ratingsVersion));
    const changed = await call<Rate[]>(rates, { params: { uid } });
    expect(changed.headers.get("x-cache")).toBe("MISS");
    expect(changed.body.at(-1)).toMatchObject({ rating: 0.5, timestamp: "2030-01-01 00:00:00" });
    expect((await call(rates, { params: { uid } })).headers.get("x-cache")).toBe("HIT");

    // A publish that arrives late, with the version before, does not take the cache back to it.
    await publishRatingsVersions([{ userId: user.id, version: Number(ratingsVersion) - 1 }]);
    expect((await call(rates, { params: { uid } })).headers.get("x-cache")).toBe("HIT");

    // The cache lost the version and who the id names: the miss reads both again and publishes the version it read.
    await cache().del(ratingsVersionKey(user.id), legacyUidKey(uid));
    const again = await call<Rate[]>(rates, { params: { uid } });
    expect(again.headers.get("x-cache")).toBe("MISS");
    expect(again.body).toEqual(changed.body);
    expect(await cache().get(ratingsVersionKey(user.id))).toBe(Number(ratingsVersion));
    expect((await call(rates, { params: { uid } })).headers.get("x-cache")).toBe("HIT");

    // Two writes in one batch raise the version once, past the one before.
    await applyFeedbackBatch([
      { userId: user.id, input: { itemId: rated.itemId, type: "unrate" } },
      { userId: user.id, input: { itemId: rated.itemId, type: "rate", value: 4 } },
    ]);
    const after = await prisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.ratingsVersion).toBeGreaterThan(ratingsVersion);
    expect(await cache().get(ratingsVersionKey(user.id))).toBe(Number(after.ratingsVersion));
    const last = await call<Rate[]>(rates, { params: { uid } });
    expect(last.headers.get("x-cache")).toBe("MISS");
    expect(last.body.filter((r) => r.rating === 0.5)).toHaveLength(0);
  });

  it("takes <source>:<id> for a user several sources share an id with", async () => {
    // A MovieTweetings user no other test looks up (which user a bare id names is remembered for a minute).
    const uid = "23";
    expect(fileRatings(uid).length).toBeGreaterThan(0);
    const mt = await call<Rate[]>(rates, { params: { uid: `movietweetings:${uid}` } });
    expect(mt.status).toBe(200);
    expect(mt.body).toEqual(fileRatings(uid));
    const ml = await prisma().user.create({ data: { source: "movielens", externalId: uid } });
    const item = await prisma().item.findFirstOrThrow({ select: { id: true } });
    await prisma().rating.create({ data: { userId: ml.id, itemId: item.id, rating: 2.5, ratedAt: new Date(Date.UTC(2001, 0, 1)) } });
    // A bare id goes to MovieLens first, as the old service's own ratings.csv was; the prefix still reaches MovieTweetings.
    const bare = await call<Rate[]>(rates, { params: { uid } });
    expect(bare.body).toHaveLength(1);
    expect(bare.body[0]).toMatchObject({ rating: 2.5, timestamp: "2001-01-01 00:00:00" });
    expect((await call<Rate[]>(rates, { params: { uid: `movietweetings:${uid}` } })).body).toEqual(fileRatings(uid));
    expect((await call<Rate[]>(legacyProfile, { params: { uid: `movietweetings:${uid}` } })).status).toBe(200);
    expectProblem(await call(rates, { params: { uid: "movietweetings:99999999" } }), 404, "not_found");
    await prisma().rating.deleteMany({ where: { userId: ml.id } });
    await prisma().user.delete({ where: { id: ml.id } });
  });

  it("names the new user at once when an import brings a MovieLens user with a bare id already asked for", async () => {
    const uid = "41"; // no other test reads this user
    expect(fileRatings(uid).length).toBeGreaterThan(0);
    expect((await call<Rate[]>(rates, { params: { uid } })).body).toEqual(fileRatings(uid));
    expect((await call<{ source: string }>(legacyProfile, { params: { uid } })).body.source).toBe("movietweetings");
    const film = await prisma().externalId.findFirstOrThrow({ where: { source: "imdb" }, select: { value: true, itemId: true } });
    await prisma().externalId.create({ data: { source: "movielens", value: "424242", itemId: film.itemId } });
    const file = path.join(mkdtempSync(path.join(tmpdir(), "tb-ml-")), "ratings.csv");
    writeFileSync(file, `userId,movieId,rating,timestamp\n${uid},424242,3.5,964982703\n`);
    await importFile("ratings", file);
    expect((await call<Rate[]>(rates, { params: { uid } })).body).toEqual([{ movie_id: 424242, rating: 3.5, timestamp: "2000-07-30 18:45:03" }]);
    expect((await call<{ source: string; ratings_count: number }>(legacyProfile, { params: { uid } })).body).toMatchObject({ source: "movielens", ratings_count: 1 });
    expect((await call<Rate[]>(rates, { params: { uid: `movietweetings:${uid}` } })).body).toEqual(fileRatings(uid));
  });

  it("forgets cached answers as soon as an import batch commits, even when the import is then cancelled", async () => {
    const uid = "31"; // no other test reads this user
    await call(rates, { params: { uid } });
    expect((await call(rates, { params: { uid } })).headers.get("x-cache")).toBe("HIT");
    // Two batches of two lines: the first rates two films the user had not rated, the second two more.
    const rated = new Set(fileRatings(uid).map((r) => String(r.movie_id).padStart(7, "0")));
    const fresh = readFileSync(path.join(MT, "movies.dat"), "utf8").split("\n").map((l) => l.split("::")[0]).filter((id) => id && !rated.has(id)).slice(0, 4);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "tb-cancel-")), "ratings.dat");
    writeFileSync(file, fresh.map((id, k) => `${uid}::${id}::${k + 1}::${1_700_000_000 + k}`).join("\n") + "\n");
    const job = await createJobRecord({ kind: "import", ownerId: null, payload: { format: "movietweetings-ratings", path: file, name: "more.dat", batch_lines: 2 }, maxAttempts: 1 });
    // An operator presses Cancel as the first batch commits.
    const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1, step: cancellingSteps(job.id, "batch-0", "finished") });
    expect(outcome.status).toBe("cancelled");
    const stored = await prisma().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(outcome.message).toBe(stored.message); // what `npm run import` prints
    expect(stored.message).toMatch(/^Cancelled after 2 rows loaded \(\d+ B of \d+ B\); they stay in\. Import the file again to finish it\.$/);
    const after = await call<Rate[]>(rates, { params: { uid } });
    expect(after.headers.get("x-cache")).toBe("MISS");
    const now = new Set(after.body.map((r) => String(r.movie_id).padStart(7, "0")));
    expect(fresh.map((id) => now.has(id))).toEqual([true, true, false, false]);
  });

  it("answers 404 for an unknown user", async () => {
    expectProblem(await call(rates, { params: { uid: "999999999" } }), 404, "not_found");
  });

  it("falls back to the database when the cache is down: slower, never an error", async () => {
    const saved = { url: process.env.UPSTASH_REDIS_REST_URL, token: process.env.UPSTASH_REDIS_REST_TOKEN };
    const g = globalThis as { tastebudCache?: unknown };
    const previous = g.tastebudCache;
    process.env.UPSTASH_REDIS_REST_URL = "http://127.0.0.1:9";
    process.env.UPSTASH_REDIS_REST_TOKEN = "nope";
    g.tastebudCache = undefined;
    try {
      const res = await call<Rate[]>(rates, { params: { uid: "2" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-cache")).toBe("MISS");
      expect(res.body).toEqual(fileRatings("2"));
    } finally {
      process.env.UPSTASH_REDIS_REST_URL = saved.url ?? "";
      process.env.UPSTASH_REDIS_REST_TOKEN = saved.token ?? "";
      delete process.env.UPSTASH_REDIS_REST_URL;
      delete process.env.UPSTASH_REDIS_REST_TOKEN;
      g.tastebudCache = previous;
    }
  });
});

describe("GET /api/v1/users/{id}/ratings", () => {
  it("pages newest first by source:id, filters by dates, and rejects bad dates", async () => {
    const all = fileRatings("2");
    const first = await call<{ items: { rated_at: string; rating: number }[]; next_cursor: string | null }>(history, {
      params: { id: "movietweetings:2" },
      path: "/api/v1/users/movietweetings:2/ratings?limit=2",
    });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(Math.min(2, all.length));
    const times = first.body.items.map((i) => i.rated_at);
    expect([...times].sort().reverse()).toEqual(times);
    const from = all[0].timestamp.replace(" ", "T") + "Z";
    const ranged = await call<{ items: unknown[] }>(history, { params: { id: "movietweetings:2" }, path: `/api/v1/users/movietweetings:2/ratings?from=${from}&to=${from}` });
    expect(ranged.body.items.length).toBeGreaterThanOrEqual(1);
    // A bare day as `to` takes in the whole of that day (as /logs' to_date does); `from` starts at its midnight.
    const day = all[0].timestamp.slice(0, 10);
    const onDay = all.filter((r) => r.timestamp.startsWith(day)).length;
    const dayOnly = await call<{ items: unknown[] }>(history, { params: { id: "movietweetings:2" }, path: `/api/v1/users/movietweetings:2/ratings?from=${day}&to=${day}&limit=100` });
    expect(dayOnly.body.items).toHaveLength(onDay);
    expect(all[0].timestamp.slice(11)).not.toBe("00:00:00"); // so the day's rating lies past the bare day's midnight
    expectProblem(await call(history, { params: { id: "movietweetings:2" }, path: "/api/v1/users/movietweetings:2/ratings?from=yesterday" }), 400, "validation_failed");
    expectProblem(await call(history, { params: { id: "movietweetings:2" }, path: "/api/v1/users/x/ratings?from=2020-01-02&to=2020-01-01" }), 400);
    expectProblem(await call(history, { params: { id: "movietweetings:999999999" } }), 404);
    expectProblem(await call(history, { params: { id: "not an id" } }), 400);
  });

  it("keeps a person's own ratings private: only they and admins see them", async () => {
    expectProblem(await call(history, { params: { id: String(accountId) } }), 404);
    expect((await call(history, { params: { id: String(accountId) }, token: userToken })).status).toBe(200);
    expect((await call(history, { params: { id: String(accountId) }, token: adminToken })).status).toBe(200);
  });

  it("take `me` for the caller's own history and profile, and 401 without one", async () => {
    const film = await prisma().item.findFirstOrThrow({ select: { id: true } });
    await prisma().rating.upsert({
      where: { userId_itemId: { userId: accountId, itemId: film.id } },
      create: { userId: accountId, itemId: film.id, rating: 4, ratedAt: new Date() },
      update: { rating: 4 },
    });
    await invalidateUserRatings(accountId);
    const mine = await call<{ items: { item_id: number }[] }>(history, { params: { id: "me" }, token: userToken, path: "/api/v1/users/me/ratings" });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((r) => r.item_id)).toContain(film.id);
    const me = await call<{ user_id: number; ratings_count: number }>(profile, { params: { id: "me" }, token: userToken, path: "/api/v1/users/me/profile" });
    expect(me.body).toMatchObject({ user_id: accountId });
    expect(me.body.ratings_count).toBeGreaterThan(0);
    expectProblem(await call(history, { params: { id: "me" } }), 401);
    expectProblem(await call(profile, { params: { id: "me" } }), 401);
  });
});

describe("profiles", () => {
  it("reports counts, mean, top genres and first/last rating time, in both spellings", async () => {
    const expected = fileRatings("17");
    const res = await call<{ ratings_count: number; mean_rating: number; top_genres: { genre: string }[]; first_rating_at: string; last_rating_at: string }>(
      profile,
      { params: { id: "movietweetings:17" } },
    );
    expect(res.status).toBe(200);
    expect(res.body.ratings_count).toBe(expected.length);
    const mean = expected.reduce((s, r) => s + r.rating, 0) / expected.length;
    expect(res.body.mean_rating).toBeCloseTo(mean, 1);
    expect(res.body.first_rating_at.slice(0, 19).replace("T", " ")).toBe(expected[0].timestamp);
    expect(res.body.last_rating_at.slice(0, 19).replace("T", " ")).toBe(expected[expected.length - 1].timestamp);
    expect(res.body.top_genres.length).toBeGreaterThan(0);
    const legacy = await call(legacyProfile, { params: { uid: "17" } });
    expect(legacy.body).toEqual(res.body);
  });
});

describe("POST /api/v1/imports/{kind}", () => {
  beforeAll(async () => {
    process.env.JOB_POLL_SECONDS = "0.5";
    await startJobRunner(db.url());
  });
  afterAll(async () => {
    await stopJobRunner();
  });

  const finished = (id: string) =>
    waitFor(async () => {
      const job = await prisma().job.findUnique({ where: { id } });
      return job && ["succeeded", "failed"].includes(job.status) ? job : null;
    }, { what: "import job" });

  it("streams a raw body to disk, answers 202 with the job, and the job reports rows and rejects", async () => {
    const body = "userId,movieId,rating,timestamp\n501,1,4.5,1500000000\n501,2,oops,1500000000\n";
    const res = await call<{ job_id: string }>(importRoute, { method: "POST", token: adminToken, params: { kind: "ratings" }, rawBody: body, headers: { "content-type": "text/csv" }, path: "/api/v1/imports/ratings?name=small.csv" });
    expect(res.status).toBe(202);
    const job = await finished(res.body.job_id);
    expect(job.status).toBe("succeeded");
    expect(job.result).toMatchObject({ file: "small.csv", rows_loaded: 1, rows_rejected: 1, errors: [{ line: 3, reason: 'rating "oops" is not a number' }] });
  });

  it("warns when a file of another kind loads nothing (a movies.dat sent as ratings.csv)", async () => {
    const body = "1::Edison Kinetoscopic Record of a Sneeze (1894)::Documentary|Short\n10::La sortie des usines Lumière (1895)::Documentary|Short\n";
    const res = await call<{ job_id: string }>(importRoute, { method: "POST", token: adminToken, params: { kind: "ratings" }, rawBody: body, headers: { "content-type": "text/csv" }, path: "/api/v1/imports/ratings?name=movies.dat" });
    const job = await finished(res.body.job_id);
    expect(job.result).toMatchObject({ rows_read: 2, rows_loaded: 0, rows_rejected: 2 });
    expect((job.result as { warnings: string[] }).warnings.join(" ")).toMatch(/None of the 2 lines could be read as "ratings": is it the right kind of file\?/);
    // The jobs list shows the summary line alone.
    expect((job.result as { summary: string }).summary).toBe("Loaded 0 rows, rejected 2 (nothing loaded: see the import's report)");
  });

  it("accepts multipart uploads too", async () => {
    const form = new FormData();
    form.append("file", new Blob(["movieId,title,genres\n77777,Uploaded Film (2020),Drama\n"]), "movies.csv");
    const req = new Request("http://localhost/api/v1/imports/movies", { method: "POST", body: form, headers: { authorization: `Bearer ${adminToken}` } });
    const res = await importRoute(req, { params: Promise.resolve({ kind: "movies" }) });
    expect(res.status).toBe(202);
    const job = await finished(((await res.json()) as { job_id: string }).job_id);
    expect(job.result).toMatchObject({ file: "movies.csv", rows_loaded: 1, items_created: 1 });
  });

  it("refuses non-admins, unknown kinds and empty bodies", async () => {
    expectProblem(await call(importRoute, { method: "POST", token: userToken, params: { kind: "ratings" }, rawBody: "x" }), 403, "insufficient_scope");
    expectProblem(await call(importRoute, { method: "POST", token: adminToken, params: { kind: "tweets" }, rawBody: "x" }), 400, "validation_failed");
    expectProblem(await call(importRoute, { method: "POST", token: adminToken, params: { kind: "ratings" } }), 400);
  });
});

describe("rating history pages", () => {
  it("neither repeat nor skip a rating when ratings change between pages, in every order, ties and reals included", async () => {
    const person = await prisma().user.create({ data: { source: "test", externalId: "pager" } });
    const films = await prisma().item.findMany({ take: 14, orderBy: { id: "asc" }, select: { id: true } });
    const t = (s: number, us = 0) => new Date(Date.UTC(2022, 0, 1, 0, 0, s) + us / 1000);
    // Same instants and same ratings for several films; a real that is no double (0.1).
    const rows = films.slice(0, 12).map((f, n) => ({ userId: person.id, itemId: f.id, rating: [4, 4, 0.1, 2.5, 4, 0.1][n % 6], ratedAt: t(n % 4) }));
    await prisma().rating.createMany({ data: rows });
    for (const sort of ["newest", "oldest", "highest", "lowest"] as const) {
      const page = (cursor?: string | null) =>
        call<{ items: { item_id: number }[]; next_cursor: string | null }>(history, { params: { id: "test:pager" }, path: `/api/v1/users/test:pager/ratings?limit=5&sort=${sort}${cursor ? `&cursor=${cursor}` : ""}` });
      const all = (await call<{ items: { item_id: number }[] }>(history, { params: { id: "test:pager" }, path: `/api/v1/users/test:pager/ratings?limit=100&sort=${sort}` })).body.items.map((i) => i.item_id);
      // Undisturbed, five at a time reads the same list as one page.
      const seen: number[] = [];
      let cursor: string | null | undefined;
      do {
        const res = await page(cursor);
        seen.push(...res.body.items.map((i) => i.item_id));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual(all);
      // Page one; then a film is rated that goes at the front of the order (an offset would show page one's last
      // rating again); page two goes on from the last rating shown.
      const first = await page();
      const shown = first.body.items.map((i) => i.item_id);
      const added = films[12 + (sort === "newest" || sort === "oldest" ? 0 : 1)].id;
      await prisma().rating.create({ data: { userId: person.id, itemId: added, rating: sort === "lowest" ? 0 : 5, ratedAt: sort === "oldest" ? t(-100) : t(1000) } });
      await invalidateUserRatings(person.id);
      const second = await page(first.body.next_cursor);
      const next = second.body.items.map((i) => i.item_id);
      expect(next).toEqual(all.slice(5, 10));
      expect(next.filter((id) => shown.includes(id) || id === added)).toEqual([]);
      await prisma().rating.delete({ where: { userId_itemId: { userId: person.id, itemId: added } } });
      await invalidateUserRatings(person.id);
    }
  });

  it("know their number and the way back", () => {
    expect(historyPosition(undefined, 25)).toEqual({ page: 1, previous: null });
    const third = historyPosition(encodeCursor({ o: 50 }), 25);
    expect(third.page).toBe(3);
    expect(historyPosition(third.previous ?? undefined, 25)).toEqual({ page: 2, previous: "" });
  });
});
