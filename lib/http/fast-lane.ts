import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../api/errors";
import { problem } from "../api/handler";
import { carriesSessionCookie } from "../auth/session-cookie";
import { log } from "../log";
import type { HeaderEntry } from "./security-headers.mjs";

// The production server's fast lane (scripts/serve.ts): the hot public reads (a user's ratings, the grader's /recs,
// recommendations) are handed straight to their own route handlers, the very functions Next would call, instead of
// going through Next's router first. Next's routing costs ~0.6 ms of CPU a request on this kind of machine, more than
// a cache hit itself; at 32 connections that queueing alone is past the latency goals (README, "Serving").
//
// Only a GET of a listed path without a session cookie takes the lane: a session needs next-auth's view of the
// request inside Next, so those (and everything else) go to Next as usual. The handlers run in this process's own
// copy of lib/; the state both copies need (cache, database clients, rate-limit windows, the model, the running A/B
// test) lives on globalThis, so a write that Next serves invalidates what the lane reads.

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

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

/** The Web request a route handler expects, with the forwarding headers Next adds when a proxy did not. */
function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const host = req.headers.host ?? "localhost";
  if (!headers.has("x-forwarded-host")) headers.set("x-forwarded-host", host);
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "http");
  if (!headers.has("x-forwarded-for") && req.socket.remoteAddress) headers.set("x-forwarded-for", req.socket.remoteAddress);
  return new Request(`http://${host}${req.url}`, { method: "GET", headers });
}

async function send(res: ServerResponse, answer: Response, baseHeaders: Record<string, string>): Promise<void> {
  const body = Buffer.from(await answer.arrayBuffer());
  const headers: Record<string, string | string[]> = { ...baseHeaders };
  answer.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  headers["content-length"] = String(body.length);
  res.writeHead(answer.status, headers);
  res.end(body);
}

/**
 * Returns `take(req, res)`: true when the lane answers the request (it then owns `res`), false to hand it to Next.
 * `headers` are the ones next.config.mjs adds to every response, so both paths answer alike.
 */
export function fastLane(routes: FastRoute[], headers: HeaderEntry[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const compiled = routes.map(compile);
  const baseHeaders = Object.fromEntries(headers.map((h) => [h.key.toLowerCase(), h.value]));
  return (req, res) => {
    if (req.method !== "GET" || !req.url || carriesSessionCookie(req.headers.cookie)) return false;
    const q = req.url.indexOf("?");
    const found = match(compiled, q === -1 ? req.url : req.url.slice(0, q));
    if (!found) return false;
    let request: Request;
    try {
      request = toRequest(req);
    } catch {
      return false; // a Host header that makes no URL: Next's answer
    }
    found.route
      .GET(request, { params: Promise.resolve(found.params) })
      .then((answer) => send(res, answer, baseHeaders))
      .catch((err: unknown) => {
        // apiRoute turns every error into a problem answer; this is only reached if writing the answer failed.
        log.error({ err, path: req.url }, "fast lane could not answer");
        if (res.headersSent) res.destroy();
        else send(res, problem(new ApiError(500, "internal_error", "Something went wrong on our side; it has been logged"), req.url), baseHeaders).catch(() => res.destroy());
      });
    return true;
  };
}
