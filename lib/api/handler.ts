import { randomUUID } from "node:crypto";
import { getServerSession } from "next-auth";
import { z } from "zod";
import type { Scope } from "../auth/schemas";
import { carriesSessionCookie } from "../auth/session-cookie";
import { authenticateToken } from "../auth/tokens";
import { findAccount, type AccountUser } from "../auth/users";
import { remember } from "../cache";
import type { LentBytes } from "../cache/arena";
import type { RawJson } from "../cache/bytes";
import { Prisma } from "../db/client";
import { log } from "../log";
import { reportServerError } from "../ops/sentry";
import { ApiError, toProblem, type FieldError } from "./errors";
import { idempotencyKeyOf, once } from "./idempotency";
import { readingOwnWrites } from "./read-your-writes";
import { clientIp, enforceRateLimit } from "./rate-limit";

// The one wrapper every /api/v1 route goes through: auth and scope, zod parsing, problem+json errors.

export type Principal = { user: AccountUser; scopes: Scope[]; via: "token" | "session" };

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

/** What apiRoute makes: the function Next calls, and `answer`, the same work before the answer is a Response. */
export type RouteHandler = ((req: Request, ctx: RouteContext) => Promise<Response>) & {
  answer: (req: Request, ctx: RouteContext) => Promise<Response | JsonAnswer>;
};

type Options<Q extends z.ZodType, B extends z.ZodType, P extends z.ZodType> = {
  /** `required` (default) answers 401 without a token or session; `optional` passes null through. */
  auth?: "required" | "optional" | "none";
  scope?: Scope;
  query?: Q;
  body?: B;
  params?: P;
  /** Largest accepted JSON body; bigger ones get 413. */
  maxBodyBytes?: number;
  /** Old clients send JSON under whatever content type their HTTP library picks. */
  anyContentType?: boolean;
};

type Context<Q extends z.ZodType, B extends z.ZodType, P extends z.ZodType, A> = {
  req: Request;
  principal: A;
  query: z.infer<Q>;
  body: z.infer<B>;
  params: z.infer<P>;
};

const IMPLIED: Record<Scope, Scope[]> = { read: ["read"], write: ["read", "write"], admin: ["read", "write", "admin"] };

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.some((s) => IMPLIED[s].includes(scope));
}

/**
 * A JSON answer before it is a Response: its status, headers (lower-case names) and body. apiRoute hands Next a
 * Response made from it; the production server's fast lane writes it to the socket itself, since making the Web
 * Response (a body stream, with the body encoded or copied into it) cost a cache hit more than reading the cache.
 */
export class JsonAnswer {
  constructor(
    /**
     * JSON text, or with `encoding` "latin1" its UTF-8 bytes as the cache keeps them (lib/cache/bytes.ts), or bytes
     * lent by the cache's arena, which whoever sends the answer releases once written (toResponse does at once).
     */
    readonly body: string | LentBytes,
    /** apiRoute adds the request id and rate-limit headers to these before the answer goes out. */
    public headers: Record<string, string>,
    readonly status = 200,
    readonly encoding: "utf8" | "latin1" = "utf8",
  ) {}
  toResponse(): Response {
    const { body } = this;
    let bytes: string | Uint8Array<ArrayBuffer>;
    if (typeof body === "string") bytes = this.encoding === "latin1" ? Buffer.from(body, "latin1") : body;
    else {
      bytes = new Uint8Array(body.bytes);
      body.release();
    }
    return new Response(bytes, { status: this.status, headers: this.headers });
  }
}

const JSON_TYPE = "application/json; charset=utf-8";
const lowerCased = (headers: Record<string, string> = {}) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

export function json(data: unknown, init: { status?: number; headers?: Record<string, string> } = {}): JsonAnswer {
  return new JsonAnswer(JSON.stringify(data), { ...lowerCased(init.headers), "content-type": JSON_TYPE }, init.status);
}

/** An answer read through the cache, sent as the stored JSON text's bytes with `X-Cache: HIT|MISS`. */
export function cachedJson(cached: { raw: RawJson; hit: boolean }): JsonAnswer {
  return new JsonAnswer(cached.raw, { "content-type": JSON_TYPE, "x-cache": cached.hit ? "HIT" : "MISS" }, 200, "latin1");
}

