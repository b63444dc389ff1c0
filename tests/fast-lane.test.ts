import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError } from "../lib/api/errors";
import { apiRoute } from "../lib/api/handler";
import { fastLane } from "../lib/http/fast-lane";
import { securityHeaders } from "../lib/http/security-headers.mjs";

// The production server's fast lane, in front of a stand-in for Next that answers 418 to whatever reaches it.
const seen: { url: string; forwardedFor: string | null; params: Record<string, string> }[] = [];

const echo = apiRoute({ auth: "optional", params: z.object({ id: z.string() }) }, async ({ req, params }) => {
  seen.push({ url: req.url, forwardedFor: req.headers.get("x-forwarded-for"), params });
  if (params.id === "missing") throw new ApiError(404, "not_found", "No such thing");
  const res = Response.json({ id: params.id });
  res.headers.append("set-cookie", "a=1");
  res.headers.append("set-cookie", "b=2");
  return res;
});
const broken = async (): Promise<Response> => {
  throw new Error("not an apiRoute: nothing caught this");
};

let base = "";
let server: http.Server;

beforeAll(async () => {
  const lane = fastLane(
    [
      { path: "/api/v1/things/[id]", GET: echo },
      { path: "/api/v1/broken", GET: broken },
    ],
    securityHeaders,
  );
  server = http.createServer((req, res) => {
    if (lane(req, res)) return;
    res.writeHead(418).end("next");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("fast lane", () => {
  it("answers a listed GET through the route's own handler, with the params decoded and Next's headers", async () => {
    const res = await fetch(`${base}/api/v1/things/a%20b?x=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "a b" });
    const last = seen.at(-1);
    expect(last?.params).toEqual({ id: "a b" });
    expect(last?.url).toMatch(/\/api\/v1\/things\/a%20b\?x=1$/);
    expect(last?.forwardedFor).toBe("127.0.0.1");
    for (const { key, value } of securityHeaders) expect(res.headers.get(key)).toBe(value);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(Number(res.headers.get("content-length"))).toBe('{"id":"a b"}'.length);
  });

  it("keeps a forwarded-for header a proxy set", async () => {
    await fetch(`${base}/api/v1/things/p`, { headers: { "x-forwarded-for": "203.0.113.7" } });
    expect(seen.at(-1)?.forwardedFor).toBe("203.0.113.7");
  });

  it("passes the handler's errors through as they are", async () => {
    const res = await fetch(`${base}/api/v1/things/missing`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { code: string }).code).toBe("not_found");
  });

  it("answers 500 as a problem when a handler fails outside apiRoute", async () => {
    const res = await fetch(`${base}/api/v1/broken`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { code: string }).code).toBe("internal_error");
  });

  it.each([
    ["another method", "POST", "/api/v1/things/a", {}],
    ["a session cookie", "GET", "/api/v1/things/a", { cookie: "theme=dark; next-auth.session-token=abc" }],
    ["a chunked secure session cookie", "GET", "/api/v1/things/a", { cookie: "__Secure-next-auth.session-token.0=abc" }],
    ["an unlisted path", "GET", "/api/v1/other/a", {}],
    ["a trailing slash", "GET", "/api/v1/things/a/", {}],
    ["an empty segment", "GET", "/api/v1/things/", {}],
    ["broken percent-encoding", "GET", "/api/v1/things/%E0%A4%A", {}],
    ["HEAD", "HEAD", "/api/v1/things/a", {}],
  ])("leaves %s to Next", async (_name, method, path, headers) => {
    const before = seen.length;
    const res = await fetch(`${base}${path}`, { method, headers });
    expect(res.status).toBe(418);
    expect(seen.length).toBe(before);
  });
});
