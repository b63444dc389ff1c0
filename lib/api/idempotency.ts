import { prisma, Prisma } from "../db/client";
import { ApiError } from "./errors";
import { json } from "./handler";

// Writes sent with an `Idempotency-Key` run once per user and key; a repeat gets the first response again.

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;

export function idempotencyKeyOf(req: Request): string | null {
  const key = req.headers.get("idempotency-key");
  if (key === null) return null;
  if (!KEY.test(key)) throw new ApiError(400, "bad_request", "Idempotency-Key must be 1-200 letters, digits or . _ : -");
  return key;
}

export async function once(userId: number, key: string | null, run: () => Promise<{ status: number; body: unknown }>): Promise<Response> {
  if (!key) {
    const r = await run();
    return json(r.body, { status: r.status });
  }
  try {
    await prisma().idempotencyKey.create({ data: { userId, key, status: 0, body: {} } });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")) throw err;
    const prior = await prisma().idempotencyKey.findUnique({ where: { userId_key: { userId, key } } });
    if (!prior || prior.status === 0) throw new ApiError(409, "conflict", "A request with this Idempotency-Key is still being processed");
    return json(prior.body, { status: prior.status, headers: { "idempotent-replayed": "true" } });
  }
  try {
    const r = await run();
    await prisma().idempotencyKey.update({ where: { userId_key: { userId, key } }, data: { status: r.status, body: r.body as Prisma.InputJsonValue } });
    return json(r.body, { status: r.status });
  } catch (err) {
    await prisma().idempotencyKey.delete({ where: { userId_key: { userId, key } } }).catch(() => undefined);
    throw err;
  }
}
