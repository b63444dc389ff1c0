import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as llmPicksRoute } from "../app/api/v1/users/[id]/llm-picks/route";
import { GET as recsRoute } from "../app/api/v1/users/[id]/recommendations/route";
import { POST as refreshRoute } from "../app/api/v1/me/llm-picks/refresh/route";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { registerUser } from "../lib/auth/users";
import { prisma } from "../lib/db/client";
import { applyFeedback } from "../lib/feedback/service";
import { executeJob } from "../lib/jobs/execute";
import { createJobRecord } from "../lib/jobs/store";
import { usersWithNewFeedback, type UserOutcome } from "../lib/llm/job";
import { useTestDatabase } from "./support/db";
import { picksJson, startFakeLlm } from "./support/fake-llm";
import { call, expectProblem } from "./support/http";

useTestDatabase();
let fake: Awaited<ReturnType<typeof startFakeLlm>>;
let ana = 0;
let ben = 0;
const ids: Record<string, number> = {};

type RunResult = { users: number; ok: number; failed: number; skipped: number; tokens: number; matched: number; unmatched: number; dropped_seen: number; outcomes: UserOutcome[] };

async function run(userIds?: number[]): Promise<RunResult> {
  const job = await createJobRecord({ kind: "llm-picks", ownerId: null, payload: userIds ? { user_ids: userIds } : {}, maxAttempts: 1 });
  const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1 });
  expect(outcome.status).toBe("succeeded");
  return outcome.result as unknown as RunResult;
}

beforeAll(async () => {
  fake = await startFakeLlm();
  Object.assign(process.env, { LLM_BASE_URL: fake.url, LLM_MODEL: "fake-model", LLM_API_KEY: "test", LLM_TIMEOUT_MS: "400", LLM_MAX_RETRIES: "1", LLM_CONCURRENCY: "1" });
  for (const [title, year, genres] of [
    ["Alien", 1979, ["Horror", "Sci-Fi"]],
    ["Aliens", 1986, ["Action", "Sci-Fi"]],
    ["Heat", 1995, ["Crime"]],
    ["Amélie", 2001, ["Comedy", "Romance"]],
    ["The Thing", 1982, ["Horror"]],
    ["Blade Runner", 1982, ["Sci-Fi"]],
    ["Notting Hill", 1999, ["Romance"]],
  ] as const) ids[title] = (await prisma().item.create({ data: { title, year, genres: [...genres] } })).id;
  ana = (await registerUser({ email: "ana@example.com", password: "correct horse" })).id;
  ben = (await registerUser({ email: "ben@example.com", password: "correct horse" })).id;
  await applyFeedback(ana, { itemId: ids["Alien"], type: "like" });
  await applyFeedback(ana, { itemId: ids["Heat"], type: "dislike" });
  await applyFeedback(ben, { itemId: ids["Notting Hill"], type: "like" });
});