export function problem(err: ApiError, instance?: string): JsonAnswer {
  const headers: Record<string, string> = { "content-type": "application/problem+json; charset=utf-8", ...lowerCased(err.extra.headers) };
  if (err.status === 401) headers["www-authenticate"] = 'Bearer realm="tastebud"';
  return new JsonAnswer(JSON.stringify(toProblem(err, instance)), headers, err.status);
}

/** A route's answer as Next takes it. */
export const asResponse = (answer: Response | JsonAnswer): Response => (answer instanceof JsonAnswer ? answer.toResponse() : answer);

type Issue = z.core.$ZodIssue;
type Located = { path: PropertyKey[]; message: string };

/** A branch of a union that the input was plainly not meant for: another shape at its root, or another literal `kind`. */
const offShape = (branch: Issue[]) => branch.some((i) => (i.code === "invalid_type" && i.path.length === 0) || (i.code === "invalid_value" && i.values.length === 1));

/**
 * The issues to report, a union's "Invalid input" replaced by what is wrong for the branch the input was meant for
 * (the one that matched its shape and literals, with the fewest issues), or, when it matched none, by what each
 * branch expected at the place they parted.
 */
function located(issues: readonly Issue[], base: PropertyKey[] = []): Located[] {
  return issues.flatMap((issue): Located[] => {
    const path = [...base, ...issue.path];
    if (issue.code !== "invalid_union" || issue.errors.length === 0) return [{ path, message: issue.message }];
    const meant = issue.errors.filter((b) => !offShape(b)).sort((a, b) => a.length - b.length)[0];
    if (meant) return located(meant, path);
    const expected = issue.errors.flatMap((b) => b.filter((i) => i.code === "invalid_value" && i.values.length === 1).map((i) => ({ at: i.path.join("."), value: JSON.stringify((i as { values: unknown[] }).values[0]) })));
    const at = expected[0]?.at;
    if (at !== undefined && expected.every((e) => e.at === at)) return [{ path: [...path, ...(at ? at.split(".") : [])], message: `must be one of ${[...new Set(expected.map((e) => e.value))].join(", ")}` }];
    const shapes = issue.errors.flatMap((b) => b.filter((i) => i.code === "invalid_type" && i.path.length === 0).map((i) => (i as { expected: string }).expected));
    return [{ path, message: shapes.length ? `must be ${[...new Set(shapes)].map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(" or ")}` : issue.message }];
  });
}

const zodErrors = (error: z.ZodError, prefix: string): FieldError[] =>
  located(error.issues).map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join("."), message: i.message }));

