import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cache, MemoryCache, SafeCache, UpstashCache, type CacheStore } from "../lib/cache";
import { jsonBytes, jsonBytesOf, textOfJsonBytes, type JsonBytes } from "../lib/cache/bytes";
import { startUpstashFront, type UpstashFront } from "./support/upstash-front";

// One contract for every CacheStore: MemoryCache in-process, UpstashCache through @upstash/redis over HTTP
// to an Upstash-compatible front (tests/support/upstash-front.ts) over the real redis-server that
// `npm test` starts (TEST_REDIS_URL). Plus SafeCache's degrade-to-miss behaviour and cache()'s choice of store.

const REDIS_URL = process.env.TEST_REDIS_URL;
const NO_REDIS = !REDIS_URL;
const SKIP_REASON = "skipped: TEST_REDIS_URL is unset (npm test sets it; or start redis-server and export TEST_REDIS_URL=redis://127.0.0.1:<port>)";

/** Every key this file writes starts with this, so cleanup deletes only our keys. */
const PREFIX = `test:cache-contract:${process.pid}:${randomBytes(4).toString("hex")}:`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cacheStoreContract(makeStore: () => CacheStore | Promise<CacheStore>, expectedKind: CacheStore["kind"]) {
  let store: CacheStore;
  let n = 0;
  /** A fresh key per use, so tests do not see each other's values. */
  const key = (name: string) => `${PREFIX}${expectedKind}:${name}:${++n}`;

  beforeAll(async () => {
    store = await makeStore();
  });

  it(`reports kind "${expectedKind}"`, () => {
    expect(store.kind).toBe(expectedKind);
  });

  it("ping resolves", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it("get of a missing key is null", async () => {
    expect(await store.get(key("missing"))).toBeNull();
    expect(await store.getRaw(key("missing-raw"))).toBeNull();
  });

  it("keeps JSON text's bytes exactly as given with setRaw/getRaw, readable by get too", async () => {
    const k = key("raw");
    const text = '[{"movie_id":1,"rating":4.5,"timestamp":"2019-09-03 10:00:00","title":"Amélie ✓"}]';
    await store.setRaw(k, jsonBytesOf(text), 60);
    const kept = await store.getRaw(k);
    expect(kept && Buffer.from(kept, "latin1").equals(Buffer.from(text))).toBe(true);
    expect(await store.get(k)).toEqual(JSON.parse(text));
    // and a value set as JSON comes back as its text's bytes
    await store.set(k, { a: "é" }, 60);
    expect(Buffer.from((await store.getRaw(k)) ?? "", "latin1").toString()).toBe('{"a":"é"}');
  });

  it.each([
    ["a nested object", { id: 7, title: "Dune", tags: ["sci-fi", "classic"], meta: { rating: 4.5, seen: true, note: null } }],
    ["an array", [1, "two", { three: 3 }, [4], null, false]],
    ["a string", "hello world"],
    ["a string that looks like JSON", '{"not":"parsed twice"}'],
    ["the string OK", "OK"],
    ["an empty string", ""],
    ["an integer", 42],
    ["a negative float", -3.25],
    ["zero", 0],
    ["a boolean", false],
    ["unicode (accents, CJK, emoji, RTL)", "Amélie · 千と千尋の神隠し · 🍿🎬 · שלום"],
  ])("set/get round-trips %s", async (_label, value) => {
    const k = key("roundtrip");
    await store.set(k, value, 60);
    expect(await store.get(k)).toEqual(value);
  });

  it("mget returns values in key order with null for missing keys", async () => {
    const [a, b, c] = [key("mget-a"), key("mget-b"), key("mget-c")];
    await store.set(a, { n: 1 }, 60);
    await store.set(c, "three", 60);
    expect(await store.mget(a, key("mget-missing"), c, b)).toEqual([{ n: 1 }, null, "three", null]);
  });

  it("mget of no keys is an empty array", async () => {
    expect(await store.mget()).toEqual([]);
  });

  it("del removes one key and leaves others", async () => {
    const [a, b] = [key("del-a"), key("del-b")];
    await store.set(a, 1, 60);
    await store.set(b, 2, 60);
    await store.del(a);
    expect(await store.mget(a, b)).toEqual([null, 2]);
  });

  it("del removes several keys at once (and ignores missing ones)", async () => {
    const keys = [key("del-many"), key("del-many"), key("del-many")];
    for (const k of keys) await store.set(k, k, 60);
    await store.del(...keys, key("del-never-set"));
    expect(await store.mget(...keys)).toEqual([null, null, null]);
  });

  it("del of no keys resolves", async () => {
    await expect(store.del()).resolves.toBeUndefined();
  });

  it("overwrite replaces the value", async () => {
    const k = key("overwrite");
    await store.set(k, { v: 1, extra: "gone after overwrite" }, 60);
    await store.set(k, { v: 2 }, 60);
    expect(await store.get(k)).toEqual({ v: 2 });
  });

  it("setMax sets a missing number, raises a smaller one and leaves a greater or equal one", async () => {
    const k = key("max");
    await store.setMax(k, 1_733_000_000_000_123, 60);
    expect(await store.get(k)).toBe(1_733_000_000_000_123);
    await store.setMax(k, 1_733_000_000_000_124, 60);
    expect(await store.get(k)).toBe(1_733_000_000_000_124);
    await store.setMax(k, 1_733_000_000_000_001, 60); // a late write of an older version
    await store.setMax(k, 1_733_000_000_000_124, 60);
    expect(await store.get(k)).toBe(1_733_000_000_000_124);
  });

  it("setMax writes over a value that is not a number, and its TTL holds", async () => {
    const k = key("max-ttl");
    await store.set(k, "not a number", 60);
    await store.setMax(k, 5, 1);
    expect(await store.get(k)).toBe(5);
    await sleep(1_300);
    expect(await store.get(k)).toBeNull();
  });

  it("a key expires after its TTL; a longer-lived key survives", async () => {
    const [short, long] = [key("ttl-short"), key("ttl-long")];
    await store.set(short, "short-lived", 1);
    await store.set(long, "long-lived", 60);
    expect(await store.get(short)).toBe("short-lived");
    await sleep(1_300);
    expect(await store.get(short)).toBeNull();
    expect(await store.mget(short, long)).toEqual([null, "long-lived"]);
  });
}

/** A raw entry as text, or null. */
const textOf = async (store: CacheStore, key: string) => {
  const bytes = await store.getRaw(key);
  return bytes === null ? null : textOfJsonBytes(bytes);
};
const bytesOf = (text: string): JsonBytes => jsonBytesOf(text);

describe("JSON bytes (lib/cache/bytes.ts)", () => {
  it("holds UTF-8 bytes one to a character, copied out of the view it is given", () => {
    const text = '{"t":"Amélie ✓ 東京 😀"}';
    const whole = Buffer.from(`xx${text}yy`);
    const view = whole.subarray(2, whole.length - 2);
    const bytes = jsonBytes(view);
    expect(bytes.length).toBe(Buffer.byteLength(text));
    whole.fill(0);
    expect(textOfJsonBytes(bytes)).toBe(text);
    expect(jsonBytesOf(text)).toBe(bytes);
    // ASCII text is its own bytes
    expect(jsonBytesOf('{"a":1}')).toBe('{"a":1}');
  });
});

describe("CacheStore contract: MemoryCache", () => {
  cacheStoreContract(() => new MemoryCache(), "memory");

  it("holds at most its bytes of text, dropping the least recently used first", async () => {
    const store = new MemoryCache(100, 10_000);
    const big = "x".repeat(3_000);
    for (const k of ["a", "b", "c"]) await store.setRaw(k, bytesOf(big), 60);
    expect(await textOf(store, "a")).toBe(big);
    await store.setRaw("d", bytesOf(big), 60);
    // a was read last, so b went
    expect(await store.mget("b")).toEqual([null]);
    expect([await textOf(store, "a"), await textOf(store, "c"), await textOf(store, "d")]).toEqual([big, big, big]);
    // An entry larger than the whole cache is not kept (and evicts nothing).
    await store.setRaw("huge", bytesOf("y".repeat(20_000)), 60);
    expect(await textOf(store, "huge")).toBeNull();
    expect(await textOf(store, "d")).toBe(big);
  });

  it("takes its size from CACHE_MEMORY_MB, fractions and nonsense included", async () => {
    const before = process.env.CACHE_MEMORY_MB;
    try {
      for (const value of ["0.3", "1e303", "-1", "lots", ""]) {
        process.env.CACHE_MEMORY_MB = value;
        const store = new MemoryCache();
        await store.setRaw("k", bytesOf("v"), 60);
        expect(await textOf(store, "k")).toBe("v");
      }
      process.env.CACHE_MEMORY_MB = "0.001";
      const small = new MemoryCache();
      await small.setRaw("k", bytesOf("x".repeat(2_000)), 60);
      expect(await textOf(small, "k")).toBeNull();
    } finally {
      if (before === undefined) delete process.env.CACHE_MEMORY_MB;
      else process.env.CACHE_MEMORY_MB = before;
    }
  });
});

describe.skipIf(NO_REDIS)(`CacheStore contract: UpstashCache over the Upstash REST front (${NO_REDIS ? SKIP_REASON : REDIS_URL})`, () => {
  let front: UpstashFront;
  let redis: IORedis;

  beforeAll(async () => {
    front = await startUpstashFront(REDIS_URL!);
    redis = new IORedis(REDIS_URL!);
  });

  afterAll(async () => {
    // Only the keys this run created (unique prefix), never a flush.
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await front.close();
  });

  cacheStoreContract(() => new UpstashCache(front.url, front.token), "upstash");

  it("writes really land in Redis, as JSON with a TTL", async () => {
    const store = new UpstashCache(front.url, front.token);
    const k = `${PREFIX}upstash:wire`;
    await store.set(k, { title: "Amélie" }, 120);
    expect(await redis.get(k)).toBe('{"title":"Amélie"}');
    const ttl = await redis.ttl(k);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });
});

describe.skipIf(NO_REDIS)(`Upstash REST front speaks what @upstash/redis expects (${NO_REDIS ? SKIP_REASON : "real Redis"})`, () => {
  let front: UpstashFront;
  const k = (name: string) => `${PREFIX}front:${name}`;

  beforeAll(async () => {
    front = await startUpstashFront(REDIS_URL!, { token: "front-secret" });
  });

  afterAll(async () => {
    const redis = new IORedis(REDIS_URL!);
    const keys = await redis.keys(`${PREFIX}front:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await front.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${front.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${front.token}`, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("uses the token it was given", () => {
    expect(front.token).toBe("front-secret");
  });

  it("answers 401 to a wrong or missing bearer token", async () => {
    expect((await post("/", ["PING"], { authorization: "Bearer wrong" })).status).toBe(401);
    const noAuth = await fetch(`${front.url}/`, { method: "POST", body: '["PING"]' });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual({ error: "Unauthorized" });
  });

  it("POST / runs one command and answers {result}; plain UTF-8 without Upstash-Encoding", async () => {
    expect(await (await post("/", ["SET", k("plain"), "héllo", "EX", 60])).json()).toEqual({ result: "OK" });
    expect(await (await post("/", ["GET", k("plain")])).json()).toEqual({ result: "héllo" });
    expect(await (await post("/", ["GET", k("never-set")])).json()).toEqual({ result: null });
    expect(await (await post("/", ["INCR", k("counter")])).json()).toEqual({ result: 1 });
  });

  it("base64-encodes string results (except OK) when asked with Upstash-Encoding: base64", async () => {
    const b64 = { "Upstash-Encoding": "base64" };
    expect(await (await post("/", ["SET", k("b64"), "héllo"], b64)).json()).toEqual({ result: "OK" });
    expect(await (await post("/", ["GET", k("b64")], b64)).json()).toEqual({ result: Buffer.from("héllo").toString("base64") });
    expect(await (await post("/", ["MGET", k("b64"), k("never-set")], b64)).json()).toEqual({
      result: [Buffer.from("héllo").toString("base64"), null],
    });
    expect(await (await post("/", ["EXISTS", k("b64")], b64)).json()).toEqual({ result: 1 });
  });

  it("answers a Redis error with status 400 and {error}", async () => {
    const res = await post("/", ["NOSUCHCOMMAND", "x"]);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/unknown command/i);
  });

  it("POST /pipeline answers one {result} or {error} per command, in order", async () => {
    const res = await post("/pipeline", [["SET", k("p"), "1"], ["INCR", k("p")], ["LPUSH", k("p"), "x"], ["GET", k("p")]]);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toHaveLength(4);
    expect(body[0]).toEqual({ result: "OK" });
    expect(body[1]).toEqual({ result: 2 });
    expect(body[2].error).toMatch(/WRONGTYPE/);
    expect(body[3]).toEqual({ result: "2" });
  });

  it("POST /multi-exec runs the commands as a transaction; a refused command aborts it with 400", async () => {
    const ok = await post("/multi-exec", [["SET", k("tx"), "10"], ["INCRBY", k("tx"), "5"]]);
    expect(await ok.json()).toEqual([{ result: "OK" }, { result: 15 }]);

    const aborted = await post("/multi-exec", [["SET", k("tx"), "99"], ["NOSUCHCOMMAND"]]);
    expect(aborted.status).toBe(400);
    expect((await aborted.json()).error).toMatch(/EXECABORT/);
    expect(await (await post("/", ["GET", k("tx")])).json()).toEqual({ result: "15" });
  });

  it("works with the real @upstash/redis client: single commands, pipelines, transactions, and 401s", async () => {
    const client = new UpstashRedis({ url: front.url, token: front.token, enableAutoPipelining: false, retry: false });
    expect(await client.set(k("client"), { a: "é" })).toBe("OK");
    expect(await client.get(k("client"))).toEqual({ a: "é" });
    expect(await client.ping()).toBe("PONG");
    expect(await client.pipeline().set(k("client-p"), "v").get(k("client-p")).exec()).toEqual(["OK", "v"]);
    expect(await client.multi().incr(k("client-n")).incr(k("client-n")).exec()).toEqual([1, 2]);
    await expect(client.hget(k("client"), "f")).rejects.toThrow(/WRONGTYPE/);

    const intruder = new UpstashRedis({ url: front.url, token: "wrong", retry: false });
    await expect(intruder.get(k("client"))).rejects.toThrow(/Unauthorized/);
  });
});

/** A port nothing listens on: bind an ephemeral port, then release it. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A store whose every call hangs forever, like a cache that accepted the connection and went silent. */
class NeverAnswers implements CacheStore {
  readonly kind = "upstash" as const;
  private never = <T>() => new Promise<T>(() => {});
  get<T>() {
    return this.never<T | null>();
  }
  mget<T>() {
    return this.never<(T | null)[]>();
  }
  getRaw() {
    return this.never<JsonBytes | null>();
  }
  setRaw() {
    return this.never<void>();
  }
  set() {
    return this.never<void>();
  }
  setMax() {
    return this.never<void>();
  }
  del() {
    return this.never<void>();
  }
  ping() {
    return this.never<void>();
  }
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await p;
  return { value, ms: performance.now() - start };
}

describe("SafeCache: a cache that is down or slow never fails the caller", () => {
  describe("when the Upstash endpoint refuses connections (cache down)", () => {
    let inner: UpstashCache;
    let safe: SafeCache;

    beforeAll(async () => {
      inner = new UpstashCache(`http://127.0.0.1:${await closedPort()}`, "any-token");
      safe = new SafeCache(inner, 5_000); // long timeout: these prove the error path, not the timeout path
    });

    it("the bare UpstashCache does reject (so SafeCache is what absorbs it)", async () => {
      await expect(inner.get("k")).rejects.toThrow();
    });

    it("get returns null", async () => {
      const { value, ms } = await timed(safe.get(`${PREFIX}down`));
      expect(value).toBeNull();
      expect(ms).toBeLessThan(5_000);
    });

    it("mget returns one null per key", async () => {
      expect(await safe.mget("a", "b", "c")).toEqual([null, null, null]);
    });

    it("set, setMax and del resolve without throwing", async () => {
      await expect(safe.set(`${PREFIX}down`, { x: 1 }, 60)).resolves.toBeUndefined();
      await expect(safe.setMax(`${PREFIX}down`, 3, 60)).resolves.toBeUndefined();
      await expect(safe.del(`${PREFIX}down`, `${PREFIX}down2`)).resolves.toBeUndefined();
    });

    it("ping rejects, so health checks can report the cache as down", async () => {
      await expect(safe.ping()).rejects.toThrow();
    });

    it("kind is still that of the wrapped store", () => {
      expect(safe.kind).toBe("upstash");
    });
  });

  describe("when the store never answers (100 ms timeout)", () => {
    const safe = new SafeCache(new NeverAnswers(), 100);

    it("get returns null once the timeout passes, not later", async () => {
      const { value, ms } = await timed(safe.get("k"));
      expect(value).toBeNull();
      expect(ms).toBeGreaterThanOrEqual(90);
      expect(ms).toBeLessThan(1_000);
    });

    it("mget returns nulls, set and del resolve, all within the timeout", async () => {
      const { value, ms } = await timed(Promise.all([safe.mget("a", "b"), safe.set("k", 1, 60), safe.del("k")]));
      expect(value).toEqual([[null, null], undefined, undefined]);
      expect(ms).toBeLessThan(1_000);
    });

    it("ping rejects with a timeout error", async () => {
      await expect(safe.ping()).rejects.toThrow(/did not answer within 100 ms/);
    });
  });

  describe("when a real HTTP endpoint accepts the request and then hangs (100 ms timeout)", () => {
    let server: http.Server;
    let safe: SafeCache;

    beforeAll(async () => {
      server = http.createServer(() => {}); // reads the request, never responds
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      const { port } = server.address() as AddressInfo;
      safe = new SafeCache(new UpstashCache(`http://127.0.0.1:${port}`, "any-token"), 100);
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("UpstashCache behind SafeCache: get returns null within the timeout", async () => {
      const { value, ms } = await timed(safe.get(`${PREFIX}hung`));
      expect(value).toBeNull();
      expect(ms).toBeLessThan(1_000);
    });

    it("and ping rejects with a timeout error", async () => {
      await expect(safe.ping()).rejects.toThrow(/did not answer within 100 ms/);
    });
  });
});

describe("cache() picks the store from the environment", () => {
  const VARS = ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_URL", "KV_REST_API_TOKEN"] as const;
  const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
  const g = globalThis as unknown as { tastebudCache?: SafeCache };
  const savedCache = g.tastebudCache;

  function withEnv(env: Partial<Record<(typeof VARS)[number], string>>): SafeCache {
    for (const v of VARS) delete process.env[v];
    Object.assign(process.env, env);
    delete g.tastebudCache; // cache() memoizes here
    return cache();
  }

  afterEach(() => {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    if (savedCache) g.tastebudCache = savedCache;
    else delete g.tastebudCache;
  });

  it("uses memory when no Upstash/KV variables are set", () => {
    const c = withEnv({});
    expect(c).toBeInstanceOf(SafeCache);
    expect(c.kind).toBe("memory");
    expect(c.inner).toBeInstanceOf(MemoryCache);
  });

  it("uses Upstash when UPSTASH_REDIS_REST_URL and _TOKEN are set", () => {
    const c = withEnv({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t" });
    expect(c.kind).toBe("upstash");
    expect(c.inner).toBeInstanceOf(UpstashCache);
  });

  it("uses Upstash when Vercel KV's KV_REST_API_URL and KV_REST_API_TOKEN are set", () => {
    const c = withEnv({ KV_REST_API_URL: "http://127.0.0.1:1", KV_REST_API_TOKEN: "t" });
    expect(c.kind).toBe("upstash");
    expect(c.inner).toBeInstanceOf(UpstashCache);
  });

  it("stays on memory when only the URL or only the token is set", () => {
    expect(withEnv({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1" }).kind).toBe("memory");
    expect(withEnv({ KV_REST_API_TOKEN: "t" }).kind).toBe("memory");
  });

  it("memoizes: later calls return the same instance", () => {
    const c = withEnv({});
    expect(cache()).toBe(c);
  });

  it.skipIf(NO_REDIS)(`the chosen Upstash store talks to the configured endpoint (${NO_REDIS ? SKIP_REASON : "real Redis"})`, async () => {
    const front = await startUpstashFront(REDIS_URL!);
    const redis = new IORedis(REDIS_URL!);
    const k = `${PREFIX}env:selected`;
    try {
      const c = withEnv({ KV_REST_API_URL: front.url, KV_REST_API_TOKEN: front.token });
      await c.set(k, { via: "kv" }, 60);
      expect(await redis.get(k)).toBe('{"via":"kv"}');
      expect(await c.get(k)).toEqual({ via: "kv" });
    } finally {
      await redis.del(k);
      await redis.quit();
      await front.close();
    }
  });
});
