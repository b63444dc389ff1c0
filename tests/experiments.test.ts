import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as launch } from "../app/api/v1/launch/route";
import { GET as getResult } from "../app/api/v1/get_result/route";
import { GET as logs } from "../app/api/v1/logs/route";
import { GET as listExperimentsRoute, POST as createExperimentRoute } from "../app/api/v1/experiments/route";
import { GET as getExperimentRoute } from "../app/api/v1/experiments/[id]/route";
import { POST as cancelExperimentRoute } from "../app/api/v1/experiments/[id]/cancel/route";
import { GET as recsRoute } from "../app/api/v1/users/[id]/recommendations/route";
import { POST as feedbackRoute } from "../app/api/v1/me/feedback/route";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { ensureAdmin, registerUser } from "../lib/auth/users";
import { prisma } from "../lib/db/client";
import { assignVariant, twoProportionTest, wilson } from "../lib/experiments/ab";
import { startJobRunner, stopJobRunner } from "../lib/jobs/embedded";
import { retrainAndStore, forgetModel } from "../lib/recs/service";
import { useTestDatabase } from "./support/db";
import { seedSyntheticCatalog } from "./support/catalog";
import { call, expectProblem } from "./support/http";
import { waitFor } from "./support/wait";

const db = useTestDatabase();
let admin = "";
let user = "";
let userId = 0;
const token = async (email: string, scopes: string[]) => (await call<{ token: string }>(exchange, { method: "POST", body: { email, password: "correct horse", scopes } })).body.token;

beforeAll(async () => {
  await ensureAdmin("admin@example.com", "correct horse");
  userId = (await registerUser({ email: "user@example.com", password: "correct horse" })).id;
  admin = await token("admin@example.com", ["admin"]);
  user = await token("user@example.com", ["read", "write"]);
  await seedSyntheticCatalog({ films: 80, users: 400, genres: ["Comedy", "Horror", "Drama", "Sci-Fi", "Western"], seed: 9, userPrefix: "e" });
  await retrainAndStore({ factors: 8, iterations: 4 });
  forgetModel();
  process.env.JOB_POLL_SECONDS = "0.5";
}, 60_000);

afterAll(async () => {
  await stopJobRunner();
});

describe("the old launch / get_result API", () => {
  it("tells a pending task from an unknown one, then runs the default evaluation to SUCCESS", async () => {
    const started = await call<{ task_id: string }>(launch, { method: "POST", token: user, rawBody: "" });
    expect(started.status).toBe(202);
    const pending = await call<{ status: string; progress: number }>(getResult, { token: user, path: `/api/v1/get_result?task_id=${started.body.task_id}` });
    expect(pending.status).toBe(200);
    expect(["PENDING", "SENT"]).toContain(pending.body.status);
    expect(pending.body).not.toHaveProperty("result");
    expectProblem(await call(getResult, { token: user, path: "/api/v1/get_result?task_id=00000000-0000-4000-8000-000000000000" }), 404);
    expectProblem(await call(getResult, { token: user, path: "/api/v1/get_result" }), 400);

    await startJobRunner(db.url());
    const done = await waitFor(async () => {
      const r = await call<{ status: string; progress: number; result?: { metrics: { recommender: string; ndcg: number; k: number }[] } }>(getResult, { token: user, path: `/api/v1/get_result?id=${started.body.task_id}` });
      return r.body.status === "SUCCESS" || r.body.status === "FAILURE" ? r.body : null;
    }, { timeoutMs: 120_000, what: "evaluation" });
    expect(done.status).toBe("SUCCESS");
    expect(done.progress).toBe(100);
    const ndcg = (name: string) => done.result?.metrics.find((m) => m.recommender === name && m.k === 10)?.ndcg ?? 0;
    expect(done.result?.metrics.map((m) => m.recommender).sort()).toEqual(["als", "blend", "content", "item_knn", "popularity", "user_overlap"]);
    expect(ndcg("blend")).toBeGreaterThan(0);
  }, 150_000);

  it("rejects a malformed definition with 400 and a clear message", async () => {
    expectProblem(await call(launch, { method: "POST", token: user, rawBody: "{oops" }), 400, "invalid_json");
    const bad = await call(launch, { method: "POST", token: user, body: { split: "sideways" } });
    expectProblem(bad, 400, "validation_failed");
    expectProblem(await call(launch, { method: "POST", token: user, body: { split: "temporal", folds: 3 } }), 400);
  });
});

