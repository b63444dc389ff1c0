import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as connectRoute } from "../app/api/v1/imports/lastfm/route";
import { GET as playsRoute } from "../app/api/v1/users/[id]/plays/route";
import { GET as recsRoute } from "../app/api/v1/users/[id]/recommendations/route";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { registerUser } from "../lib/auth/users";
import { prisma } from "../lib/db/client";
import { executeJob } from "../lib/jobs/execute";
import { createJobRecord } from "../lib/jobs/store";
import { LastfmClient } from "../lib/lastfm/client";
import { retrainAndStore, forgetModel } from "../lib/recs/service";
import { API_KEY, FAN, startFakeLastfm } from "../e2e/support/fake-lastfm.mjs";
import { useTestDatabase } from "./support/db";
import { call, expectProblem } from "./support/http";
import { waitFor } from "./support/wait";

const db = useTestDatabase();
let fake: Awaited<ReturnType<typeof startFakeLastfm>>;
let userId = 0;

async function importFor(uid: number, username: string) {
  const job = await createJobRecord({ kind: "lastfm-import", ownerId: uid, payload: { user_id: uid, username }, maxAttempts: 4 });
  let outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 4 });
  for (let attempt = 1; outcome.status === "retry" && attempt < 4; attempt++) outcome = await executeJob(job.id, { attempt, maxAttempts: 4 });
  return { job: await prisma().job.findUniqueOrThrow({ where: { id: job.id } }), outcome };
}

beforeAll(async () => {
  fake = await startFakeLastfm({ scrobbles: 2500, failures: { "page:5": [29], "page:9": [16] } });
  Object.assign(process.env, { LASTFM_API_URL: fake.url, LASTFM_API_KEY: API_KEY, LASTFM_MIN_INTERVAL_MS: "0", LASTFM_BACKOFF_MS: "10", LASTFM_RETRIES: "3" });
  userId = (await registerUser({ email: "listener@example.com", password: "correct horse" })).id;
});

afterAll(async () => {
  await fake.close();
});

describe("Last.fm client", () => {
  it("reads string paging attributes and leaves out the now-playing entry", async () => {
    const client = new LastfmClient({ url: fake.url, apiKey: API_KEY, minIntervalMs: 0, retries: 0, backoffMs: 0 });
    const page = await client.recentTracks(FAN, 1, { limit: 200 });
    expect(page).toMatchObject({ page: 1, totalPages: 13, total: 2500, skippedNowPlaying: 1 });
    expect(page.scrobbles).toHaveLength(200);
    expect(page.scrobbles.every((s) => Number.isInteger(s.playedAt))).toBe(true);
  });
});

