import { Redis } from "@upstash/redis";
import { LRUCache } from "lru-cache";
import { log } from "../log";
import { ByteArena, type ArenaChunk } from "./arena";
import { jsonBytes, jsonBytesOf, textOfJsonBytes, type JsonBytes, type RawJson } from "./bytes";

// The cache: Upstash Redis when configured, an in-process LRU with TTLs otherwise. Values are JSON.
// A cache that is down or slow never fails a request: reads miss, writes are skipped.

export interface CacheStore {
  readonly kind: "upstash" | "memory";
  get<T>(key: string): Promise<T | null>;
  /**
   * The stored JSON text itself as its UTF-8 bytes (lib/cache/bytes.ts), for answers that go out exactly as cached:
   * no parse, no re-encode (written as a text string, a 64 KB answer was encoded again for every socket write).
   */
  getRaw(key: string): Promise<JsonBytes | null>;
  setRaw(key: string, json: JsonBytes, ttlSeconds: number): Promise<void>;
  /** Several keys in one round trip; missing keys are null. */
  mget<T>(...keys: string[]): Promise<(T | null)[]>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /**
   * Sets a number only if it is greater than the one stored (or none is): a version that only moves forward however
   * late the writes that raise it arrive. Atomic.
   */
  setMax(key: string, value: number, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  ping(): Promise<void>;
}

/** A size in megabytes from the environment, as whole bytes (at least one); `fallback` when unset or not a size. */
function envBytes(name: string, fallbackMb: number): number {
  const bytes = Math.floor(Number(process.env[name]) * 2 ** 20);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : fallbackMb * 2 ** 20;
}

/**
 * An entry of the in-process cache: a value's JSON text, or a raw answer's bytes in the arena (lib/cache/arena.ts), or
 * on the heap as a string of one-byte characters when the arena has no room of its size.
 */
type MemoryEntry = { json: string } | { chunk: ArenaChunk } | { bytes: JsonBytes };

export class MemoryCache implements CacheStore {
  readonly kind = "memory" as const;
  private lru: LRUCache<string, MemoryEntry>;
  private arena: ByteArena;
  /**
   * At most `maxEntries` entries and `maxBytes` of JSON text (CACHE_MEMORY_MB, 256 by default): entries run from a few
   * bytes to the 64 KB of a 1,000-rating history, so a count alone could hold gigabytes. Raw answers count as the
   * arena chunks that hold them; the arena may reserve an eighth more than `maxBytes`, room for chunks of every size.
   */
  constructor(maxEntries = 50_000, maxBytes = envBytes("CACHE_MEMORY_MB", 256)) {
    this.arena = new ByteArena(maxBytes + maxBytes / 8);
    // Text of a JSON value takes two bytes a character when it is not all one-byte characters: the bound is approximate for those.
    this.lru = new LRUCache<string, MemoryEntry>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (v, k) => ("chunk" in v ? v.chunk.size : "json" in v ? v.json.length : v.bytes.length) + k.length + 64,
      dispose: (v) => "chunk" in v && this.arena.release(v.chunk),
      ttlAutopurge: false,
    });
  }
  get<T>(key: string): Promise<T | null> {
    return Promise.resolve(this.read<T>(key));
  }
  mget<T>(...keys: string[]): Promise<(T | null)[]> {
    return Promise.resolve(keys.map((k) => this.read<T>(k)));
  }
  /** An entry's value, parsed anew each time so that no two readers share an object. */
  private read<T>(key: string): T | null {
    const hit = this.lru.get(key);
    if (!hit) return null;
    if (!("json" in hit)) return JSON.parse("chunk" in hit ? this.arena.text(hit.chunk) : textOfJsonBytes(hit.bytes)) as T;
    // A number (the versions and epochs read on every request) as JSON.stringify wrote it: Number gives the same value
    // as JSON.parse, in a fraction of its time.
    const first = hit.json.charCodeAt(0);
    return ((first >= 48 && first <= 57) || first === 45 ? Number(hit.json) : JSON.parse(hit.json)) as T;
  }
  async getRaw(key: string): Promise<JsonBytes | null> {
    const hit = this.lru.get(key);
    return hit && "chunk" in hit ? (this.arena.latin1(hit.chunk) as JsonBytes) : this.rawOfHeapEntry(hit);
  }
  private rawOfHeapEntry(hit: Exclude<MemoryEntry, { chunk: ArenaChunk }> | undefined): JsonBytes | null {
    return !hit ? null : "bytes" in hit ? hit.bytes : jsonBytesOf(hit.json);
  }
  async setRaw(key: string, json: JsonBytes, ttlSeconds: number): Promise<void> {
    const chunk = this.arena.store(json);
    this.keep(key, chunk ? { chunk } : { bytes: json }, ttlSeconds);
  }
  /** getRaw, with bytes in the arena lent rather than copied out (release them once sent). */
  lendRaw(key: string): RawJson | null {
    const hit = this.lru.get(key);
    return hit && "chunk" in hit ? this.arena.lend(hit.chunk) : this.rawOfHeapEntry(hit);
  }
  /**
   * setRaw of bytes (copied before this returns), and what to send for them: lent from the arena (release them once
   * sent), or a string when the arena had no room of their size.
   */
  keepRaw(key: string, bytes: Uint8Array, ttlSeconds: number): RawJson {
    const chunk = this.arena.storeBytes(bytes);
    if (!chunk) {
      const json = jsonBytes(bytes);
      this.keep(key, { bytes: json }, ttlSeconds);
      return json;
    }
    // Lent before the LRU may let it go (a value larger than the whole cache).
    const lent = this.arena.lend(chunk);
    this.keep(key, { chunk }, ttlSeconds);
    return lent;
  }
  private keep(key: string, entry: MemoryEntry, ttlSeconds: number): void {
    this.lru.set(key, entry, { ttl: ttlSeconds * 1000 });
    // Too large for the whole cache: the LRU kept nothing, so nothing will release the chunk but this.
    if ("chunk" in entry && this.lru.peek(key, { allowStale: true }) !== entry) this.arena.release(entry.chunk);
  }
  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.lru.set(key, { json: JSON.stringify(value ?? null) }, { ttl: ttlSeconds * 1000 });
  }
  async setMax(key: string, value: number, ttlSeconds: number): Promise<void> {
    const held = await this.get<unknown>(key);
    if (typeof held !== "number" || held < value) await this.set(key, value, ttlSeconds);
  }
  async del(...keys: string[]): Promise<void> {
    for (const k of keys) this.lru.delete(k);
  }
  async ping(): Promise<void> {}
  /** What the arena holds (tests). */
  arenaStats() {
    return this.arena.stats();
  }
}

