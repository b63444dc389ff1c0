import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import * as Sentry from "@sentry/nextjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { ApiError } from "../lib/api/errors";
import { apiRoute } from "../lib/api/handler";
import { registerUser } from "../lib/auth/users";
import { initSentry } from "../lib/ops/sentry";
import { scrubEvent } from "../lib/ops/sentry-scrub";
import { useTestDatabase } from "./support/db";
import { call, expectProblem } from "./support/http";

// A local HTTP server plays Sentry's ingest endpoint; the server SDK is started the way instrumentation.ts does.
useTestDatabase();

type Envelope = { raw: string; items: { header: { type: string }; payload: Record<string, unknown> }[] };
const received: Envelope[] = [];
let ingest: http.Server;
let dsn = "";
let token = "";
const savedDsn = process.env.SENTRY_DSN;

function parseEnvelope(raw: string): Envelope {
  const lines = raw.split("\n").filter(Boolean);
  const items: Envelope["items"] = [];
  for (let i = 1; i + 1 < lines.length; i += 2) items.push({ header: JSON.parse(lines[i]), payload: JSON.parse(lines[i + 1]) });
  return { raw, items };
}

type SentEvent = { raw: string; exception?: { values: { type: string; value: string }[] }; tags?: Record<string, string>; request?: { method: string; url: string; headers: Record<string, string> } };
const events = (): SentEvent[] => received.flatMap((e) => e.items.filter((i) => i.header.type === "event").map((i) => ({ ...i.payload, raw: e.raw })));

const failing = apiRoute({ scope: "read" }, async () => {
  throw new TypeError("recommendation cache returned undefined");
});
const missing = apiRoute({ scope: "read" }, async () => {
  throw new ApiError(404, "not_found", "No such item");
});

beforeAll(async () => {
  ingest = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const text = (req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString("utf8");
      if (req.url?.startsWith("/api/1/envelope/")) received.push(parseEnvelope(text));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => ingest.listen(0, "127.0.0.1", resolve));
  dsn = `http://publickey@127.0.0.1:${(ingest.address() as AddressInfo).port}/1`;
  await registerUser({ email: "ada@example.com", password: "correct horse" });
  token = (await call<{ token: string }>(exchange, { method: "POST", body: { email: "ada@example.com", password: "correct horse" } })).body.token;
});

afterAll(async () => {
  await Sentry.close(2000);
  ingest.closeAllConnections();
  await new Promise((resolve) => ingest.close(resolve));
  if (savedDsn === undefined) delete process.env.SENTRY_DSN;
  else process.env.SENTRY_DSN = savedDsn;
});

describe("Sentry error reporting", () => {
  it("stays off without SENTRY_DSN: the SDK is not initialised and a 500 sends nothing", async () => {
    delete process.env.SENTRY_DSN;
    expect(await initSentry()).toBe(false);
    expect(Sentry.isInitialized()).toBe(false);
    expectProblem(await call(failing, { token }), 500, "internal_error");
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toHaveLength(0);
  });

  it("reports an unexpected API error with its request id, and no credentials", async () => {
    process.env.SENTRY_DSN = dsn;
    expect(await initSentry()).toBe(true);
    expect(Sentry.isInitialized()).toBe(true);

    // Made here, so they cannot show up in the source lines Sentry attaches to stack frames.
    const cookieSecret = randomBytes(12).toString("hex");
    const querySecret = randomBytes(12).toString("hex");
    const res = await call(failing, {
      token,
      path: `/api/v1/items/7/similar?limit=5&api_key=${querySecret}`,
      headers: { cookie: `next-auth.session-token=${cookieSecret}`, "x-request-id": "req-sentry-test-1" },
    });
    expectProblem(res, 500, "internal_error");
    expect(res.headers.get("x-request-id")).toBe("req-sentry-test-1");
    await Sentry.flush(5000);

    const [event] = events();
    expect(event).toBeDefined();
    expect(event.exception?.values[0]).toMatchObject({ type: "TypeError", value: "recommendation cache returned undefined" });
    expect(event.tags).toMatchObject({ request_id: "req-sentry-test-1" });
    const request = event.request!;
    expect(request.method).toBe("GET");
    expect(request.headers.authorization).toBe("[Filtered]");
    expect(request.headers.cookie).toBe("[Filtered]");
    expect(request.headers["x-request-id"]).toBe("req-sentry-test-1");
    expect(request.url).toContain("limit=5");
    // Nowhere in what left the process: not the bearer token, not the session cookie, not the query's key.
    expect(event.raw).not.toContain(token);
    expect(event.raw).not.toContain(cookieSecret);
    expect(event.raw).not.toContain(querySecret);
  });

  it("does not report 4xx answers", async () => {
    const before = received.length;
    expectProblem(await call(missing, { token }), 404, "not_found");
    expectProblem(await call(failing, {}), 401, "unauthorized");
    expectProblem(await call(failing, { token: "tb_not-a-real-token" }), 401);
    await Sentry.flush(5000);
    expect(received.slice(before).flatMap((e) => e.items.filter((i) => i.header.type === "event"))).toHaveLength(0);
  });
});

describe("scrubEvent", () => {
  it("filters credential headers, drops cookies and bodies, and masks secret query values in URLs and breadcrumbs", () => {
    const event = scrubEvent({
      type: undefined,
      request: {
        url: "https://app.example/api/v1/x?token=abc&page=2",
        query_string: "token=abc&page=2",
        headers: { Authorization: "Bearer abc", "X-Api-Key": "k", "user-agent": "curl" },
        cookies: { session: "abc" },
        data: { password: "correct horse" },
      },
      breadcrumbs: [{ category: "fetch", data: { url: "https://ws.audioscrobbler.com/2.0/?method=user.getrecenttracks&api_key=abc" } }],
    });
    expect(event.request).toEqual({
      url: "https://app.example/api/v1/x?token=[Filtered]&page=2",
      query_string: "token=[Filtered]&page=2",
      headers: { Authorization: "[Filtered]", "X-Api-Key": "[Filtered]", "user-agent": "curl" },
    });
    expect(event.breadcrumbs?.[0].data?.url).toBe("https://ws.audioscrobbler.com/2.0/?method=user.getrecenttracks&api_key=[Filtered]");
  });
});