afterAll(async () => {
  await fake.close();
  for (const k of ["LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "LLM_TIMEOUT_MS", "LLM_MAX_RETRIES", "LLM_CONCURRENCY", "LLM_MAX_TOKENS_PER_RUN"]) delete process.env[k];
});

beforeEach(() => {
  fake.script.length = 0;
  fake.requests.length = 0;
});

describe("the LLM picks job against a fake OpenAI-compatible server", () => {
  it("stores matched picks with reasons from good output, and the prompt holds only that user's data", async () => {
    fake.script.push({ content: picksJson([{ title: "Aliens", year: 1986, reason: "More Ripley" }, { title: "The Thing", year: 1982, reason: "Isolated horror" }]), tokens: 300 });
    const result = await run([ana]);
    expect(result).toMatchObject({ users: 1, ok: 1, failed: 0, matched: 2, unmatched: 0, tokens: 300 });
    const prompt = fake.requests[0].messages.map((m) => m.content).join("\n");
    expect(prompt).toContain("Alien (1979)");
    expect(prompt).toContain("Heat (1995)");
    expect(prompt).not.toContain("Notting Hill");
    const picks = await prisma().llmPick.findMany({ where: { userId: ana }, orderBy: { rank: "asc" } });
    expect(picks.map((p) => [p.itemId, p.reason])).toEqual([[ids["Aliens"], "More Ripley"], [ids["The Thing"], "Isolated horror"]]);
  });

  it("drops invented titles and films the user already reacted to, and counts both", async () => {
    fake.script.push({
      content: "```json\n" + picksJson([{ title: "The Zorblax Chronicles", year: 2031, reason: "invented" }, { title: "Alien", year: 1979, reason: "seen" }, { title: "Blade Runer", year: 1982, reason: "typo but real" }]) + "\n```",
    });
    const result = await run([ana]);
    expect(result).toMatchObject({ ok: 1, matched: 1, unmatched: 1, dropped_seen: 1 });
    const picks = await prisma().llmPick.findMany({ where: { userId: ana } });
    expect(picks.map((p) => p.itemId)).toEqual([ids["Blade Runner"]]);
  });

  it("asks again once after malformed JSON, and records a failure without storing anything when it stays malformed", async () => {
    fake.script.push({ content: "Sure! Here are some films: Aliens, Heat" }, { content: picksJson([{ title: "Aliens", reason: "second try" }]) });
    expect(await run([ana])).toMatchObject({ ok: 1, matched: 1 });
    expect(fake.requests).toHaveLength(2);
    fake.script.push({ content: "{not json" }, { content: '{"picks": "nope"}' });
    const result = await run([ana]);
    expect(result).toMatchObject({ ok: 0, failed: 1 });
    expect(result.outcomes[0].error).toBe("the model answered twice with malformed JSON");
    const picks = await prisma().llmPick.findMany({ where: { userId: ana } });
    expect(picks.map((p) => p.reason)).toEqual(["second try"]);
  });

  it("retries a 429 with backoff and then succeeds", async () => {
    fake.script.push({ status: 429, raw: '{"error":{"message":"slow down"}}' }, { content: picksJson([{ title: "Amélie", year: 2001, reason: "whimsy" }]) });
    const result = await run([ben]);
    expect(result).toMatchObject({ ok: 1, matched: 1 });
    expect(fake.requests).toHaveLength(2);
  });

  it("records a timeout for one user and still serves the next", async () => {
    fake.script.push({ delayMs: 1500, content: "late" }, { delayMs: 1500, content: "late" }, { content: picksJson([{ title: "Heat", year: 1995, reason: "tense" }]) });
    const result = await run([ana, ben]);
    expect(result.outcomes.map((o) => o.status)).toEqual(["failed", "ok"]);
    expect(result.outcomes[0].error).toMatch(/timed out|timeout/i);
    expect(await prisma().llmPick.findMany({ where: { userId: ben } })).toHaveLength(1);
  }, 20_000);

  it("never stores a pick twice: a new run replaces the user's picks, and a finished job does not run again", async () => {
    fake.script.push({ content: picksJson([{ title: "Aliens", reason: "a" }, { title: "Aliens", reason: "again" }]) });
    const job = await createJobRecord({ kind: "llm-picks", ownerId: null, payload: { user_ids: [ben] }, maxAttempts: 1 });
    await executeJob(job.id, { attempt: 0, maxAttempts: 1 });
    const again = await executeJob(job.id, { attempt: 0, maxAttempts: 1 });
    expect(again.status).toBe("skipped");
    const picks = await prisma().llmPick.findMany({ where: { userId: ben } });
    expect(picks.map((p) => p.itemId)).toEqual([ids["Aliens"]]);
    expect(await prisma().llmUserRun.count({ where: { runId: job.id } })).toBe(1);
  });

  it("stops at the token budget and skips the rest", async () => {
    process.env.LLM_MAX_TOKENS_PER_RUN = "100";
    fake.script.push({ content: picksJson([{ title: "Heat", reason: "x" }]), tokens: 500 });
    const result = await run([ben, ana]);
    delete process.env.LLM_MAX_TOKENS_PER_RUN;
    expect(result.outcomes.map((o) => o.status)).toEqual(["ok", "skipped"]);
    expect(fake.requests).toHaveLength(1);
  });

  it("selects only users with feedback newer than their last successful run", async () => {
    const before = await usersWithNewFeedback(10);
    expect(before).not.toContain(ben);
    await applyFeedback(ben, { itemId: ids["Blade Runner"], type: "like" });
    expect(await usersWithNewFeedback(10)).toContain(ben);
  });
});

describe("serving AI picks", () => {
  it("lists a user's picks by API and blends them in with their reason", async () => {
    const t = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "ben@example.com", password: "correct horse" } })).body.token;
    const res = await call<{ items: { item: { title: string }; reason: string }[]; llm: { enabled: boolean } }>(llmPicksRoute, { token: t, params: { id: "me" } });
    expect(res.body.llm.enabled).toBe(true);
    expect(res.body.items.length).toBeGreaterThan(0);
    const recs = await call<{ items: { reason: string; source: string }[] }>(recsRoute, { token: t, params: { id: "me" } });
    expect(recs.body.items.some((r) => r.source === "llm" && r.reason.startsWith("AI pick: "))).toBe(true);
    expectProblem(await call(llmPicksRoute, { params: { id: String(ana) } }), 404);
  });

  it("says why a scheduled run did nothing when no model is configured (the jobs list showed 'Done')", async () => {
    const saved = process.env.LLM_BASE_URL;
    delete process.env.LLM_BASE_URL;
    try {
      const result = (await run()) as unknown as { summary: string };
      expect(result.summary).toMatch(/^Skipped: no language model is configured \(set LLM_BASE_URL/);
    } finally {
      process.env.LLM_BASE_URL = saved;
    }
  });

  it("refuses a refresh with a clear message when no model is configured", async () => {
    const saved = process.env.LLM_BASE_URL;
    delete process.env.LLM_BASE_URL;
    const t = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "ana@example.com", password: "correct horse" } })).body.token;
    const res = await call<{ detail: string }>(refreshRoute, { method: "POST", token: t });
    process.env.LLM_BASE_URL = saved;
    expectProblem(res, 409);
    expect(res.body.detail).toContain("LLM_BASE_URL");
  });
});