// In Redis's Lua, numbers are doubles: exact for the versions kept this way (microseconds since 1970, below 2^53).
const SET_MAX = `local held = tonumber(redis.call('GET', KEYS[1]) or '')
if held == nil or held < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return 1 end
return 0`;

export class UpstashCache implements CacheStore {
  readonly kind = "upstash" as const;
  private redis: Redis;
  constructor(url: string, token: string) {
    this.redis = new Redis({ url, token, automaticDeserialization: false, retry: { retries: 0 } });
  }
  async get<T>(key: string): Promise<T | null> {
    const raw = await this.redis.get<string>(key);
    return raw === null || raw === undefined ? null : (JSON.parse(raw) as T);
  }
  async getRaw(key: string): Promise<JsonBytes | null> {
    const text = await this.redis.get<string>(key);
    return text === null || text === undefined ? null : jsonBytesOf(text);
  }
  async setRaw(key: string, json: JsonBytes, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, textOfJsonBytes(json), { ex: Math.max(1, Math.round(ttlSeconds)) });
  }
  async mget<T>(...keys: string[]): Promise<(T | null)[]> {
    if (keys.length === 0) return [];
    const raws = await this.redis.mget<(string | null)[]>(...keys);
    return raws.map((raw) => (raw === null || raw === undefined ? null : (JSON.parse(raw) as T)));
  }
  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), { ex: Math.max(1, Math.round(ttlSeconds)) });
  }
  async setMax(key: string, value: number, ttlSeconds: number): Promise<void> {
    await this.redis.eval(SET_MAX, [key], [JSON.stringify(value), String(Math.max(1, Math.round(ttlSeconds)))]);
  }
  async del(...keys: string[]): Promise<void> {
    if (keys.length) await this.redis.del(...keys);
  }
  async ping(): Promise<void> {
    await this.redis.ping();
  }
}

