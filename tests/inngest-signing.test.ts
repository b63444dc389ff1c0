import { createHmac, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { inngestSigningKey, readConfig } from "../lib/config";

// Inngest's serve endpoint in production mode: requests need X-Inngest-Signature, which the SDK checks as
// HMAC-SHA256 (key: the signing key without its `signkey-<env>-` prefix) over the JSON body followed by the
// timestamp, within five minutes. The trust probe (POST ?probe=trust) is Inngest's own check that signing works.

const KEY_HEX = randomBytes(32).toString("hex");
const SIGNING_KEY = `signkey-test-${KEY_HEX}`;
const VARS = ["NODE_ENV", "INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY", "INNGEST_DEV", "INNGEST_BASE_URL"] as const;
const env = process.env as Record<string, string | undefined>;
const saved = Object.fromEntries(VARS.map((k) => [k, env[k]]));

// Keys already in sorted order with plain values, so JSON.stringify is the canonical JSON the SDK signs.
const BODY = JSON.stringify({ ctx: { run_id: "run-1" }, event: { data: {}, name: "tastebud/test" } });

function signature(body: string, key: string, at = Math.round(Date.now() / 1000)) {
  return `t=${at}&s=${createHmac("sha256", key).update(body + at).digest("hex")}`;
}

async function serveRoute(vars: Partial<Record<(typeof VARS)[number], string>>) {
  for (const k of VARS) delete process.env[k];
  Object.assign(process.env, vars);
  vi.resetModules();
  return (await import("../app/api/inngest/route")) as unknown as { POST: (req: Request) => Promise<Response> };
}

function probe(post: (req: Request) => Promise<Response>, headers: Record<string, string> = {}) {
  return post(new Request("http://localhost/api/inngest?probe=trust", { method: "POST", body: BODY, headers: { "content-type": "application/json", ...headers } }));
}

const production = { NODE_ENV: "production", INNGEST_EVENT_KEY: "test-event-key" } as const;

beforeEach(() => vi.spyOn(console, "error").mockImplementation(() => undefined));
afterEach(() => {
  vi.restoreAllMocks();
  for (const k of VARS) {
    if (saved[k] === undefined) delete env[k];
    else env[k] = saved[k];
  }
});

describe("the Inngest endpoint in production", () => {
  it("refuses to start without INNGEST_SIGNING_KEY, with a message that names it", async () => {
    await expect(serveRoute(production)).rejects.toThrow(/INNGEST_SIGNING_KEY: required in production/);
    expect(() => readConfig({ ...production })).toThrow(/INNGEST_SIGNING_KEY/);
    expect(() => inngestSigningKey({ ...production, INNGEST_DEV: "0" })).toThrow(/INNGEST_SIGNING_KEY/);
  });

  it("needs no key with the dev server, in development, or when Inngest is off", () => {
    expect(inngestSigningKey({ ...production, INNGEST_DEV: "1" })).toBeUndefined();
    expect(inngestSigningKey({ NODE_ENV: "development", INNGEST_EVENT_KEY: "k" })).toBeUndefined();
    expect(inngestSigningKey({ NODE_ENV: "production" })).toBeUndefined();
  });

  it("answers 401 to an unsigned request, a wrong key and an expired signature", async () => {
    const { POST } = await serveRoute({ ...production, INNGEST_SIGNING_KEY: SIGNING_KEY });
    const unsigned = await probe(POST);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ message: "Unauthorized" });
    expect((await probe(POST, { "x-inngest-signature": signature(BODY, randomBytes(32).toString("hex")) })).status).toBe(401);
    expect((await probe(POST, { "x-inngest-signature": signature(BODY, KEY_HEX, Math.round(Date.now() / 1000) - 600) })).status).toBe(401);
  });

  it("accepts a request signed with the key and signs its answer", async () => {
    const { POST } = await serveRoute({ ...production, INNGEST_SIGNING_KEY: SIGNING_KEY });
    const res = await probe(POST, { "x-inngest-signature": signature(BODY, KEY_HEX) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-inngest-signature")).toMatch(/^t=\d+&s=[0-9a-f]{64}$/);
  });

  it("a body changed after signing is refused", async () => {
    const { POST } = await serveRoute({ ...production, INNGEST_SIGNING_KEY: SIGNING_KEY });
    const signedForOther = signature(BODY.replace("run-1", "run-2"), KEY_HEX);
    expect((await probe(POST, { "x-inngest-signature": signedForOther })).status).toBe(401);
  });
});
