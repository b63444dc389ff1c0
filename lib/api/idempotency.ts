import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { prisma, Prisma } from "../db/client";
import { log } from "../log";
import { ApiError } from "./errors";

// Writes sent with an `Idempotency-Key` run once per caller and key; a repeat of the same request gets the first
// response again, a different request under the same key is refused, and a key left pending by a crashed request
// is taken over after a while. apiRoute applies this to every POST, PUT, PATCH and DELETE.

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const ABANDONED_AFTER_MS = 5 * 60_000;
/** Anonymous callers have no user id: their keys are stored under user 0, prefixed with the client IP. */
const ANONYMOUS_USER = 0;
/** Response headers worth replaying; request ids and rate-limit counters belong to each request. */
const REPLAYED_HEADERS = ["content-type", "location"];

export type IdempotencyScope = { userId: number } | { ip: string };
type Stored = { request_hash: string; sealed?: string };
type Recorded = { headers: Record<string, string>; text: string };

export function idempotencyKeyOf(req: Request): string | null {
  const key = req.headers.get("idempotency-key");
  if (key === null) return null;
  if (!KEY.test(key)) throw new ApiError(400, "bad_request", "Idempotency-Key must be 1-200 letters, digits or . _ : -");
  return key;
}

// Stored responses can hold secrets (POST /tokens answers with the token once) and requests can hold passwords, so
// rows keep only a keyed hash of the request and the response sealed with a key derived from NEXTAUTH_SECRET.
const secret = () => createHash("sha256").update(`tastebud idempotency\u0000${process.env.NEXTAUTH_SECRET ?? ""}`).digest();
const requestHashOf = (request: unknown) => createHmac("sha256", secret()).update(JSON.stringify(request)).digest("hex");

function seal(recorded: Recorded): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", secret(), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(recorded)), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64");
}

function unseal(sealed: string): Recorded {
  const raw = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", secret(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as Recorded;
}

function replay(status: number, recorded: Recorded): Response {
  const headers = new Headers(recorded.headers);
  headers.set("idempotent-replayed", "true");
  return new Response(recorded.text === "" ? null : recorded.text, { status, headers });
}

/**
 * Runs `run` once for this scope, key and request. `request` is what makes two requests the same (method, path,
 * query, body); the answer is stored when it succeeds (status below 400), and the key is freed when it does not.
 */
export async function once(scope: IdempotencyScope, key: string, request: unknown, run: () => Promise<Response>): Promise<Response> {
  const requestHash = requestHashOf(request);
  const userId = "userId" in scope ? scope.userId : ANONYMOUS_USER;
  // A space cannot occur in a key, so "<ip> <key>" never collides with a signed-in caller's key.
  const storedKey = "ip" in scope ? `${scope.ip} ${key}` : key;
  const where = { userId_key: { userId, key: storedKey } };
  // Every step reads and writes the primary: a replica may not have the row the previous step or request wrote.
  const db = prisma().$primary();
  try {
    await db.idempotencyKey.create({ data: { userId, key: storedKey, status: 0, body: { request_hash: requestHash } } });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")) throw err;
    const prior = await db.idempotencyKey.findUnique({ where });
    const stored = prior?.body as Stored | undefined;
    if (prior && stored?.request_hash !== requestHash) {
      throw new ApiError(422, "unprocessable", "This Idempotency-Key was used for a different request; use a new key");
    }
    if (prior && prior.status !== 0 && stored?.sealed) return replay(prior.status, unseal(stored.sealed));
    if (!prior || Date.now() - prior.createdAt.getTime() < ABANDONED_AFTER_MS) {
      throw new ApiError(409, "conflict", "A request with this Idempotency-Key is still being processed");
    }
    // Only one retry may take the abandoned key over: the one whose update still sees the old claim.
    const taken = await db.idempotencyKey.updateMany({ where: { userId, key: storedKey, status: 0, createdAt: prior.createdAt }, data: { createdAt: new Date() } });
    if (taken.count !== 1) throw new ApiError(409, "conflict", "A request with this Idempotency-Key is still being processed");
  }
  // A long request (a large upload) renews its claim, so a retry cannot take the key over while it still runs.
  const renew = setInterval(() => {
    void db.idempotencyKey.updateMany({ where: { userId, key: storedKey, status: 0 }, data: { createdAt: new Date() } }).catch(() => undefined);
  }, ABANDONED_AFTER_MS / 3);
  renew.unref();
  let res: Response;
  let text: string;
  try {
    res = await run();
    text = await res.text();
  } catch (err) {
    // The work did not happen: free the key so the request can be sent again.
    await db.idempotencyKey.delete({ where }).catch(() => undefined);
    throw err;
  } finally {
    clearInterval(renew);
  }
  if (res.status >= 400) {
    await db.idempotencyKey.delete({ where }).catch(() => undefined);
  } else {
    const headers = Object.fromEntries(REPLAYED_HEADERS.flatMap((h) => (res.headers.has(h) ? [[h, res.headers.get(h) as string]] : [])));
    const body: Stored = { request_hash: requestHash, sealed: seal({ headers, text }) };
    // The work is done whatever happens to the record: its answer goes out even if storing it fails.
    await db.idempotencyKey
      .updateMany({ where: { userId, key: storedKey }, data: { status: res.status, body: body as Prisma.InputJsonValue } })
      .catch((err: Error) => log.warn({ err: err.message }, "could not store an idempotent answer"));
  }
  return new Response(text === "" ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** A day, as Stripe keeps its keys: a client retries within minutes, and the table must not grow forever. */
export const IDEMPOTENCY_KEEP_HOURS = 24;

/** Forgets keys whose first request is older than `hours`; a repeat after that runs as a new request. */
export async function expireIdempotencyKeys(hours = IDEMPOTENCY_KEEP_HOURS): Promise<number> {
  const { count } = await prisma()
    .$primary()
    .idempotencyKey.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - hours * 3600_000) } } });
  return count;
}