const TIMEOUT_MS = Number(process.env.CACHE_TIMEOUT_MS ?? 250);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`cache did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

/** Wraps a store so that errors and timeouts degrade to misses instead of failing callers. */
export class SafeCache implements CacheStore {
  constructor(readonly inner: CacheStore, private timeoutMs = TIMEOUT_MS) {}
  // The in-process store answers in the same tick: a timer per call (three on a cache hit) would only cost.
  private bounded<T>(p: Promise<T>): Promise<T> {
    return this.inner.kind === "memory" ? p : withTimeout(p, this.timeoutMs);
  }
  get kind() {
    return this.inner.kind;
  }
  async get<T>(key: string): Promise<T | null> {
    try {
      return await this.bounded(this.inner.get<T>(key));
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, "cache read failed; reading from the database");
      return null;
    }
  }
  async getRaw(key: string): Promise<JsonBytes | null> {
    try {
      return await this.bounded(this.inner.getRaw(key));
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, "cache read failed; reading from the database");
      return null;
    }
  }
  async setRaw(key: string, json: JsonBytes, ttlSeconds: number): Promise<void> {
    try {
      await this.bounded(this.inner.setRaw(key, json, ttlSeconds));
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, "cache write skipped");
    }
  }
  /** getRaw; from the in-process cache, bytes in its arena are lent (release them once sent). */
  async lendRaw(key: string): Promise<RawJson | null> {
    if (!(this.inner instanceof MemoryCache)) return this.getRaw(key);
    try {
      return this.inner.lendRaw(key);
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, "cache read failed; reading from the database");
      return null;
    }
  }
  /**
   * setRaw of bytes, copied before the first await (a working buffer may be written over once this yields), and what
   * to send for them: lent from the in-process cache's arena (release them once sent), or a string.
   */
  async keepRaw(key: string, bytes: Uint8Array, ttlSeconds: number): Promise<RawJson> {
    if (this.inner instanceof MemoryCache) {
      try {
        return this.inner.keepRaw(key, bytes, ttlSeconds);
      } catch (err) {
        log.warn({ err: (err as Error).message, key }, "cache write skipped");
        return jsonBytes(bytes);
      }
    }
    const json = jsonBytes(bytes);
    await this.setRaw(key, json, ttlSeconds);
    return json;
  }
  async mget<T>(...keys: string[]): Promise<(T | null)[]> {
    try {
      return await this.bounded(this.inner.mget<T>(...keys));
    } catch (err) {
      log.warn({ err: (err as Error).message, keys }, "cache read failed; reading from the database");
      return keys.map(() => null);
    }
  }
  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await this.bounded(this.inner.set(key, value, ttlSeconds));
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, "cache write skipped");
    }
  }
  async setMax(key: string, value: number, ttlSeconds: number): Promise<void> {
    try {
      await this.bounded(this.inner.setMax(key, value, ttlSeconds));
    } catch (err) {
      log.warn({ err: (err as Error).message, key }, "cache write skipped");
    }
  }
  async del(...keys: string[]): Promise<void> {
    try {
      await this.bounded(this.inner.del(...keys));
    } catch (err) {
      log.warn({ err: (err as Error).message, keys }, "cache delete failed");
    }
  }
  ping(): Promise<void> {
    return this.bounded(this.inner.ping());
  }
}

const globalForCache = globalThis as unknown as { tastebudCache?: SafeCache };

export function cache(): SafeCache {
  if (!globalForCache.tastebudCache) {
    const url = process.env.UPSTASH_REDIS_REST_URL || process.env.KV_REST_API_URL;
    const token = process.env.UPSTASH_REDIS_REST_TOKEN || process.env.KV_REST_API_TOKEN;
    globalForCache.tastebudCache = new SafeCache(url && token ? new UpstashCache(url, token) : new MemoryCache());
  }
  return globalForCache.tastebudCache;
}

/** A value remembered for `ttlSeconds` under `key`, loaded on a miss (null results are not remembered). */
export async function remember<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const known = await cache().get<T>(key);
  if (known !== null) return known;
  const value = await load();
  if (value !== null && value !== undefined) await cache().set(key, value, ttlSeconds);
  return value;
}
