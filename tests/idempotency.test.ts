import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as addItems } from "../app/api/v1/add_items/route";
import { POST as importRoute } from "../app/api/v1/imports/[kind]/route";
import { POST as feedbackRoute } from "../app/api/v1/me/feedback/route";
import { GET as openapiRoute } from "../app/api/v1/openapi.json/route";
import { POST as tokensRoute } from "../app/api/v1/tokens/route";
import { once } from "../lib/api/idempotency";
import { OPERATIONS, type Operation } from "../lib/api/openapi";
import { createToken } from "../lib/auth/tokens";
import { ensureAdmin, registerUser } from "../lib/auth/users";
import { prisma } from "../lib/db/client";
import { CreateExperimentSchema } from "../lib/experiments/schemas";
import { createExperiment } from "../lib/experiments/service";
import { stopJobRunner } from "../lib/jobs/embedded";
import { executeJob } from "../lib/jobs/execute";
import { createJobRecord } from "../lib/jobs/store";
import { useTestDatabase } from "./support/db";
import { call, expectProblem, type CallResult } from "./support/http";

// Every write in the OpenAPI document, sent twice with one Idempotency-Key: the second answer is the first one
// replayed; the key reused for another request is refused with 422.
useTestDatabase();

type Handler = Parameters<typeof call>[0];
type Req = { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; params?: Record<string, string> };

const routes = import.meta.glob<Record<string, Handler>>("../app/api/v1/**/route.ts");
async function handlerFor(o: Operation): Promise<Handler> {
  const load = routes[`../app/api/v1${o.path.replace(/\{([^}]+)\}/g, "[$1]")}/route.ts`];
  if (!load) throw new Error(`no route file for ${o.path}`);
  return (await load())[o.method.toUpperCase()];
}

const dataDir = mkdtempSync(path.join(tmpdir(), "tastebud-idem-"));
const ENV = { DATA_DIR: dataDir, ALLOW_CLEANUP: "true", LASTFM_API_KEY: "test-key", LLM_BASE_URL: "http://127.0.0.1:9/v1", LLM_MODEL: "fake" };
const savedEnv = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
let admin = "";
let writer = "";
let other = "";
let writerUser: Awaited<ReturnType<typeof registerUser>>;
let itemId = 0;
const CSV = "userId,movieId,rating,timestamp\n9001,1,4.5,1500000000\n";

beforeAll(async () => {
  Object.assign(process.env, ENV);
  const adminUser = await ensureAdmin("admin@example.com", "correct horse");
  admin = (await createToken(adminUser, "admin", ["read", "write", "admin"])).token;
  writerUser = await registerUser({ email: "writer@example.com", password: "correct horse" });
  writer = (await createToken(writerUser, "writer", ["read", "write"])).token;
  other = (await createToken(await registerUser({ email: "other@example.com", password: "correct horse" }), "other", ["read", "write"])).token;
  itemId = (await prisma().item.create({ data: { title: "Idempotent Film", genres: ["Drama"] } })).id;
});

