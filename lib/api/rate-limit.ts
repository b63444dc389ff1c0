import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { envNumber } from "../config";
import { ApiError } from "./errors";

// Rate limits: per token (or session user) for signed-in calls, per IP for anonymous ones, and per email for
// sign-in attempts. On Upstash, @upstash/ratelimit's sliding window; on the embedded cache, the same sliding window
// kept in this process. Either way a refused call is a 429 with Retry-After and RateLimit-* headers.

export type LimitResult = { success: boolean; limit: number; remaining: number; reset: number };
type Limiter = (key: string) => Promise<LimitResult>;

// Read at each call (tests change them between requests), and only the one a call needs: reading the environment
// is a call into node's C++ each time.
const LIMITS: Record<"token" | "ip" | "signin", [name: string, fallback: number]> = {
  token: ["RATE_LIMIT_PER_MINUTE", 600],
  ip: ["RATE_LIMIT_ANONYMOUS_PER_MINUTE", 300],
  signin: ["RATE_LIMIT_SIGNIN_PER_MINUTE", 10],
};

/** In-process sliding window (two fixed windows, weighted), the algorithm @upstash/ratelimit uses. */
function memoryLimiter(limit: number, windowMs: number): Limiter {
  const windows = new Map<string, { start: number; current: number; previous: number }>();
  return async (key) => {
    const now = Date.now();
    const start = now - (now % windowMs);
    let w = windows.get(key);
    if (!w || w.start !== start) {
      w = { start, current: 0, previous: w && w.start === start - windowMs ? w.current : 0 };
      windows.set(key, w);
      if (windows.size > 100_000) windows.clear();
    }
    const weight = 1 - (now - start) / windowMs;
    const used = w.previous * weight + w.current;
    if (used >= limit) return { success: false, limit, remaining: 0, reset: start + windowMs };
    w.current++;
    return { success: true, limit, remaining: Math.max(0, Math.floor(limit - used - 1)), reset: start + windowMs };
  };
}

// Kept on globalThis: the production server's fast lane (lib/http/fast-lane.ts) runs its own copy of this module beside
// the one Next bundles, and both must count against the same windows.
const globalForLimits = globalThis as unknown as { tastebudLimiters?: Map<string, Limiter> };
const limiters = (globalForLimits.tastebudLimiters ??= new Map<string, Limiter>());

function limiter(name: string, limit: number): Limiter {
  const id = `${name}:${limit}`;
  let l = limiters.get(id);
  if (!l) {
    const url = process.env.UPSTASH_REDIS_REST_URL || process.env.KV_REST_API_URL;
    const token = process.env.UPSTASH_REDIS_REST_TOKEN || process.env.KV_REST_API_TOKEN;
    if (url && token) {
      const rl = new Ratelimit({ redis: new Redis({ url, token }), limiter: Ratelimit.slidingWindow(limit, "60 s"), prefix: `tastebud:rl:${name}`, timeout: 500 });
      l = async (key) => {
        const r = await rl.limit(key);
        return { success: r.success, limit: r.limit, remaining: r.remaining, reset: r.reset };
      };
    } else l = memoryLimiter(limit, 60_000);
    limiters.set(id, l);
  }
  return l;
}

export function rateLimitHeaders(r: LimitResult): Record<string, string> {
  const seconds = Math.max(1, Math.ceil((r.reset - Date.now()) / 1000));
  return { "ratelimit-limit": String(r.limit), "ratelimit-remaining": String(r.remaining), "ratelimit-reset": String(seconds) };
}

/** Counts one call against `key`; throws a 429 problem when over the limit. Returns the headers to send. */
export async function enforceRateLimit(kind: "token" | "ip" | "signin", key: string): Promise<Record<string, string>> {
  const limit = envNumber(...LIMITS[kind]);
  if (limit <= 0) return {};
  let result: LimitResult;
  try {
    result = await limiter(kind, limit)(key);
  } catch {
    return {}; // a limiter that is down lets calls through rather than failing them
  }
  const headers = rateLimitHeaders(result);
  if (!result.success) {
    throw new ApiError(429, "rate_limited", kind === "signin" ? "Too many sign-in attempts; wait a minute and try again" : "Too many requests; slow down and retry after the time in Retry-After", {
      headers: { ...headers, "retry-after": headers["ratelimit-reset"] },
    });
  }
  return headers;
}

export function clientIp(req: Request): string {
  return req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || req.headers.get("x-real-ip") || "local";
}
