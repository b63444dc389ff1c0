import { describe, expect, it } from "vitest";
import { ByteArena, SLAB_BYTES } from "../lib/cache/arena";
import { MemoryCache } from "../lib/cache";
import { jsonBytesOf, textOfJsonBytes } from "../lib/cache/bytes";

// The in-process cache keeps raw answers in slabs outside V8's heap (lib/cache/arena.ts): bytes come back exactly,
// released chunks are reused, emptied slabs serve any size, and nothing is reserved past the bound.

const bytes = (n: number, fill = "x") => jsonBytesOf(fill.repeat(n));

describe("ByteArena", () => {
  it("gives back exactly the bytes stored, as one-byte characters and as UTF-8 text", () => {
    const arena = new ByteArena(SLAB_BYTES);
    const text = '[{"title":"Amélie ✓ 東京 😀"}]';
    const chunk = arena.store(jsonBytesOf(text));
    expect(chunk).not.toBeNull();
    expect(arena.text(chunk!)).toBe(text);
    expect(textOfJsonBytes(arena.latin1(chunk!) as never)).toBe(text);
    expect(chunk!.size).toBeGreaterThanOrEqual(Buffer.byteLength(text));
  });

  it("wastes at most a fifth of a chunk, and holds nothing larger than a slab", () => {
    const arena = new ByteArena(8 * SLAB_BYTES);
    for (const n of [0, 1, 255, 256, 257, 1_000, 55_000, 64 * 1024, 500_000, SLAB_BYTES]) {
      const chunk = arena.store(bytes(n))!;
      expect(chunk.length).toBe(n);
      expect(chunk.size).toBeGreaterThanOrEqual(n);
      if (n > 256) expect(chunk.size).toBeLessThanOrEqual(n * 1.25 + 64);
      arena.release(chunk);
    }
    expect(arena.store(bytes(SLAB_BYTES + 1))).toBeNull();
  });

  it("reuses released chunks and emptied slabs instead of reserving more, and refuses past its bound", () => {
    const arena = new ByteArena(2 * SLAB_BYTES);
    const big = Array.from({ length: 40 }, (_, i) => arena.store(bytes(50_000, String.fromCharCode(97 + (i % 26)))));
    const perSlab = Math.floor(SLAB_BYTES / big[0]!.size);
    // two slabs of chunks of one size hold 2 x perSlab; the rest find no room
    expect(big.filter(Boolean)).toHaveLength(2 * perSlab);
    expect(arena.stats().slabs).toBe(2);
    const kept = big.filter((c) => c !== null);
    for (const c of kept.slice(0, perSlab)) arena.release(c);
    expect(arena.stats().idleSlabs).toBe(1);
    // a slab emptied serves another size; the chunks still held are intact
    const small = arena.store(bytes(300, "s"))!;
    expect(arena.text(small)).toBe("s".repeat(300));
    expect(arena.stats().slabs).toBe(2);
    for (const c of kept.slice(perSlab)) expect(arena.text(c)).toBe(String.fromCharCode(97 + (big.indexOf(c) % 26)).repeat(50_000));
    expect(() => arena.text(kept[0])).toThrow(/released/);
    // releasing twice is harmless
    arena.release(kept[0]);
    expect(arena.stats().usedBytes).toBe(perSlab * kept[0].size + small.size);
  });
});

describe("ByteArena's loans", () => {
  it("lends the stored bytes themselves and keeps them until the cache and every loan have let go", () => {
    const arena = new ByteArena(SLAB_BYTES);
    const source = Buffer.from("x".repeat(5_000));
    const chunk = arena.storeBytes(source)!;
    source.fill("y"); // copied when stored
    const one = arena.lend(chunk);
    const two = arena.lend(chunk);
    expect(one.bytes.toString()).toBe("x".repeat(5_000));
    expect(one.bytes.buffer).toBe(two.bytes.buffer); // no copy
    arena.release(chunk); // the cache let the entry go
    expect(arena.stats().usedBytes).toBe(chunk.size);
    // the chunk is not handed out again while lent: a new store gets another
    const other = arena.storeBytes(Buffer.from("z".repeat(5_000)))!;
    expect(other.offset).not.toBe(chunk.offset);
    expect(one.text()).toBe("x".repeat(5_000));
    one.release();
    one.release(); // a second release does nothing
    expect(arena.stats().usedBytes).toBe(chunk.size + other.size);
    expect(() => one.bytes).toThrow(/released/);
    expect(two.bytes.length).toBe(5_000);
    two.release();
    expect(arena.stats().usedBytes).toBe(other.size);
    // free again: the next store of that size takes it
    expect(arena.storeBytes(Buffer.from("w".repeat(5_000)))!.offset).toBe(chunk.offset);
    expect(() => arena.lend(chunk)).toThrow(/released/);
  });
});