function validationError(error: z.ZodError, where: string): ApiError {
  const errors = zodErrors(error, where);
  return new ApiError(400, "validation_failed", `Invalid ${where}: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, { errors });
}

/** Parses with a zod schema, or throws the 400 problem naming each field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

// PostgreSQL text cannot hold NUL; refusing it here keeps it from reaching a query as a 500.
function assertNoNul(text: string, where: string): void {
  if (text.includes("\u0000")) throw new ApiError(400, "bad_request", `The ${where} contains a NUL character`);
}

/**
 * Throws the 400 when a string anywhere in a parsed JSON value, key or value, holds NUL (written `\\u0000` in JSON).
 * Walked with a stack of its own: a 1 MB body can nest deeper than the call stack goes.
 */
function assertNoNulIn(root: unknown, rootPath: string): void {
  const stack: [unknown, string][] = [[root, rootPath]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, path] = next;
    if (typeof value === "string") {
      if (value.includes("\u0000")) throw new ApiError(400, "bad_request", `${path} contains a NUL character`, { errors: [{ path, message: "contains a NUL character" }] });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push([v, `${path}.${i}`]));
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) stack.push([k, `${path} (a key)`], [v, `${path}.${k}`]);
    }
  }
}

function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    assertNoNul(v, "query");
    out[k] = v;
  }
  return out;
}

/** A JSON body within `maxBytes` (413 beyond), undefined when empty; 400 for bad JSON, 415 for other types. */
export async function readJson(req: Request, maxBytes: number, opts: { anyContentType?: boolean } = {}): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > maxBytes) throw new ApiError(413, "payload_too_large", `The body is larger than ${maxBytes} bytes`);
  const text = await req.text();
  if (Buffer.byteLength(text) > maxBytes) throw new ApiError(413, "payload_too_large", `The body is larger than ${maxBytes} bytes`);
  if (!text.trim()) return undefined;
  assertNoNul(text, "body");
  const type = req.headers.get("content-type") ?? "";
  if (type && !type.includes("json") && !opts.anyContentType) throw new ApiError(415, "unsupported_media_type", "Send the body as application/json");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The body is not valid JSON");
  }
  // A NUL in a JSON string is always written as the escape \u0000: without one in the text there is nothing to find.
  if (text.includes("\\u0000")) assertNoNulIn(value, "body");
  return value;
}

export async function resolvePrincipal(req: Request): Promise<Principal | null> {
  const header = req.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new ApiError(401, "invalid_token", "Use `Authorization: Bearer <token>`");
    const { user, scopes } = await authenticateToken(match[1]);
    // An administrator's token without the admin scope acts as a plain user everywhere.
    return { user: { ...user, role: scopes.includes("admin") ? "admin" : "user" }, scopes, via: "token" };
  }
  // Most API calls carry neither a token nor a session cookie (the grader, public reads): skip next-auth for them.
  if (!carriesSessionCookie(req.headers.get("cookie"))) return null;
  // Set up on first use: token and anonymous calls never need next-auth's providers, and the fast lane
  // (lib/http/fast-lane.ts), whose plain-node bundle cannot call them as Next's bundler does, never gets here.
  const { authOptions } = await import("../auth/options");
  const session = await getServerSession(authOptions).catch(() => null);
  if (!session?.user?.id) return null;
  assertSameOrigin(req);
  // The session's role is rechecked against the database (a demoted or deleted account stops at once, within 30 s).
  const user = await remember(`account:v1:${session.user.id}`, 30, () => findAccount(session.user.id));
  if (!user) return null;
  return { user, scopes: user.role === "admin" ? ["read", "write", "admin"] : ["read", "write"], via: "session" };
}

// Cookie-authenticated writes must come from our own pages (CSRF); token calls carry no ambient credentials.
function assertSameOrigin(req: Request): void {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return;
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin" || site === "none") return;
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  const originHost = origin && URL.canParse(origin) ? new URL(origin).host : null;
  if (originHost && host && originHost === host) return;
  throw new ApiError(403, "forbidden", "Cross-site request refused; use a bearer token from other origins");
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  // A schema check deeper in lib/ that failed is still bad input, not a server error.
  if (err instanceof z.ZodError) return validationError(err, "input");
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === "P2025") return new ApiError(404, "not_found", "The resource was not found");
    if (err.code === "P2002") return new ApiError(409, "conflict", "A resource with these values already exists");
    if (err.code === "P2003") return new ApiError(422, "unprocessable", "A referenced resource does not exist");
  }
  log.error({ err }, "unhandled error in API route");
  return new ApiError(500, "internal_error", "Something went wrong on our side; it has been logged");
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** What makes a retry under the same Idempotency-Key the same request. */
function requestIdentity(req: Request, url: URL, content: { body: unknown } | { upload: unknown }) {
  return { method: req.method, path: url.pathname, query: [...url.searchParams].sort(), ...content };
}

// A body the handler streams itself (a file upload) is known by its media type, length and digest, not its bytes:
// the key is claimed before the upload is read, and a replay answers without reading gigabytes again.
function uploadIdentity(req: Request) {
  const length = req.headers.get("content-length");
  if ((length === null || length === "0") && !req.headers.has("transfer-encoding")) return null;
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  return { type, length, digest: req.headers.get("content-digest") ?? req.headers.get("content-md5") };
}

export function apiRoute<
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
  P extends z.ZodType = z.ZodUndefined,
  A extends "required" | "optional" | "none" = "required",
>(
  opts: Options<Q, B, P> & { auth?: A },
  handler: (ctx: Context<Q, B, P, A extends "required" ? Principal : Principal | null>) => Promise<Response | JsonAnswer | unknown>,
): RouteHandler {
  const answer = async (req: Request, routeCtx: RouteContext): Promise<Response | JsonAnswer> => {
    const url = new URL(req.url);
    const started = performance.now();
    const requestId = req.headers.get("x-request-id") ?? randomUUID();
    let limitHeaders: Record<string, string> = {};
    const finish = (res: Response | JsonAnswer) => {
      if (res instanceof JsonAnswer) {
        res.headers["x-request-id"] = requestId;
        for (const [k, v] of Object.entries(limitHeaders)) res.headers[k.toLowerCase()] ??= v;
      } else {
        res.headers.set("x-request-id", requestId);
        for (const [k, v] of Object.entries(limitHeaders)) if (!res.headers.has(k)) res.headers.set(k, v);
      }
      log.info({ requestId, method: req.method, path: url.pathname, status: res.status, ms: Math.round(performance.now() - started) }, "api request");
      return res;
    };
    try {
      const mode = opts.auth ?? "required";
      let principal: Principal | null = null;
      if (mode === "none") limitHeaders = await enforceRateLimit("ip", clientIp(req));
      else {
        principal = await resolvePrincipal(req);
        limitHeaders = principal ? await enforceRateLimit("token", `user:${principal.user.id}`) : await enforceRateLimit("ip", clientIp(req));
        if (!principal && mode === "required") {
          throw new ApiError(401, "unauthorized", "Sign in or send `Authorization: Bearer <token>`");
        }
        if (principal && opts.scope && !hasScope(principal, opts.scope)) {
          throw new ApiError(403, "insufficient_scope", `This needs a token with the \`${opts.scope}\` scope`);
        }
      }
      const rawParams = await routeCtx.params;
      for (const [name, value] of Object.entries(rawParams ?? {})) assertNoNulIn(value, `path.${name}`);
      const params = opts.params ? parseWith(opts.params, rawParams, "path") : undefined;
      const query = opts.query ? parseWith(opts.query, queryObject(url), "query") : undefined;
      const body = opts.body ? parseWith(opts.body, await readJson(req, opts.maxBodyBytes ?? 1_000_000, { anyContentType: opts.anyContentType }), "body") : undefined;
      const write = WRITE_METHODS.has(req.method);
      const caller = principal ? `user:${principal.user.id}` : `ip:${clientIp(req)}`;
      const run = () =>
        readingOwnWrites(caller, write, async () => {
          const result = await handler({
            req,
            principal: principal as A extends "required" ? Principal : Principal | null,
            query: query as z.infer<Q>,
            body: body as z.infer<B>,
            params: params as z.infer<P>,
          });
          return result instanceof Response || result instanceof JsonAnswer ? result : json(result);
        });
      const key = write ? idempotencyKeyOf(req) : null;
      if (!key) return finish(await run());
      // Anonymous writes (the grader's add_items and interact, sign-up) have no account to scope the key to: the client IP is the next best owner.
      const scope = principal ? { userId: principal.user.id } : { ip: clientIp(req) };
      const identity = requestIdentity(req, url, opts.body ? { body } : { upload: uploadIdentity(req) });
      return finish(await once(scope, key, identity, async () => asResponse(await run())));
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.status >= 500) await reportServerError(err, { requestId, req });
      return finish(problem(apiError, url.pathname));
    }
  };
  return Object.assign(async (req: Request, routeCtx: RouteContext) => asResponse(await answer(req, routeCtx)), { answer });
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

