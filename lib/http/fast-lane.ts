import type { IncomingMessage, ServerResponse } from "node:http";
import { finished } from "node:stream";
import { promisify } from "node:util";
import zlib from "node:zlib";
import Negotiator from "negotiator";
import { ApiError } from "../api/errors";
import { JsonAnswer, problem } from "../api/handler";
import { carriesSessionCookie } from "../auth/session-cookie";
import { log } from "../log";
import type { LentBytes } from "../cache/arena";
import type { HeaderEntry } from "./security-headers.mjs";

// The production server's fast lane (scripts/serve.ts): the hot public reads (a user's ratings, the grader's /recs,
// recommendations) are handed straight to their own route handlers, the very functions Next would call, instead of
// going through Next's router first. Next's routing costs ~0.8 ms of CPU a request on this kind of machine, more than
// a cache hit itself; at 32 connections that queueing alone was past the latency goals (README, "The web server").
//
// Only a GET of a listed path without a session cookie takes the lane: a session needs next-auth's view of the
// request inside Next, so those (and everything else) go to Next as usual. The handlers run in this process's own
// copy of lib/; the state both copies need (cache, database clients, rate-limit windows, the model, the running A/B
// test) lives on globalThis, so a write that Next serves invalidates what the lane reads.

type RouteContext = { params: Promise<Record<string, string>> };
/** A route's GET; made by apiRoute, it also has `answer`, which gives JSON answers before they become Responses. */
type Handler = ((req: Request, ctx: RouteContext) => Promise<Response>) & { answer?: (req: Request, ctx: RouteContext) => Promise<Response | JsonAnswer> };

/** A route the lane answers: `path` in Next's folder syntax, `/api/v1/rates/[uid]`, and the route's own GET. */
export type FastRoute = { path: string; GET: Handler };

type Compiled = { segments: { literal?: string; param?: string }[]; GET: Handler };

function compile(route: FastRoute): Compiled {
  const segments = route.path
    .split("/")
    .slice(1)
    .map((s) => (s.startsWith("[") && s.endsWith("]") ? { param: s.slice(1, -1) } : { literal: s }));
  return { segments, GET: route.GET };
}

function match(routes: Compiled[], pathname: string): { route: Compiled; params: Record<string, string> } | null {
  const parts = pathname.split("/").slice(1);
  outer: for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const seg = route.segments[i];
      if (seg.literal !== undefined) {
        if (seg.literal !== parts[i]) continue outer;
      } else {
        if (!parts[i]) continue outer;
        try {
          params[seg.param as string] = decodeURIComponent(parts[i]);
        } catch {
          return null; // malformed percent-encoding: Next answers that one
        }
      }
    }
    return { route, params };
  }
  return null;
}

/**
 * What a route handler reads of a request on the lane, as Next would give it: the path on a fixed origin (a client's
 * Host header cannot reshape the URL), the headers with the forwarding ones Next adds when no proxy did, and the
 * method. Not a Web `Request`: building one cost 5 us a request, and each left about 1 KB that outlived two scavenges
 * into the old generation (Node 20's undici), so a run of hits set off a full collection every 40,000 requests or so,
 * each stalling every request in flight. The lane's routes are GETs made by apiRoute, whose GET path reads only these
 * three (e2e/fast-lane.spec.ts calls every route scripts/serve.ts lists through the real server); a handler that read
 * more of its request (its body, its signal) would fail here only, so none on the lane should.
 */
export class LaneRequest {
  readonly method = "GET";
  constructor(
    readonly url: string,
    readonly headers: LaneHeaders,
  ) {}
}

/**
 * The request's headers as a Web `Headers` reads them (names in any case, repeated fields joined with ", ", cookies with "; "), read
 * from node's raw list when asked. Filling an undici `Headers` (validating and sorting every field) was 6% of a cache
 * hit's CPU, for the two to six fields apiRoute reads.
 */