afterAll(async () => {
  await stopJobRunner();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

// A request that succeeds for each write operation, made fresh for every run. A new write without one fails below.
const VALID: Record<string, () => Promise<Req>> = {
  "post /auth/register": async () => ({ body: { email: `new-${randomUUID()}@example.com`, password: "correct horse battery" } }),
  "post /auth/token": async () => ({ body: { email: "writer@example.com", password: "correct horse", scopes: ["read"] } }),
  "post /tokens": async () => ({ token: writer, body: { name: "ci", scopes: ["read"] } }),
  "delete /tokens/{id}": async () => ({ token: writer, params: { id: String((await createToken(writerUser, "doomed", ["read"])).summary.id) } }),
  "post /items": async () => ({ token: admin, body: [{ source: "shop", external_id: `sku-${randomUUID()}`, title: "Shop Film", genres: ["Drama"] }] }),
  "post /me/llm-picks/refresh": async () => ({ token: writer }),
  "post /imports/lastfm": async () => ({ token: writer, body: { username: "listener" } }),
  "post /imports/{kind}": async () => ({ token: admin, params: { kind: "ratings" }, rawBody: CSV, headers: { "content-type": "text/csv", "content-length": String(CSV.length) } }),
  "post /events": async () => ({ token: writer, body: [{ item_id: itemId, type: "view" }] }),
  "post /me/feedback": async () => ({ token: writer, body: { item_id: itemId, type: "like" } }),
  "post /jobs": async () => ({ token: admin, body: { kind: "catalog-stats" } }),
  "post /jobs/{id}/cancel": async () => {
    const job = await createJobRecord({ kind: "catalog-stats", ownerId: writerUser.id, payload: {}, maxAttempts: 1 });
    return { token: writer, params: { id: job.id } };
  },
  "post /experiments": async () => ({ token: writer, body: { name: `eval ${randomUUID()}` } }),
  "post /experiments/{id}/cancel": async () => {
    const experiment = await createExperiment(writerUser, CreateExperimentSchema.parse({ name: "to cancel" }));
    return { token: writer, params: { id: experiment.id } };
  },
  "post /cleanup": async () => ({ token: admin }),
  "post /add_items": async () => ({ body: { item_ids: [`g-${randomUUID()}`], genres: [["Comedy"]] } }),
  "post /interact": async () => ({ body: { user_id: "grader-1", item_ids: ["g-1"], actions: ["like"] } }),
  "post /launch": async () => ({ token: writer, rawBody: "" }),
};

const writes = OPERATIONS.filter((o) => o.method !== "get");
const pathOf = (o: Operation, params: Record<string, string> = {}) => `/api/v1${o.path.replace(/\{([^}]+)\}/g, (_m, k: string) => params[k])}`;

function send(handler: Handler, o: Operation, r: Req, key: string, query = "") {
  return call(handler, { method: o.method.toUpperCase(), path: pathOf(o, r.params) + query, token: r.token, body: r.body, rawBody: r.rawBody, params: r.params, headers: { ...r.headers, "idempotency-key": key } });
}

function isProblem(res: CallResult, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
}

describe.each(writes.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))("%s with an Idempotency-Key", (_name, o) => {
  it("replays the first answer, and refuses the key for a different request with 422", async () => {
    const make = VALID[`${o.method} ${o.path}`];
    expect(make, `tests/idempotency.test.ts has no valid request for ${o.method} ${o.path}`).toBeDefined();
    const r = await make();
    const handler = await handlerFor(o);
    const key = `k-${randomUUID()}`;
    const first = await send(handler, o, r, key);
    expect(first.status, JSON.stringify(first.body)).toBe(o.ok[0]);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await send(handler, o, r, key);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    isProblem(await send(handler, o, r, key, "?variant=other"), 422);
  });
});

describe("Idempotency-Key", () => {
  it("is documented on every write operation and on no read", async () => {
    const doc = (await call<{ paths: Record<string, Record<string, { parameters: { $ref?: string }[]; responses: Record<string, unknown> }>> }>(openapiRoute)).body;
    for (const o of OPERATIONS) {
      const operation = doc.paths[o.path][o.method];
      const refs = operation.parameters.map((p) => p.$ref);
      expect(refs.includes("#/components/parameters/IdempotencyKey"), `${o.method} ${o.path}`).toBe(o.method !== "get");
      if (o.method !== "get") expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["409", "422"]));
    }
  });

  it("is refused when malformed", async () => {
    expectProblem(await call(feedbackRoute, { method: "POST", token: writer, body: { item_id: itemId, type: "like" }, headers: { "idempotency-key": "has spaces" } }), 400);
  });

  it("is scoped per user: another user's same key runs their own request", async () => {
    const key = `shared-${randomUUID()}`;
    const mine = await call(feedbackRoute, { method: "POST", token: writer, body: { item_id: itemId, type: "like" }, headers: { "idempotency-key": key } });
    const theirs = await call(feedbackRoute, { method: "POST", token: other, body: { item_id: itemId, type: "like" }, headers: { "idempotency-key": key } });
    expect([mine.status, theirs.status]).toEqual([200, 200]);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
  });

  it("is scoped per client IP for anonymous writes", async () => {
    const key = `anon-${randomUUID()}`;
    const body = { item_ids: [`ip-${randomUUID()}`] };
    const from = (ip: string) => call(addItems, { method: "POST", body, headers: { "idempotency-key": key, "x-forwarded-for": ip } });
    const a = await from("203.0.113.1");
    const b = await from("203.0.113.2");
    const aAgain = await from("203.0.113.1");
    expect(b.headers.get("idempotent-replayed")).toBeNull();
    expect(aAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(aAgain.body).toEqual(a.body);
  });

  it("is forgotten after a day by the hourly job, and a repeat then runs as a new request", async () => {
    const old = `old-${randomUUID()}`;
    const fresh = `fresh-${randomUUID()}`;
    const send = (key: string) => call(feedbackRoute, { method: "POST", token: writer, body: { item_id: itemId, type: "like" }, headers: { "idempotency-key": key } });
    await send(old);
    await send(fresh);
    await prisma().idempotencyKey.updateMany({ where: { key: old }, data: { createdAt: new Date(Date.now() - 25 * 3600_000) } });
    const job = await createJobRecord({ kind: "expire-idempotency-keys", ownerId: null, payload: {}, maxAttempts: 1 });
    const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1 });
    expect(outcome.status).toBe("succeeded");
    expect((outcome.result as { removed: number }).removed).toBeGreaterThanOrEqual(1);
    expect(await prisma().idempotencyKey.count({ where: { key: { in: [old, fresh] } } })).toBe(1);
    expect((await send(old)).headers.get("idempotent-replayed")).toBeNull();
    expect((await send(fresh)).headers.get("idempotent-replayed")).toBe("true");
  });

  it("takes over a key abandoned by a crashed request once: a retry sent alongside gets 409", async () => {
    const key = `abandoned-${randomUUID()}`;
    const scope = { userId: writerUser.id };
    const request = { method: "POST", path: "/api/v1/me/feedback", body: { n: 1 } };
    // The first request "crashes": it never answers, and its claim is five minutes old.
    void once(scope, key, request, () => new Promise<Response>(() => undefined));
    await vi.waitFor(async () => expect(await prisma().idempotencyKey.count({ where: { key } })).toBe(1));
    await prisma().idempotencyKey.updateMany({ where: { key }, data: { createdAt: new Date(Date.now() - 6 * 60_000) } });
    let runs = 0;
    const retry = () =>
      once(scope, key, request, async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 300));
        return new Response(JSON.stringify({ ok: true }), { status: 200 });
      }).then((r) => r.status, (err: { status?: number }) => err.status);
    const statuses = await Promise.all([retry(), retry()]);
    expect(runs).toBe(1);
    expect(statuses.sort()).toEqual([200, 409]);
  });

  it("is freed when the request fails, so the same key can carry a corrected request", async () => {
    const key = `retry-${randomUUID()}`;
    isProblem(await call(feedbackRoute, { method: "POST", token: writer, body: { item_id: 2_000_000_000, type: "like" }, headers: { "idempotency-key": key } }), 422);
    const fixed = await call(feedbackRoute, { method: "POST", token: writer, body: { item_id: itemId, type: "like" }, headers: { "idempotency-key": key } });
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  it("answers 409 while the first request with the key is still running, claimed before an upload is read", async () => {
    const key = `slow-${randomUUID()}`;
    let finishUpload: () => void = () => undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("userId,movieId,rating,timestamp\n"));
        finishUpload = () => {
          controller.enqueue(new TextEncoder().encode("9002,1,3,1500000000\n"));
          controller.close();
        };
      },
    });
    const headers = { authorization: `Bearer ${admin}`, "content-type": "text/csv", "content-length": "52", "idempotency-key": key };
    const upload = (b: BodyInit) => importRoute(new Request("http://localhost/api/v1/imports/ratings", { method: "POST", headers, body: b, duplex: "half" } as RequestInit), { params: Promise.resolve({ kind: "ratings" }) });
    const first = upload(body);
    await expect.poll(() => prisma().idempotencyKey.count({ where: { key } })).toBe(1);
    const second = await upload("userId,movieId,rating,timestamp\n9002,1,3,1500000000\n");
    expect(second.status).toBe(409);
    finishUpload();
    expect((await first).status).toBe(202);
  });

  it("tells uploads apart by length: the same key with another file is refused", async () => {
    const key = `upload-${randomUUID()}`;
    const csv = (rows: string) => ({ token: admin, params: { kind: "ratings" }, rawBody: rows, headers: { "content-type": "text/csv", "content-length": String(rows.length), "idempotency-key": key } });
    expect((await call(importRoute, { method: "POST", path: "/api/v1/imports/ratings", ...csv(CSV) })).status).toBe(202);
    isProblem(await call(importRoute, { method: "POST", path: "/api/v1/imports/ratings", ...csv(`${CSV}9003,2,4,1500000000\n`) }), 422);
  });

  it("keeps neither the request nor the answer in clear text (a new token is shown once, and stored only sealed)", async () => {
    const key = `token-${randomUUID()}`;
    const res = await call<{ token: string }>(tokensRoute, { method: "POST", token: writer, body: { name: "name-in-clear-text", scopes: ["read"] }, headers: { "idempotency-key": key } });
    expect(res.status).toBe(201);
    const row = await prisma().idempotencyKey.findFirstOrThrow({ where: { key } });
    expect(JSON.stringify(row.body)).not.toContain(res.body.token);
    expect(JSON.stringify(row.body)).not.toContain("name-in-clear-text");
  });
});
