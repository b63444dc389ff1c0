import { describe, expect, it } from "vitest";
import { POST as register } from "../app/api/v1/auth/register/route";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { GET as listTokensRoute, POST as createTokenRoute } from "../app/api/v1/tokens/route";
import { DELETE as revokeRoute } from "../app/api/v1/tokens/[id]/route";
import { GET as me } from "../app/api/v1/me/route";
import { prisma } from "../lib/db/client";
import { ensureAdmin } from "../lib/auth/users";
import { useTestDatabase } from "./support/db";
import { call, expectProblem } from "./support/http";

useTestDatabase();

async function tokenFor(email: string, scopes?: string[]) {
  const res = await call<{ token: string }>(exchange, { method: "POST", body: { email, password: "correct horse", scopes } });
  expect(res.status).toBe(201);
  return res.body.token;
}

describe("register and token exchange", () => {
  it("registers a user with a hashed password and answers 201", async () => {
    const res = await call(register, { method: "POST", body: { email: "Ada@Example.com", password: "correct horse", name: "Ada" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: "ada@example.com", name: "Ada", role: "user" });
    const row = await prisma().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("refuses a duplicate email with 409 and keeps the first account intact", async () => {
    const before = await prisma().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    const res = await call(register, { method: "POST", body: { email: "ada@example.com", password: "another password" } });
    expectProblem(res, 409, "email_taken");
    const after = await prisma().user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(await prisma().user.count({ where: { email: "ada@example.com" } })).toBe(1);
  });

  it("validates the body: bad email, short password, malformed JSON, wrong content type", async () => {
    const bad = await call(register, { method: "POST", body: { email: "nope", password: "short" } });
    expectProblem(bad, 400, "validation_failed");
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(["body.email", "body.password"]);
    expectProblem(await call(register, { method: "POST", rawBody: "{not json", headers: { "content-type": "application/json" } }), 400, "invalid_json");
    expectProblem(await call(register, { method: "POST", rawBody: "a=b", headers: { "content-type": "text/plain" } }), 415);
    expectProblem(await call(register, { method: "POST", rawBody: "" }), 400, "validation_failed");
  });

  it("rejects a wrong password with 401 and issues no token", async () => {
    const before = await prisma().apiToken.count();
    expectProblem(await call(exchange, { method: "POST", body: { email: "ada@example.com", password: "wrong password" } }), 401, "invalid_credentials");
    expectProblem(await call(exchange, { method: "POST", body: { email: "nobody@example.com", password: "whatever1" } }), 401, "invalid_credentials");
    expect(await prisma().apiToken.count()).toBe(before);
  });

  it("exchanges credentials for a token that works as a bearer token and is stored hashed", async () => {
    const token = await tokenFor("ada@example.com");
    expect(token).toMatch(/^tb_/);
    const res = await call(me, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: "ada@example.com", scopes: ["read", "write"], via: "token" });
    const stored = await prisma().apiToken.findMany();
    expect(stored.some((t) => t.hash.includes(token) || t.prefix === token)).toBe(false);
    expect(stored.every((t) => /^[0-9a-f]{64}$/.test(t.hash))).toBe(true);
  });
});

describe("personal tokens", () => {
  it("lists tokens with prefix and last use, never the secret", async () => {
    const token = await tokenFor("ada@example.com", ["read", "write"]);
    const res = await call<{ items: Record<string, unknown>[]; next_cursor: null }>(listTokensRoute, { token });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const t of res.body.items) {
      expect(Object.keys(t).sort()).toEqual(["created_at", "id", "last_used_at", "name", "prefix", "scopes"]);
    }
    expect(JSON.stringify(res.body)).not.toContain(token);
  });

  it("pages the token list newest first", async () => {
    const token = await tokenFor("ada@example.com", ["read", "write"]);
    for (const name of ["p1", "p2", "p3"]) await call(createTokenRoute, { method: "POST", token, body: { name, scopes: ["read"] } });
    const all = (await call<{ items: { id: number }[] }>(listTokensRoute, { token, path: "/api/v1/tokens?limit=100" })).body.items.map((t) => t.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: number }[]; next_cursor: string | null } } = await call(listTokensRoute, { token, path: `/api/v1/tokens?limit=2${cursor ? `&cursor=${cursor}` : ""}` });
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((t) => t.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect([...all].sort((a, b) => b - a)).toEqual(all);
  });

  it("enforces scopes: a read token cannot create tokens (403)", async () => {
    const readOnly = await tokenFor("ada@example.com", ["read"]);
    expect((await call(me, { token: readOnly })).status).toBe(200);
    const res = await call(createTokenRoute, { method: "POST", token: readOnly, body: { name: "x", scopes: ["read"] } });
    expectProblem(res, 403, "insufficient_scope");
  });

  it("does not let a plain user mint an admin token", async () => {
    const writer = await tokenFor("ada@example.com", ["write"]);
    expectProblem(await call(createTokenRoute, { method: "POST", token: writer, body: { name: "x", scopes: ["admin"] } }), 403);
    expectProblem(await call(exchange, { method: "POST", body: { email: "ada@example.com", password: "correct horse", scopes: ["admin"] } }), 403);
  });

  it("lets an admin mint an admin token", async () => {
    await ensureAdmin("root@example.com", "correct horse");
    const token = await tokenFor("root@example.com", ["admin"]);
    expect((await call(me, { token })).body).toMatchObject({ role: "admin", scopes: ["admin"] });
  });

  it("revokes a token: it stops working at once, and unknown ids are 404", async () => {
    const writer = await tokenFor("ada@example.com", ["read", "write"]);
    const victim = await call<{ id: number; token: string }>(createTokenRoute, { method: "POST", token: writer, body: { name: "ci", scopes: ["read"] } });
    expect(victim.status).toBe(201);
    expect((await call(me, { token: victim.body.token })).status).toBe(200);
    const del = await call(revokeRoute, { method: "DELETE", token: writer, params: { id: String(victim.body.id) } });
    expect(del.status).toBe(204);
    expectProblem(await call(me, { token: victim.body.token }), 401, "invalid_token");
    expectProblem(await call(revokeRoute, { method: "DELETE", token: writer, params: { id: String(victim.body.id) } }), 404);
    expectProblem(await call(revokeRoute, { method: "DELETE", token: writer, params: { id: "abc" } }), 400, "validation_failed");
  });

  it("answers 401 without a token, and for a malformed or unknown one", async () => {
    expectProblem(await call(me), 401, "unauthorized");
    expectProblem(await call(me, { token: "garbage" }), 401, "invalid_token");
    expectProblem(await call(me, { token: "tb_AAAAAAAA_" + "B".repeat(32) }), 401, "invalid_token");
    expectProblem(await call(me, { headers: { authorization: "Basic abc" } }), 401, "invalid_token");
  });

  it("refuses a body over the size limit with 413", async () => {
    const res = await call(register, { method: "POST", body: { email: "big@example.com", password: "x".repeat(2_000_000) } });
    expectProblem(res, 413, "payload_too_large");
    expect(await prisma().user.count({ where: { email: "big@example.com" } })).toBe(0);
  });
});