export class LaneHeaders {
  constructor(private readonly raw: string[]) {}
  get(name: string): string | null {
    const wanted = name.toLowerCase();
    let value: string | null = null;
    for (let i = 0; i < this.raw.length; i += 2) {
      const key = this.raw[i];
      if (key.length === wanted.length && key.toLowerCase() === wanted) value = value === null ? this.raw[i + 1] : `${value}${wanted === "cookie" ? "; " : ", "}${this.raw[i + 1]}`;
    }
    return value;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
  getSetCookie(): string[] {
    const cookies: string[] = [];
    for (let i = 0; i < this.raw.length; i += 2) if (this.raw[i].toLowerCase() === "set-cookie") cookies.push(this.raw[i + 1]);
    return cookies;
  }
  /** Lower-case names, sorted, each once with its values joined but for set-cookie's, as `Headers` iterates. */
  *entries(): IterableIterator<[string, string]> {
    const names = [...new Set(this.raw.filter((_, i) => i % 2 === 0).map((k) => k.toLowerCase()))].sort();
    for (const name of names) {
      if (name === "set-cookie") for (const cookie of this.getSetCookie()) yield [name, cookie];
      else yield [name, this.get(name) as string];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(fn: (value: string, key: string, headers: LaneHeaders) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

function toRequest(req: IncomingMessage, origin: string): LaneRequest {
  // Node's parser has already refused fields a Headers would (invalid names or values): the raw list is read as is.
  const raw = req.rawHeaders;
  const given = req.headers;
  let fields = raw;
  const add = (name: string, value: string) => {
    if (fields === raw) fields = raw.slice();
    fields.push(name, value);
  };
  if (given["x-forwarded-host"] === undefined) add("x-forwarded-host", given.host ?? "localhost");
  if (given["x-forwarded-port"] === undefined) add("x-forwarded-port", String(req.socket.localPort ?? 80));
  if (given["x-forwarded-proto"] === undefined) add("x-forwarded-proto", "http");
  if (given["x-forwarded-for"] === undefined && req.socket.remoteAddress) add("x-forwarded-for", req.socket.remoteAddress);
  return new LaneRequest(new URL(`${origin}${req.url}`).href, new LaneHeaders(fields));
}

// Next compresses answers (its `compress` option, on by default) with gzip or deflate, 1 KB and up, for the types
// the `compressible` list names; the lane does the same with the whole body in hand, off the event loop.
const COMPRESS_MIN_BYTES = 1024;
const COMPRESSIBLE = /^(?:application\/(?:[\w.+-]*\+)?json|text\/)/i;
const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

/** Headers send() works out itself from the handler's and the body it sends: not copied from the handler's as they are. */
const COMPUTED = new Set(["vary", "content-encoding", "content-length"]);

/** What the lane's answers all carry (next.config.mjs's headers): in writeHead's flat form, and by lower-case name. */
type BaseHeaders = { flat: string[]; byName: Map<string, string> };

/**
 * The body to send as the request and the answer's type allow: compressed (a promise of the bytes, made off the event
 * loop, and `contentEncoding` set) or as it is; `varies` when the answer's encoding depends on Accept-Encoding.
 */
function encode(req: IncomingMessage, body: string | Buffer, encoding: BufferEncoding, type: string | undefined, cacheControl: string | undefined) {
  if (!type || !COMPRESSIBLE.test(type) || (cacheControl && /\bno-transform\b/i.test(cacheControl))) return { body, varies: false };
  // Characters or bytes: near enough for a threshold. No Accept-Encoding: identity, as Negotiator would say, without
  // its parse (4% of a cache miss's CPU).
  if (body.length < COMPRESS_MIN_BYTES || !req.headers["accept-encoding"]) return { body, varies: true };
  const accepts = new Negotiator(req);
  let method = accepts.encoding(["gzip", "deflate", "identity"]);
  if (method === "deflate" && accepts.encoding(["gzip"])) method = "gzip"; // gzip first when both are welcome
  if (method !== "gzip" && method !== "deflate") return { body, varies: true };
  const bytes = typeof body === "string" ? Buffer.from(body, encoding) : body;
  return { body: method === "gzip" ? gzip(bytes) : deflate(bytes), varies: true, contentEncoding: method };
}

async function send(req: IncomingMessage, res: ServerResponse, answer: Response | JsonAnswer, base: BaseHeaders): Promise<void> {
  // As in Next: the headers next.config.mjs sets win over a handler's, but for set-cookie and vary, which add up. Kept
  // as a flat list for writeHead: merged into one object (a spread of both), they were 9% of a cache hit's CPU.
  const head: (string | string[])[] = [];
  let text: string | Buffer;
  let encoding: BufferEncoding = "utf8";
  let type: string | undefined;
  let cacheControl: string | undefined;
  let vary: string | undefined;
  let ownEncoding: string | undefined;
  let lent: LentBytes | null = null;
  if (answer instanceof JsonAnswer) {
    const { body, headers } = answer;
    if (typeof body === "string") text = body;
    else {
      lent = body;
      text = body.bytes;
    }
    encoding = answer.encoding;
    for (const key in headers) if (!COMPUTED.has(key) && !base.byName.has(key)) head.push(key, headers[key]);
    ownEncoding = headers["content-encoding"];
    type = headers["content-type"];
    cacheControl = headers["cache-control"];
    vary = headers.vary;
  } else {
    text = Buffer.from(await answer.arrayBuffer());
    const { headers } = answer;
    headers.forEach((value, key) => {
      if (key !== "set-cookie" && !COMPUTED.has(key) && !base.byName.has(key)) head.push(key, value);
    });
    // One entry with every cookie: writeHead sets a flat list's pairs one by one once a header has been set on the
    // response beforehand, and a second set-cookie pair would then replace the first.
    const cookies = headers.getSetCookie();
    if (cookies.length) head.push("set-cookie", cookies);
    ownEncoding = headers.get("content-encoding") ?? undefined;
    type = headers.get("content-type") ?? undefined;
    cacheControl = headers.get("cache-control") ?? undefined;
    vary = headers.get("vary") ?? undefined;
  }
  type = base.byName.get("content-type") ?? type;
  cacheControl = base.byName.get("cache-control") ?? cacheControl;
  vary = base.byName.get("vary") ?? vary;
  for (let i = 0; i < base.flat.length; i++) head.push(base.flat[i]);
  let body: string | Buffer;
  let contentEncoding: string | undefined;
  try {
    const encoded = encode(req, text, encoding, type, cacheControl);
    body = typeof encoded.body === "string" || Buffer.isBuffer(encoded.body) ? encoded.body : await encoded.body;
    contentEncoding = encoded.contentEncoding;
    if (encoded.varies) vary = vary ? `${vary}, Accept-Encoding` : "Accept-Encoding";
  } catch (err) {
    lent?.release();
    throw err;
  }
  if (vary !== undefined) head.push("vary", vary);
  contentEncoding ??= base.byName.get("content-encoding") ?? ownEncoding;
  if (contentEncoding) head.push("content-encoding", contentEncoding);
  // Bytes lent by the cache (lib/cache/arena.ts) go back once nothing reads them: compressed, at once (the socket gets
  // the compressed copy); sent as they are, when the response closes, which is after its last write has completed or
  // once its connection is gone (at once for a response already closed). A response that never closes (a pipelined
  // one behind a connection that died) leaves its loan to the collector.
  const loan = lent;
  if (loan && body === text) finished(res, () => loan.release());
  else loan?.release();
  // A string's bytes in its encoding: for "latin1" (a cached answer's bytes) that is its length, with no pass over it.
  head.push("content-length", String(typeof body === "string" ? Buffer.byteLength(body, encoding) : body.length));
  res.writeHead(answer.status, head);
  if (typeof body === "string") {
    // The head goes first on its own, held with the body for one write: a string body given with the head unsent is
    // joined to it into a new string, a copy of a 64 KB answer on V8's heap for every hit.
    res.cork();
    res.flushHeaders();
    res.end(body, encoding);
    res.uncork();
  } else res.end(body);
}

/**
 * Returns `take(req, res)`: true when the lane answers the request (it then owns `res`), false to hand it to Next.
 * `headers` are the ones next.config.mjs adds to every response, so both paths answer alike.
 */
export function fastLane(routes: FastRoute[], headers: HeaderEntry[], origin = "http://localhost"): (req: IncomingMessage, res: ServerResponse) => boolean {
  const compiled = routes.map(compile);
  const byName = new Map(headers.map((h) => [h.key.toLowerCase(), h.value]));
  const base: BaseHeaders = { flat: [...byName].filter(([name]) => !COMPUTED.has(name)).flat(), byName };
  return (req, res) => {
    if (req.method !== "GET" || !req.url || carriesSessionCookie(req.headers.cookie)) return false;
    const q = req.url.indexOf("?");
    const found = match(compiled, q === -1 ? req.url : req.url.slice(0, q));
    if (!found) return false;
    let request: Request;
    try {
      request = toRequest(req, origin) as unknown as Request;
    } catch {
      return false; // a path URL refuses: Next's answer
    }
    const { GET } = found.route;
    const ctx = { params: Promise.resolve(found.params) };
    (GET.answer ? GET.answer(request, ctx) : GET(request, ctx))
      .then((answer) => send(req, res, answer, base))
      .catch((err: unknown) => {
        // apiRoute turns every error into a problem answer: this is reached only when a handler outside it throws or
        // the answer cannot be written.
        const path = (req.url ?? "").split("?")[0];
        log.error({ err, path }, "fast lane could not answer");
        if (res.headersSent) res.destroy();
        else send(req, res, problem(new ApiError(500, "internal_error", "Something went wrong on our side; it has been logged"), path), base).catch(() => res.destroy());
      });
    return true;
  };
}