describe("experiments API", () => {
  it("creates, lists, reads and cancels an offline evaluation", async () => {
    await stopJobRunner();
    const created = await call<{ id: string; status: string; job: { id: string } }>(createExperimentRoute, {
      method: "POST",
      token: user,
      body: { kind: "offline", name: "small", recommenders: ["popularity", "item_knn"], k: [5, 10], split: "random", folds: 2 },
    });
    expect(created.status).toBe(201);
    const list = await call<{ items: { id: string }[] }>(listExperimentsRoute, { token: user });
    expect(list.body.items.map((e) => e.id)).toContain(created.body.id);
    const cancelled = await call<{ status: string }>(cancelExperimentRoute, { method: "POST", token: user, params: { id: created.body.id } });
    expect(cancelled.body.status).toBe("cancelled");
    const legacy = await call<{ status: string }>(getResult, { token: user, path: `/api/v1/get_result?task_id=${created.body.job.id}` });
    expect(legacy.body.status).toBe("REVOKED");
    expectProblem(await call(getExperimentRoute, { token: user, params: { id: "nope" } }), 404);
  });

  it("runs an A/B test: users get a stable variant, impressions and clicks are counted, with confidence intervals", async () => {
    expectProblem(await call(createExperimentRoute, { method: "POST", token: user, body: { kind: "ab", name: "x", variants: [{ name: "a" }, { name: "b" }] } }), 403);
    const created = await call<{ id: string }>(createExperimentRoute, {
      method: "POST",
      token: admin,
      body: { kind: "ab", name: "knn vs als", variants: [{ name: "control", weights: {} }, { name: "knn-heavy", weights: { item_knn: 3, als: 0.2 } }] },
    });
    expect(created.status).toBe(201);
    const film = await prisma().item.findFirstOrThrow({ where: { title: "Film 3" } });
    await call(feedbackRoute, { method: "POST", token: user, body: { item_id: film.id, type: "like" } });
    const recs = await call<{ items: { item: { id: number } }[]; variant: { experiment_id: string; name: string } }>(recsRoute, { token: user, params: { id: "me" } });
    expect(recs.body.variant.experiment_id).toBe(created.body.id);
    expect(recs.body.variant.name).toBe(assignVariant(created.body.id, userId, [{ name: "control", weights: {} }, { name: "knn-heavy", weights: {} }]).name);
    const again = await call<{ variant: { name: string } }>(recsRoute, { token: user, params: { id: "me" } });
    expect(again.body.variant.name).toBe(recs.body.variant.name);
    await call(feedbackRoute, { method: "POST", token: user, body: { item_id: recs.body.items[0].item.id, type: "click" } });
    const exp = await call<{ result: { variants: { variant: string; impressions: number; ctr: { count: number; rate: number; low: number; high: number } }[]; comparisons: unknown[] } }>(
      getExperimentRoute,
      { token: admin, params: { id: created.body.id } },
    );
    const mine = exp.body.result.variants.find((v) => v.variant === recs.body.variant.name);
    expect(mine?.impressions).toBe(recs.body.items.length * 2);
    expect(mine?.ctr.count).toBe(1);
    expect(mine?.ctr.low).toBeLessThanOrEqual(mine?.ctr.rate ?? 0);
    expect(exp.body.result.comparisons).toHaveLength(2);
    await call(cancelExperimentRoute, { method: "POST", token: admin, params: { id: created.body.id } });
    const after = await call<{ variant: unknown }>(recsRoute, { token: user, params: { id: "me" } });
    expect(after.body.variant).toBeNull();
  });

  it("computes Wilson intervals and the two-proportion test as by hand", () => {
    const w = wilson(10, 100);
    expect(w.rate).toBe(0.1);
    expect(w.low).toBeCloseTo(0.0552, 3);
    expect(w.high).toBeCloseTo(0.1744, 3);
    const t = twoProportionTest(50, 1000, 80, 1000);
    // pooled 0.065, se = sqrt(0.065 * 0.935 * 2 / 1000) = 0.011025, z = 0.03 / se = 2.7211
    expect(t.z).toBeCloseTo(2.7211, 3);
    expect(t.p).toBeCloseTo(0.0065, 3);
    expect(twoProportionTest(5, 100, 5, 100).p).toBeCloseTo(1, 5);
  });
});