describe("history import", () => {
  it("stores exactly 2,500 plays across a rate-limit error (29) and a temporary error (16) midway", async () => {
    const { job } = await importFor(userId, FAN);
    expect(job.status).toBe("succeeded");
    expect(await prisma().play.count({ where: { userId } })).toBe(2500);
    expect(fake.state.requests.filter((r) => r.page === "5").length).toBeGreaterThanOrEqual(2);
    const tracks = await prisma().item.findMany({ where: { kind: "track" }, select: { genres: true } });
    expect(tracks.length).toBe(200);
    expect(tracks.some((t) => t.genres.includes("Rock"))).toBe(true);
    // album and track tags are fetched separately and added
    expect(tracks.some((t) => t.genres.includes("Album Tag"))).toBe(true);
    expect(tracks.some((t) => t.genres.includes("Catchy"))).toBe(true);
  });

  it("fetches only what is new on a re-import and never stores a play twice", async () => {
    await new Promise((r) => setTimeout(r, 1100)); // scrobbled after the last import's window closed
    fake.addScrobbles(30);
    const before = fake.state.requests.length;
    const { job } = await importFor(userId, FAN);
    expect(job.status).toBe("succeeded");
    expect(await prisma().play.count({ where: { userId } })).toBe(2530);
    expect(fake.state.requests.length - before).toBeLessThan(6);
  });

  it("survives a kill midway: restarted, it still ends with exactly 2,500 plays", async () => {
    const other = (await registerUser({ email: "killed@example.com", password: "correct horse" })).id;
    const job = await createJobRecord({ kind: "lastfm-import", ownerId: other, payload: { user_id: other, username: FAN }, maxAttempts: 3 });
    const script = path.resolve("tests/support/run-job.ts");
    const env = { ...process.env, DATABASE_URL: db.url(), LASTFM_MIN_INTERVAL_MS: "150" };
    const child = spawn(process.execPath, ["--import", "tsx", script, job.id], { env, stdio: "ignore" });
    await waitFor(async () => ((await prisma().jobStep.count({ where: { jobId: job.id } })) >= 4 ? true : null), { timeoutMs: 30_000, what: "some pages" });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const partial = await prisma().play.count({ where: { userId: other } });
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(2530);
    const outcome = await executeJob(job.id, { attempt: 1, maxAttempts: 3 });
    expect(outcome.status).toBe("succeeded");
    expect(await prisma().play.count({ where: { userId: other } })).toBe(2530);
  }, 60_000);

  it("ends with a message a person can act on for a private profile, an unknown user and a bad key", async () => {
    const priv = await importFor(userId, "private-user");
    expect(priv.job).toMatchObject({ status: "failed", attempts: 1 });
    expect(priv.job.error).toContain("private on Last.fm");
    const ghost = await importFor(userId, "nobody-here");
    expect(ghost.job.error).toBe('Last.fm has no user named "nobody-here" (check the spelling)');
    process.env.LASTFM_API_KEY = "wrong";
    const bad = await importFor(userId, FAN);
    process.env.LASTFM_API_KEY = API_KEY;
    expect(bad.job.error).toContain("LASTFM_API_KEY");
  });
});

describe("music API", () => {
  it("connects by API, lists plays newest first, and recommends tracks from plays", async () => {
    const token = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "listener@example.com", password: "correct horse" } })).body.token;
    expectProblem(await call(connectRoute, { method: "POST", token, body: { username: "bad name!" } }), 400);
    const plays = await call<{ items: { item: { title: string; artist: string }; played_at: string }[]; next_cursor: string }>(playsRoute, { token, params: { id: "me" }, path: "/api/v1/users/me/plays?limit=5" });
    expect(plays.body.items).toHaveLength(5);
    expect(plays.body.items[0].item.title).toMatch(/^New Song/);
    const times = plays.body.items.map((p) => p.played_at);
    expect([...times].sort().reverse()).toEqual(times);
    // The scheduled crawl grows the catalog: top tags -> top artists -> top tracks (none of them played yet).
    const crawl = await createJobRecord({ kind: "lastfm-crawl", ownerId: null, payload: {}, maxAttempts: 1 });
    expect((await executeJob(crawl.id, { attempt: 0, maxAttempts: 1 })).status).toBe("succeeded");
    expect(await prisma().item.count({ where: { kind: "track", genres: { has: "Jazz" } } })).toBe(2);
    await retrainAndStore({ factors: 4, iterations: 2 });
    forgetModel();
    const recs = await call<{ items: { item: { id: number }; source: string }[] }>(recsRoute, { token, params: { id: "me" }, path: "/api/v1/users/me/recommendations?kind=track&limit=10" });
    expect(recs.status).toBe(200);
    expect(recs.body.items.length).toBeGreaterThan(0);
    const kinds = await prisma().item.findMany({ where: { id: { in: recs.body.items.map((r) => r.item.id) } }, select: { kind: true } });
    expect(kinds.every((k) => k.kind === "track")).toBe(true);
    const played = new Set((await prisma().play.findMany({ where: { userId }, select: { itemId: true } })).map((p) => p.itemId));
    expect(recs.body.items.some((r) => played.has(r.item.id))).toBe(false);
  });
});
