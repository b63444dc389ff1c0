import { afterAll, describe, expect, it } from "vitest";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { POST as register } from "../app/api/v1/auth/register/route";
import { GET as itemsRoute } from "../app/api/v1/items/route";
import { GET as me } from "../app/api/v1/me/route";
import { useTestDatabase } from "./support/db";
import { call, expectProblem, type CallResult } from "./support/http";

useTestDatabase();
const saved = { ...process.env };
afterAll(() => {
  for (const k of ["RATE_LIMIT_PER_MINUTE", "RATE_LIMIT_ANONYMOUS_PER_MINUTE", "RATE_LIMIT_SIGNIN_PER_MINUTE"]) process.env[k] = saved[k];
});

describe("rate limits", () => {
  it("answer 429 with Retry-After and RateLimit headers past the per-token limit", async () => {
    await call(register, { method: "POST", body: { email: "busy@example.com", password: "correct horse" } });
    const token = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "busy@example.com", password: "correct horse" } })).body.token;
    process.env.RATE_LIMIT_PER_MINUTE = "5";
    const statuses: number[] = [];
    let last: CallResult | undefined;
    for (let i = 0; i < 7; i++) {
      last = await call(me, { token });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    if (!last) throw new Error("no answer");
    expectProblem(last, 429, "rate_limited");
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(last?.headers.get("ratelimit-limit")).toBe("5");
    expect(last?.headers.get("ratelimit-remaining")).toBe("0");
  });

  it("limits anonymous calls per IP, and every answer carries a request id", async () => {
    process.env.RATE_LIMIT_ANONYMOUS_PER_MINUTE = "3";
    const ip = { "x-forwarded-for": "203.0.113.9" };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(itemsRoute, { headers: ip })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const other = await call(itemsRoute, { headers: { "x-forwarded-for": "203.0.113.10" } });
    expect(other.status).toBe(200);
    expect(other.headers.get("x-request-id")).toMatch(/[0-9a-f-]{36}/);
  });

  it("slows sign-in brute force per email", async () => {
    process.env.RATE_LIMIT_SIGNIN_PER_MINUTE = "3";
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(exchange, { method: "POST", body: { email: "busy@example.com", password: `guess ${i}` } })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
