import { beforeAll, describe, expect, it } from "vitest";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { POST as createTokenRoute } from "../app/api/v1/tokens/route";
import { GET as listJobsRoute, POST as startJobRoute } from "../app/api/v1/jobs/route";
import { GET as cleanupGet } from "../app/api/v1/cleanup/route";
import { GET as itemsRoute } from "../app/api/v1/items/route";
import { OPTIONS as itemOptionsRoute, PUT as putItemRoute } from "../app/api/v1/items/[id]/route";
import { POST as postHealthRoute } from "../app/api/v1/health/route";
import { POST as postRatesRoute } from "../app/api/v1/rates/[uid]/route";
import { GET as getEventsRoute } from "../app/api/v1/events/route";
import { GET as historyRoute } from "../app/api/v1/users/[id]/ratings/route";
import { POST as feedbackRoute } from "../app/api/v1/me/feedback/route";
import { GET as listExperimentsRoute, POST as createExperimentRoute } from "../app/api/v1/experiments/route";
import { POST as eventsRoute } from "../app/api/v1/events/route";
import { POST as launchRoute } from "../app/api/v1/launch/route";
import { POST as upsertItemsRoute } from "../app/api/v1/items/route";
import { ensureAdmin, registerUser } from "../lib/auth/users";
import { prisma } from "../lib/db/client";
import { useTestDatabase } from "./support/db";
import { call, expectProblem } from "./support/http";

// Findings of a security review, each pinned by a test.
useTestDatabase();
let adminRead = "";
let adminFull = "";
let alice = "";
let bob = "";
const token = async (email: string, scopes: string[]) => (await call<{ token: string }>(exchange, { method: "POST", body: { email, password: "correct horse", scopes } })).body.token;

beforeAll(async () => {
  await ensureAdmin("admin@example.com", "correct horse");
  await registerUser({ email: "alice@example.com", password: "correct horse" });
  await registerUser({ email: "bob@example.com", password: "correct horse" });
  adminRead = await token("admin@example.com", ["read", "write"]);
  adminFull = await token("admin@example.com", ["admin"]);
  alice = await token("alice@example.com", ["read", "write"]);
  bob = await token("bob@example.com", ["read", "write"]);
  await prisma().item.create({ data: { title: "Film", genres: ["Drama"] } });
});

describe("scopes, not roles, decide", () => {
  it("a token cannot mint a token with more scopes than it has", async () => {
    expectProblem(await call(createTokenRoute, { method: "POST", token: adminRead, body: { name: "x", scopes: ["admin"] } }), 403, "insufficient_scope");
    expect((await call(createTokenRoute, { method: "POST", token: adminFull, body: { name: "x", scopes: ["admin"] } })).status).toBe(201);
  });

  it("an administrator's token without the admin scope sees only its own jobs", async () => {
    await call(startJobRoute, { method: "POST", token: alice, body: { kind: "evaluation", payload: { config: {} } } });
    const asRead = await call<{ items: { owner_id: number }[] }>(listJobsRoute, { token: adminRead });
    expect(asRead.body.items).toHaveLength(0);
    const asAdmin = await call<{ items: unknown[] }>(listJobsRoute, { token: adminFull });
    expect(asAdmin.body.items.length).toBeGreaterThan(0);
  });

  it("imports cannot be started with a server path through the jobs API", async () => {
    expectProblem(await call(startJobRoute, { method: "POST", token: adminFull, body: { kind: "import", payload: { format: "movies", path: "/etc/passwd", name: "x" } } }), 400);
  });

  it("cleanup refuses a browser session even for GET", async () => {
    process.env.ALLOW_CLEANUP = "true";
    expectProblem(await call(cleanupGet, { token: alice }), 403);
    expect((await call(cleanupGet, { token: adminFull })).status).toBe(200);
  });
});

