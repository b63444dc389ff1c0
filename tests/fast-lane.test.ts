import http from "node:http";
import zlib from "node:zlib";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError } from "../lib/api/errors";
import { apiRoute, cachedJson } from "../lib/api/handler";
import { ByteArena, SLAB_BYTES } from "../lib/cache/arena";
import { jsonBytes } from "../lib/cache/bytes";
import { fastLane, LaneHeaders, LaneRequest } from "../lib/http/fast-lane";
import { securityHeaders } from "../lib/http/security-headers.mjs";

// The production server's fast lane, in front of a stand-in for Next that answers 418 to whatever reaches it.
const seen: { url: string; method: string; lane: boolean; forwardedFor: string | null; params: Record<string, string> }[] = [];

const echo = apiRoute({ auth: "optional", params: z.object({ id: z.string() }) }, async ({ req, params }) => {
  seen.push({ url: req.url, method: req.method, lane: (req as unknown) instanceof LaneRequest, forwardedFor: req.headers.get("x-forwarded-for"), params });
  if (params.id === "missing") throw new ApiError(404, "not_found", "No such thing");
  if (params.id === "big") return { id: params.id, filler: "x".repeat(5000) };
  const res = Response.json({ id: params.id });
  res.headers.set("x-frame-options", "SAMEORIGIN");
  res.headers.append("set-cookie", "a=1");
  res.headers.append("set-cookie", "b=2");
  return res;
});
// A cached answer's bytes, as the rating history and recommendation routes give them.
const cachedBytes = Buffer.from(JSON.stringify([{ title: "Amélie", note: "✓" }]));
const cached = apiRoute({ auth: "none" }, async () => cachedJson({ raw: jsonBytes(cachedBytes), hit: true }));
// And one over the 1 KB from which answers are compressed.
const bigCachedBytes = Buffer.from(JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ i, title: "Amélie ✓ 東京" }))));
const bigCached = apiRoute({ auth: "none" }, async () => cachedJson({ raw: jsonBytes(bigCachedBytes), hit: false }));
// Bytes lent by the cache's arena, as /rates gives them: released once written, or once the client has gone.
const arena = new ByteArena(SLAB_BYTES);
const lentChunk = arena.storeBytes(bigCachedBytes)!;
let holdLent: Promise<void> = Promise.resolve();
const lent = apiRoute({ auth: "none" }, async () => {
  await holdLent;
  return cachedJson({ raw: arena.lend(lentChunk), hit: true });
});
// What a handler reads of the request's headers.
const headerEcho = apiRoute({ auth: "none" }, async ({ req }) => ({
  multi: req.headers.get("X-MULTI"),
  has: req.headers.has("x-multi"),
  missing: req.headers.get("x-none"),
  all: Object.fromEntries(req.headers),
}));
// A Response that states its own length and encoding.
const selfDescribed = apiRoute({ auth: "none" }, async () => new Response("x".repeat(2000), { headers: { "content-type": "text/plain", "content-length": "2000", "content-encoding": "identity" } }));
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
      { path: "/api/v1/cached", GET: cached },
      { path: "/api/v1/cached-big", GET: bigCached },
      { path: "/api/v1/lent", GET: lent },
      { path: "/api/v1/headers", GET: headerEcho },
      { path: "/api/v1/self-described", GET: selfDescribed },
    ],
    securityHeaders,
  );
  server = http.createServer((req, res) => {
    // A header set on the response before the lane writes its head (writeHead then merges its list pair by pair).
    if (req.headers["x-test-preset"]) res.setHeader("x-preset", "1");
    if (lane(req, res)) return;
    res.writeHead(418).end("next");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A GET through node:http, so the body comes as sent (fetch would undo the compression). */
const rawGet = (path: string, encoding?: string) =>
  new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http.get(`${base}${path}`, { headers: encoding ? { "accept-encoding": encoding } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on("error", reject);
  });

describe("fast lane", () => {
  it("answers a listed GET through the route's own handler, with the params decoded and Next's headers", async () => {
    const res = await fetch(`${base}/api/v1/things/a%20b?x=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "a b" });
    const last = seen.at(-1);
    expect(last?.params).toEqual({ id: "a b" });
    expect(last?.url).toMatch(/\/api\/v1\/things\/a%20b\?x=1$/);
    expect(last?.forwardedFor).toBe("127.0.0.1");
    // the handler is given the lane's light request (method, url, headers), not a Web Request
    expect(last).toMatchObject({ method: "GET", lane: true });
    for (const { key, value } of securityHeaders) expect(res.headers.get(key)).toBe(value);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(Number(res.headers.get("content-length"))).toBe('{"id":"a b"}'.length);
  });

  it("writes a cached answer's bytes as they are, with their length in bytes, as Next gets them from the same route", async () => {
    const res = await fetch(`${base}/api/v1/cached`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cache")).toBe("HIT");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(Number(res.headers.get("content-length"))).toBe(cachedBytes.length);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(cachedBytes)).toBe(true);
    for (const { key, value } of securityHeaders) expect(res.headers.get(key)).toBe(value);
    // What Next is handed for the same request: a Response with the same status, headers and bytes.
    const direct = await cached(new Request("http://localhost/api/v1/cached"), { params: Promise.resolve({}) });
    expect(direct.headers.get("x-cache")).toBe("HIT");
    expect(Buffer.from(await direct.arrayBuffer()).equals(cachedBytes)).toBe(true);
  });

  it("compresses a cached answer's bytes, not a re-encoding of them", async () => {
    const plain = await rawGet("/api/v1/cached-big");
    expect(plain.body.equals(bigCachedBytes)).toBe(true);
    expect(Number(plain.headers["content-length"])).toBe(bigCachedBytes.length);
    const gz = await rawGet("/api/v1/cached-big", "gzip");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(zlib.gunzipSync(gz.body).equals(bigCachedBytes)).toBe(true);
    const df = await rawGet("/api/v1/cached-big", "deflate");
    expect(zlib.inflateSync(df.body).equals(bigCachedBytes)).toBe(true);
  });

  it("sends bytes lent by the cache as they are and gives them back once written, compressed or not, or cut off", async () => {
    const plain = await rawGet("/api/v1/lent");
    expect(plain.body.equals(bigCachedBytes)).toBe(true);
    expect(Number(plain.headers["content-length"])).toBe(bigCachedBytes.length);
    expect(lentChunk.lent).toBe(0);
    const gz = await rawGet("/api/v1/lent", "gzip");
    expect(zlib.gunzipSync(gz.body).equals(bigCachedBytes)).toBe(true);
    expect(lentChunk.lent).toBe(0);
    // The client hangs up before the answer is ready: the loan still ends.
    let ready = () => {};
    holdLent = new Promise((r) => (ready = r));
    const req = http.get(`${base}/api/v1/lent`);
    req.on("error", () => undefined);
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    ready();
    await new Promise((r) => setTimeout(r, 50));
    expect(lentChunk.lent).toBe(0);
    holdLent = Promise.resolve();
    // What Next is handed: a copy in a Response, the loan ended at once.
    const direct = await lent(new Request("http://localhost/api/v1/lent"), { params: Promise.resolve({}) });
    expect(lentChunk.lent).toBe(0);
    expect(Buffer.from(await direct.arrayBuffer()).equals(bigCachedBytes)).toBe(true);
  });

  it("sends every cookie a handler sets, whatever was set on the response before", async () => {
    for (const preset of [false, true]) {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get(`${base}/api/v1/things/a`, { headers: preset ? { "x-test-preset": "1" } : {} }, (r) => resolve(r.resume())).on("error", reject);
      });
      expect(res.headers["set-cookie"], `preset ${preset}`).toEqual(["a=1", "b=2"]);
      expect(res.headers["x-preset"]).toBe(preset ? "1" : undefined);
    }
  });

  it("states the length and encoding of what it sends, once, whatever the handler said", async () => {
    const plain = await rawGet("/api/v1/self-described");
    expect(plain.headers["content-length"]).toBe("2000");
    expect(plain.headers["content-encoding"]).toBe("identity");
    const gz = await rawGet("/api/v1/self-described", "gzip");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(Number(gz.headers["content-length"])).toBe(gz.body.length);
    expect(zlib.gunzipSync(gz.body).toString()).toBe("x".repeat(2000));
  });

  it("lets next.config's headers win over a handler's, as Next does", async () => {
    const res = await fetch(`${base}/api/v1/things/a`);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("compresses 1 KB and more with gzip or deflate when the client accepts it, as Next does", async () => {
    const raw = (encoding?: string) => rawGet("/api/v1/things/big", encoding);
    const expected = { id: "big", filler: "x".repeat(5000) };
    const plain = await raw();
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers.vary).toBe("Accept-Encoding");
    expect(JSON.parse(plain.body.toString())).toEqual(expected);
    const gz = await raw("br;q=1, gzip;q=0.8, deflate;q=0.5");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(Number(gz.headers["content-length"])).toBe(gz.body.length);
    expect(gz.body.length).toBeLessThan(500);
    expect(JSON.parse(zlib.gunzipSync(gz.body).toString())).toEqual(expected);
    const df = await raw("deflate");
    expect(df.headers["content-encoding"]).toBe("deflate");
    expect(JSON.parse(zlib.inflateSync(df.body).toString())).toEqual(expected);
    expect((await raw("gzip;q=0")).headers["content-encoding"]).toBeUndefined();
    // Small answers go out as they are.
    const small = await fetch(`${base}/api/v1/things/a`, { headers: { "accept-encoding": "gzip" } });
    expect(small.headers.get("content-encoding")).toBeNull();
  });

  it("builds the request URL from the path alone, whatever the Host header says", async () => {
    await new Promise<void>((resolve, reject) => {
      http.get(`${base}/api/v1/things/h?limit=5`, { headers: { host: "evil#" } }, (res) => res.resume().on("end", resolve)).on("error", reject);
    });
    expect(new URL(seen.at(-1)?.url ?? "").search).toBe("?limit=5");
  });

  it("gives handlers the request's headers as a Web Headers reads them", async () => {
    const got = await new Promise<{ multi: string; has: boolean; missing: null; all: Record<string, string> }>((resolve, reject) => {
      http.get(`${base}/api/v1/headers`, { headers: { "X-Multi": ["a", "b"], "X-Request-Id": "r1" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
      }).on("error", reject);
    });
    expect(got.multi).toBe("a, b");
    expect(got.has).toBe(true);
    expect(got.missing).toBeNull();
    expect(got.all["x-request-id"]).toBe("r1");
    expect(got.all["x-forwarded-for"]).toBe("127.0.0.1");
    expect(got.all["x-forwarded-proto"]).toBe("http");
    expect(Object.keys(got.all)).toEqual(Object.keys(got.all).sort());
  });

  it("reads raw header fields exactly as undici's Headers does", () => {
    const raw = ["Host", "x", "X-Multi", "a", "Accept", "*/*", "x-multi", "b", "Set-Cookie", "s=1", "set-cookie", "t=2", "X-Empty", "", "Cookie", "c=1", "cookie", "d=2"];
    const pairs: [string, string][] = [];
    for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
    const web = new Headers(pairs);
    const lane = new LaneHeaders(raw);
    for (const name of ["host", "X-MULTI", "accept", "set-cookie", "x-empty", "cookie", "absent"]) {
      expect(lane.get(name), name).toBe(web.get(name));
      expect(lane.has(name), name).toBe(web.has(name));
    }
    expect(lane.getSetCookie()).toEqual(web.getSetCookie());
    expect([...lane]).toEqual([...web]);
    expect([...lane.keys()]).toEqual([...web.keys()]);
    expect([...lane.values()]).toEqual([...web.values()]);
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
