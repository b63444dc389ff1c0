import { createHash } from "node:crypto";
import { prisma, Prisma } from "../db/client";
import { ApiError } from "./errors";
import { json } from "./handler";

// Writes sent with an `Idempotency-Key` run once per user and key; a repeat of the same request gets the first
// response again, a different request under the same key is refused, and a key left pending by a crashed request
// is taken over after a while.

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const ABANDONED_AFTER_MS = 5 * 60_000;

type Stored = { request_hash: string; response?: unknown };

export function idempotencyKeyOf(req: Request): string | null {
  const key = req.headers.get("idempotency-key");
  if (key === null) return null;
  if (!KEY.test(key)) throw new ApiError(400, "bad_request", "Idempotency-Key must be 1-200 letters, digits or . _ : -");
  return key;
}

export async function once(userId: number, key: string | null, request: unknown, run: () => Promise<{ status: number; body: unknown }>): Promise<Response> {
  if (!key) {
    const r = await run();
    return json(r.body, { status: r.status });
  }
  const requestHash = createHash("sha256").update(JSON.stringify(request)).digest("hex");
  const where = { userId_key: { userId, key } };
  try {
    await prisma().idempotencyKey.create({ data: { userId, key, status: 0, body: { request_hash: requestHash } } });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")) throw err;
    const prior = await prisma().idempotencyKey.findUnique({ where });
    const stored = prior?.body as Stored | undefined;
    if (prior && stored?.request_hash !== requestHash) {
      throw new ApiError(422, "unprocessable", "This Idempotency-Key was used for a different request; use a new key");
    }
    if (prior && prior.status !== 0) return json(stored?.response ?? null, { status: prior.status, headers: { "idempotent-replayed": "true" } });
    if (!prior || Date.now() - prior.createdAt.getTime() < ABANDONED_AFTER_MS) {
      throw new ApiError(409, "conflict", "A request with this Idempotency-Key is still being processed");
    }
    await prisma().idempotencyKey.update({ where, data: { createdAt: new Date() } });
  }
  let result: { status: number; body: unknown };
  try {
    result = await run();
  } catch (err) {
    // The work did not happen: free the key so the request can be sent again.
    await prisma().idempotencyKey.delete({ where }).catch(() => undefined);
    throw err;
  }
  await prisma().idempotencyKey.update({ where, data: { status: result.status, body: { request_hash: requestHash, response: result.body } as Prisma.InputJsonValue } });
  return json(result.body, { status: result.status });
}