describe("ByteArena's memory", () => {
  it("is reserved whole at the first store, not a slab at a time (each 64 MB more outside V8's heap sets off a full collection)", () => {
    const arena = new ByteArena(5 * SLAB_BYTES);
    expect(arena.stats().reservedBytes).toBe(0);
    const first = arena.store(bytes(1_000, "f"))!;
    expect(arena.stats()).toMatchObject({ reservedBytes: 5 * SLAB_BYTES, slabs: 1 });
    // chunks of five sizes: one slab each, all cut from the block reserved at first, none overlapping another
    const chunks = [first, ...[60_000, 200_000, 400_000, 900_000].map((n, i) => arena.store(bytes(n, String(i)))!)];
    expect(arena.stats()).toMatchObject({ reservedBytes: 5 * SLAB_BYTES, slabs: 5 });
    expect(new Set(chunks.map((c) => c.slab.bytes.buffer)).size).toBe(1);
    expect(arena.text(first)).toBe("f".repeat(1_000));
    ["0", "1", "2", "3"].forEach((fill, i) => expect(arena.text(chunks[i + 1])).toBe(fill.repeat(chunks[i + 1].length)));
    expect(arena.store(bytes(600_000))).toBeNull();
  });

  it("falls back to a slab at a time when the system refuses the whole block, and asks for it only once", () => {
    let asked = 0;
    const arena = new ByteArena(3 * SLAB_BYTES, () => {
      asked++;
      throw new RangeError("Array buffer allocation failed");
    });
    const chunks = [100, 60_000, 500_000].map((n, i) => arena.store(bytes(n, String(i)))!);
    expect(asked).toBe(1);
    expect(arena.stats()).toMatchObject({ reservedBytes: 3 * SLAB_BYTES, slabs: 3 });
    chunks.forEach((c, i) => expect(arena.text(c)).toBe(String(i).repeat(c.length)));
    expect(arena.store(bytes(900_000))).toBeNull();
  });
});

describe("MemoryCache keeps raw answers in its arena", () => {
  it("releases a chunk when its entry is overwritten, deleted, evicted or refused", async () => {
    const store = new MemoryCache(100, 4 * 72_000);
    await store.setRaw("a", bytes(60_000, "a"), 60);
    const one = store.arenaStats().usedBytes;
    expect(one).toBeGreaterThanOrEqual(60_000);
    await store.setRaw("a", bytes(60_000, "b"), 60);
    expect(store.arenaStats().usedBytes).toBe(one);
    expect(await store.getRaw("a")).toBe("b".repeat(60_000));
    await store.del("a");
    expect(store.arenaStats().usedBytes).toBe(0);
    for (const k of ["k1", "k2", "k3", "k4", "k5", "k6"]) await store.setRaw(k, bytes(60_000, k.slice(1)), 60);
    // four fit; the two oldest went, and their chunks with them
    expect(await store.getRaw("k1")).toBeNull();
    expect(await store.getRaw("k6")).toBe("6".repeat(60_000));
    expect(store.arenaStats().usedBytes).toBe(4 * one);
    // larger than the whole cache: not kept, and its chunk not lost
    await store.setRaw("huge", bytes(300_000), 60);
    expect(await store.getRaw("huge")).toBeNull();
    expect(store.arenaStats().usedBytes).toBe(4 * one);
  });

  it("keeps an answer too large for a slab on the heap, readable as JSON too", async () => {
    const store = new MemoryCache(100, 8 * SLAB_BYTES);
    const list = Array.from({ length: 20_000 }, (_, i) => ({ movie_id: i, rating: 4.5, timestamp: "2019-09-03 10:00:00" }));
    const text = JSON.stringify(list);
    expect(text.length).toBeGreaterThan(SLAB_BYTES);
    await store.setRaw("long", jsonBytesOf(text), 60);
    expect(store.arenaStats().usedBytes).toBe(0);
    expect(await store.getRaw("long")).toBe(text);
    expect(await store.get("long")).toEqual(list);
  });

  it("lends raw answers on a hit and on a store, and an overwritten entry's bytes stay intact while lent", async () => {
    const store = new MemoryCache(100, 4 * 72_000);
    const kept = store.keepRaw("a", Buffer.from("a".repeat(60_000)), 60);
    expect(typeof kept).not.toBe("string");
    const one = store.arenaStats().usedBytes;
    const hit = store.lendRaw("a");
    expect(hit !== null && typeof hit !== "string" && hit.text()).toBe("a".repeat(60_000));
    expect(await store.getRaw("a")).toBe("a".repeat(60_000)); // copied out, as before
    store.keepRaw("a", Buffer.from("b".repeat(60_000)), 60);
    // the old bytes are still being sent: held apart from the new entry's
    expect(store.arenaStats().usedBytes).toBe(2 * one);
    if (typeof hit === "string" || hit === null || typeof kept === "string") throw new Error("expected lent bytes");
    expect(hit.bytes.toString()).toBe("a".repeat(60_000));
    hit.release();
    expect(store.arenaStats().usedBytes).toBe(2 * one);
    kept.release();
    expect(store.arenaStats().usedBytes).toBe(one);
    expect(await store.getRaw("a")).toBe("b".repeat(60_000));
    expect(store.lendRaw("missing")).toBeNull();
  });

  it("sends bytes too large for the arena, or for the whole cache, as a string, and keeps what it can", async () => {
    const store = new MemoryCache(100, 4 * 72_000);
    // larger than a slab: kept on the heap
    const long = Buffer.from("l".repeat(SLAB_BYTES + 10));
    expect(store.keepRaw("long", long, 60)).toBe("l".repeat(SLAB_BYTES + 10));
    // larger than the whole cache: not kept; the loan still reads, and its chunk comes back when released
    const huge = store.keepRaw("huge", Buffer.from("h".repeat(300_000)), 60);
    expect(await store.getRaw("huge")).toBeNull();
    if (typeof huge === "string") throw new Error("expected lent bytes");
    expect(huge.text()).toBe("h".repeat(300_000));
    huge.release();
    expect(store.arenaStats().usedBytes).toBe(0);
  });

  it("drops an expired answer's chunk when it is next read", async () => {
    const store = new MemoryCache(100, SLAB_BYTES);
    await store.setRaw("brief", bytes(1_000), 0.05);
    await new Promise((r) => setTimeout(r, 80));
    expect(await store.getRaw("brief")).toBeNull();
    expect(store.arenaStats().usedBytes).toBe(0);
  });
});
