import { beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS, type Operation } from "../lib/api/openapi";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { ensureAdmin, registerUser } from "../lib/auth/users";
import { useTestDatabase } from "./support/db";
import { call, type CallResult } from "./support/http";

// Walks the OpenAPI document and calls every operation with bad requests: no auth, a token without the scope,
// a malformed body, a huge body, an unknown id. Each must answer its 4xx as problem+json, never a 500.
useTestDatabase();
let readToken = "";

type Handler = Parameters<typeof call>[0];

const routes = import.meta.glob<Record<string, Handler>>("../app/api/v1/**/route.ts");

async function handlerFor(o: Operation): Promise<Handler> {
  const file = `../app/api/v1${o.path.replace(/\{([^}]+)\}/g, "[$1]")}/route.ts`;
  const load = routes[file];
  if (!load) throw new Error(`no route file ${file}`);
  return (await load())[o.method.toUpperCase()];
}

const UNKNOWN: Record<string, string> = { id: "2147483000", uid: "no-such-user", user_id: "no-such-user", kind: "ratings" };
const paramsOf = (o: Operation) => Object.fromEntries([...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1], UNKNOWN[m[1]] ?? "x"]));
const pathOf = (o: Operation) => `/api/v1${o.path.replace(/\{([^}]+)\}/g, (_m, k: string) => UNKNOWN[k] ?? "x")}`;

function isProblem(res: CallResult, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), code: expect.any(String), type: expect.any(String) });
}

beforeAll(async () => {
  await ensureAdmin("admin@example.com", "correct horse");
  await registerUser({ email: "reader@example.com", password: "correct horse" });
  readToken = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "reader@example.com", password: "correct horse", scopes: ["read"] } })).body.token;
});

describe.each(OPERATIONS.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))("%s", (_name, o) => {
  it("never answers 500 to a malformed body or an unknown id", async () => {
    const handler = await handlerFor(o);
    const res = await call(handler, { method: o.method.toUpperCase(), path: pathOf(o), params: paramsOf(o), token: readToken, rawBody: o.method === "get" ? undefined : "{not json", headers: o.method === "get" ? {} : { "content-type": "application/json" } });
    expect(res.status).toBeLessThan(500);
  });

  if (o.auth === "required") {
    it("answers 401 without a token", async () => {
      isProblem(await call(await handlerFor(o), { method: o.method.toUpperCase(), path: pathOf(o), params: paramsOf(o) }), 401);
    });
  }

  if (o.scope === "write" || o.scope === "admin") {
    it(`answers 403 to a token without the ${o.scope} scope`, async () => {
      isProblem(await call(await handlerFor(o), { method: o.method.toUpperCase(), path: pathOf(o), params: paramsOf(o), token: readToken, body: o.method === "get" ? undefined : {} }), 403);
    });
  }

  if (o.body && o.method !== "get") {
    it("answers 400 to malformed JSON and 413 to a huge body", async () => {
      const admin = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "admin@example.com", password: "correct horse", scopes: ["admin"] } })).body.token;
      const handler = await handlerFor(o);
      const tokenFor = o.auth === "none" ? undefined : admin;
      isProblem(await call(handler, { method: "POST", path: pathOf(o), params: paramsOf(o), token: tokenFor, rawBody: "{not json", headers: { "content-type": "application/json" } }), 400);
      const huge = JSON.stringify({ padding: "x".repeat(6_000_000) });
      const res = await call(handler, { method: "POST", path: pathOf(o), params: paramsOf(o), token: tokenFor, rawBody: huge, headers: { "content-type": "application/json" } });
      expect([400, 413]).toContain(res.status);
    });
  }
});