describe("no 500s for odd input", () => {
  it("answers 400 for NUL characters, ids beyond int4, and a rating without a value", async () => {
    expectProblem(await call(itemsRoute, { path: "/api/v1/items?q=%00" }), 400);
    expectProblem(await call(historyRoute, { params: { id: "9999999999" } }), 400);
    const film = await prisma().item.findFirstOrThrow();
    expectProblem(await call(feedbackRoute, { method: "POST", token: alice, body: { item_id: film.id, type: "rate" } }), 400);
    expectProblem(await call(feedbackRoute, { method: "POST", token: alice, body: { item_id: film.id, type: "rate", value: 7 } }), 400);
    expectProblem(await call(listJobsRoute, { token: alice, path: `/api/v1/jobs?cursor=${Buffer.from(JSON.stringify({ c: "x", i: "y" })).toString("base64url")}` }), 400, "invalid_cursor");
  });

  it("answers 400 naming the place for a NUL in a path parameter or anywhere in a JSON body, and stores nothing", async () => {
    for (const id of ["\u0000", "a\u0000b", "movietweetings:\u0000"]) {
      const res = await call<{ errors: { path: string }[] }>(historyRoute, { token: alice, params: { id } });
      expectProblem(res, 400, "bad_request");
      expect(res.body.errors).toEqual([{ path: "path.id", message: "contains a NUL character" }]);
    }
    const tokensBefore = await prisma().apiToken.count();
    const named = await call<{ errors: { path: string }[] }>(createTokenRoute, { method: "POST", token: alice, body: { name: "n\u0000", scopes: ["read"] } });
    expectProblem(named, 400, "bad_request");
    expect(named.body.errors[0].path).toBe("body.name");
    const nested = await call<{ errors: { path: string }[] }>(createExperimentRoute, { method: "POST", token: alice, body: { kind: "offline", name: "x", recommenders: ["popularity", "ok\u0000"] } });
    expect(nested.body.errors[0].path).toBe("body.recommenders.1");
    const key = await call<{ errors: { path: string }[] }>(createTokenRoute, { method: "POST", token: alice, body: { name: "fine", scopes: ["read"], ["odd\u0000key"]: 1 } });
    expect(key.body.errors[0].path).toBe("body (a key)");
    expect(await prisma().apiToken.count()).toBe(tokensBefore);
    // Nesting deeper than the call stack goes is walked as well (the body limit allows it).
    const deep = "[".repeat(200_000) + '"\\u0000"' + "]".repeat(200_000);
    expectProblem(await call(createExperimentRoute, { method: "POST", token: alice, rawBody: deep, headers: { "content-type": "application/json" } }), 400, "bad_request");
  });
});

describe("a method an endpoint does not take", () => {
  it("is a 405 in problem+json that says which methods it takes, in Allow too", async () => {
    for (const [route, allow] of [
      [putItemRoute, "GET, HEAD, OPTIONS"],
      [postHealthRoute, "GET, HEAD, OPTIONS"],
      [postRatesRoute, "GET, HEAD, OPTIONS"],
      [getEventsRoute, "POST, OPTIONS"],
    ] as const) {
      const res = await call<{ detail: string }>(route, { method: "PUT", token: alice });
      expectProblem(res, 405, "method_not_allowed");
      expect(res.headers.get("allow")).toBe(allow);
      expect(res.body.detail).toContain("this endpoint takes");
    }
    const options = await call(itemOptionsRoute, { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });
});

describe("400s for bodies of several accepted shapes", () => {
  it("name the field that is wrong for the shape the body was meant as, or say which shapes and kinds there are", async () => {
    const errors = async (route: Parameters<typeof call>[0], body: unknown, as = alice) => {
      const res = await call<{ errors: { path: string; message: string }[] }>(route, { method: "POST", token: as, body });
      expectProblem(res, 400, "validation_failed");
      return res.body.errors;
    };
    expect(await errors(eventsRoute, [{ item_id: "86", type: "view" }])).toEqual([{ path: "body.0.item_id", message: expect.stringContaining("expected number") }]);
    expect(await errors(eventsRoute, { events: [{ item_id: 86, type: "stare" }] })).toEqual([{ path: "body.events.0.type", message: expect.stringContaining("expected one of") }]);
    expect((await errors(eventsRoute, Array.from({ length: 1001 }, () => ({ item_id: 1, type: "view" }))))[0]).toMatchObject({ path: "body", message: expect.stringContaining("1000") });
    expect(await errors(eventsRoute, "view")).toEqual([{ path: "body", message: "must be an array or an object" }]);
    expect(await errors(launchRoute, { recommenders: ["nope"] })).toEqual([{ path: "body.recommenders.0", message: expect.stringContaining("popularity") }]);
    expect(await errors(createExperimentRoute, { kind: "other" })).toEqual([{ path: "body.kind", message: 'must be one of "ab", "offline"' }]);
    expect(await errors(createExperimentRoute, { kind: "ab", name: "x", variants: [{ name: "a" }] })).toEqual([{ path: "body.variants", message: expect.stringContaining("2") }]);
    expect(await errors(upsertItemsRoute, [{ source: "rev", external_id: "r7", title: "Seven", year: "2020" }], adminFull)).toEqual([{ path: "body.0.year", message: expect.any(String) }]);
  });
});

describe("experiments list paging", () => {
  it("never shows another user's offline experiment on later pages", async () => {
    for (let i = 0; i < 3; i++) await call(createExperimentRoute, { method: "POST", token: bob, body: { kind: "offline", name: `bob ${i}` } });
    await call(createExperimentRoute, { method: "POST", token: alice, body: { kind: "offline", name: "alice 1" } });
    await call(createExperimentRoute, { method: "POST", token: alice, body: { kind: "offline", name: "alice 2" } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { name: string }[]; next_cursor: string | null } } = await call(listExperimentsRoute, { token: alice, path: `/api/v1/experiments?limit=1${cursor ? `&cursor=${cursor}` : ""}` });
      seen.push(...page.body.items.map((e) => e.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(["alice 1", "alice 2"]);
  });
});