/**
 * Handlers for the methods a route does not have, to export beside the ones it has: a 405 in problem+json with
 * `Allow`, where Next's own 405 has an empty body and no `Allow`; and OPTIONS, which says what the route takes (Next's
 * own would list these refusals too).
 */
export function methodsNotAllowed(...allowed: Method[]): Record<Method | "OPTIONS", RouteHandler> {
  const allow = [...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
  const refuse = apiRoute({ auth: "none" }, async ({ req }) => {
    throw new ApiError(405, "method_not_allowed", `${req.method} is not allowed here; this endpoint takes ${allowed.join(" and ")}`, { headers: { allow } });
  });
  const options = apiRoute({ auth: "none" }, async () => new Response(null, { status: 204, headers: { allow } }));
  return { ...Object.fromEntries(METHODS.filter((m) => !allowed.includes(m)).map((m) => [m, refuse])), OPTIONS: options } as Record<Method | "OPTIONS", RouteHandler>;
}

/** A numeric id in a path: decimal digits only (no `0x51`, `1e1` or `81.0`), 1 to 2147483647. */
export const IdParamSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^\d{1,10}$/, { message: "must be a positive whole number, like 81" })
    .transform(Number)
    .pipe(z.number().min(1, { message: "must be a positive whole number, like 81" }).max(2_147_483_647, { message: "must be at most 2147483647" })),
});