describe("GET /api/v1/logs", () => {
  it("returns rows of a registered table, filtered by dates and user, with both spellings and cursor paging", async () => {
    const u = await prisma().user.findUniqueOrThrow({ where: { source_externalId: { source: "demo", externalId: "e3" } } });
    const all = await call<{ table: string; items: { user_id: number; rated_at: string }[]; next_cursor: string | null }>(logs, { token: admin, path: `/api/v1/logs?table=ratings&user_id=${u.id}&limit=5` });
    expect(all.status).toBe(200);
    expect(all.body.table).toBe("ratings");
    expect(all.body.items.every((r) => r.user_id === u.id)).toBe(true);
    const times = all.body.items.map((r) => r.rated_at);
    expect([...times].sort().reverse()).toEqual(times);
    if (all.body.next_cursor) {
      const p2 = await call<{ items: { rated_at: string }[] }>(logs, { token: admin, path: `/api/v1/logs?table=ratings&user_id=${u.id}&limit=5&cursor=${all.body.next_cursor}` });
      expect(p2.body.items.length).toBeGreaterThan(0);
      expect(p2.body.items[0].rated_at <= times[times.length - 1]).toBe(true);
    }
    const old = await call<{ items: unknown[] }>(logs, { token: admin, path: `/api/v1/logs?table_name=events&user_id=${userId}` });
    expect(old.status).toBe(200);
    expect(old.body.items.length).toBeGreaterThan(0);
    const jobs = await call<{ items: { kind: string }[] }>(logs, { token: admin, path: "/api/v1/logs?table=jobs&from_date=2000-01-01" });
    expect(jobs.body.items.some((j) => j.kind === "evaluation")).toBe(true);
    const none = await call<{ items: unknown[] }>(logs, { token: admin, path: "/api/v1/logs?table=ratings&from_date=2099-01-01&to_date=2099-12-31" });
    expect(none.body.items).toEqual([]);
    const day = all.body.items[0].rated_at.slice(0, 10);
    const sameDay = await call<{ items: { rated_at: string }[] }>(logs, { token: admin, path: `/api/v1/logs?table=ratings&user_id=${u.id}&from_date=${day}&to_date=${day}` });
    expect(sameDay.body.items.length).toBeGreaterThan(0);
    expect(sameDay.body.items.every((r) => r.rated_at.startsWith(day))).toBe(true);
    // The user as source:id too, times as the rest of the API writes them.
    const byRef = await call<{ items: { user_id: number; rated_at: string }[] }>(logs, { token: admin, path: `/api/v1/logs?table=ratings&user_id=demo:e3&limit=5` });
    expect(byRef.body.items).toEqual(all.body.items);
    expect(all.body.items.every((r) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(r.rated_at))).toBe(true);
    expectProblem(await call(logs, { token: admin, path: "/api/v1/logs?table=ratings&user_id=demo:nobody" }), 404);
  });

  it("answers 400 with a clear message for unknown tables and bad dates, and 403 for non-admins", async () => {
    const unknown = await call<{ detail: string }>(logs, { token: admin, path: "/api/v1/logs?table=secrets" });
    expectProblem(unknown, 400);
    expect(unknown.body.detail).toContain('Unknown table "secrets"');
    expectProblem(await call(logs, { token: admin, path: "/api/v1/logs?table=ratings&from_date=yesterday" }), 400, "validation_failed");
    expectProblem(await call(logs, { token: admin, path: "/api/v1/logs?table=ratings&from_date=2024-02-30" }), 400);
    expectProblem(await call(logs, { token: admin, path: "/api/v1/logs?table=ratings&from_date=2024-02-01&to_date=2024-01-01" }), 400);
    expectProblem(await call(logs, { token: admin, path: "/api/v1/logs" }), 400);
    expectProblem(await call(logs, { token: admin, path: "/api/v1/logs?table=ratings&user_id=abc" }), 400);
    expectProblem(await call(logs, { token: user, path: "/api/v1/logs?table=ratings" }), 403);
  });
});
