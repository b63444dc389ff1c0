import { randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

// A tiny Upstash-compatible REST front over a real Redis, for tests. It speaks the subset of the
// Upstash REST protocol that @upstash/redis uses:
//   POST /            body ["SET","k","v","EX","10"]      -> 200 {"result": ...} | 400 {"error": "..."}
//   POST /pipeline    body [[cmd...], [cmd...]]           -> 200 [{"result": ...} | {"error": "..."}, ...]
//   POST /multi-exec  body [[cmd...], [cmd...]] (atomic)  -> 200 [...as pipeline] | 400 {"error": "EXECABORT ..."}
// Auth is `Authorization: Bearer <token>` (or `?_token=`); a wrong or missing token is 401.
//
// Response encoding: @upstash/redis sends `Upstash-Encoding: base64` by default and then base64-decodes
// every string in `result` (recursively in arrays), except the literal "OK", which it passes through.
// Integers and nulls are left alone. So with that header every string reply is sent base64-encoded
// (status "OK" is sent as plain "OK", as Upstash does); without it, replies are plain UTF-8 strings.

export type UpstashFront = { url: string; token: string; close(): Promise<void> };

type Reply = string | number | null | Reply[];
type Entry = { result: Reply } | { error: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startUpstashFront(redisUrl: string, opts: { token?: string } = {}): Promise<UpstashFront> {
  const token = opts.token ?? `test-${randomBytes(12).toString("hex")}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  await redis.ping(); // fail fast (here, not in the first test) when the Redis URL is wrong

  const server = http.createServer((req, res) => {
    handle(req)
      .then((r) => send(res, r.status, r.body))
      .catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        send(res, status, { error: err instanceof Error ? err.message : String(err) });
      });
  });

  async function handle(req: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? "/", "http://front");
    if (req.method !== "POST") throw new HttpError(405, `method ${req.method} not allowed; this front only takes POST`);
    if (!authorized(req, url)) throw new HttpError(401, "Unauthorized");
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const body = await readJson(req);

    switch (url.pathname) {
      case "/": {
        const command = asCommand(body);
        try {
          return { status: 200, body: { result: encode(await redis.callBuffer(command[0], ...command.slice(1)), base64) } };
        } catch (err) {
          throw new HttpError(400, errorMessage(err));
        }
      }
      case "/pipeline": {
        const commands = asCommands(body);
        const pipeline = redis.pipeline();
        for (const [name, ...args] of commands) pipeline.callBuffer(name, ...args);
        return { status: 200, body: toEntries((await pipeline.exec()) ?? [], base64) };
      }
      case "/multi-exec": {
        const commands = asCommands(body);
        const multi = redis.multi();
        for (const [name, ...args] of commands) multi.callBuffer(name, ...args);
        try {
          // exec rejects with EXECABORT when a command was refused while queueing (the transaction is discarded)
          return { status: 200, body: toEntries((await multi.exec()) ?? [], base64) };
        } catch (err) {
          throw new HttpError(400, errorMessage(err));
        }
      }
      default:
        throw new HttpError(404, `no such endpoint: ${url.pathname}`);
    }
  }

  function authorized(req: http.IncomingMessage, url: URL): boolean {
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : (url.searchParams.get("_token") ?? "");
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close() {
      closed ??= (async () => {
        // fetch keeps connections alive; drop them so close() does not wait for their idle timeout
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closed;
    },
  };
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "ERR the request body is not valid JSON");
  }
}

/** A command is a non-empty JSON array of strings/numbers/booleans, the first being the command name. */
function asCommand(value: unknown): [string, ...string[]] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, "ERR a command must be a non-empty JSON array");
  return value.map((arg) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new HttpError(400, `ERR unsupported argument ${JSON.stringify(arg)} in command ${JSON.stringify(value)}`);
  }) as [string, ...string[]];
}

function asCommands(value: unknown): [string, ...string[]][] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, "ERR a pipeline must be a non-empty JSON array of commands");
  return value.map(asCommand);
}

function toEntries(results: [Error | null, unknown][], base64: boolean): Entry[] {
  return results.map(([err, result]) => (err ? { error: errorMessage(err) } : { result: encode(result, base64) }));
}

function encode(value: unknown, base64: boolean): Reply {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (Buffer.isBuffer(value) || typeof value === "string") {
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value);
    if (!base64) return buf.toString("utf8");
    // ioredis hands status and bulk replies alike as Buffers; "OK" is the one string the client takes as-is
    return buf.length === 2 && buf.toString("latin1") === "OK" ? "OK" : buf.toString("base64");
  }
  if (Array.isArray(value)) return value.map((v) => encode(v, base64));
  if (value instanceof Error) return value.message;
  throw new Error(`unsupported Redis reply: ${String(value)}`);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
