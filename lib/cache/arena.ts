// Memory outside V8's heap for the in-process cache's raw answers (rating histories, recommendation pages): one block
// reserved whole the first time an answer is stored, cut into 1 MB slabs as the cache fills, reused, never given back.
//
// Why: kept as strings, cached answers are long-lived objects on V8's heap. Each one a cache miss stores (64 KB for
// 1,000 ratings) is copied out of the young generation by two scavenges and then fills the old one until a major
// collection walks it: on 2,100 misses at 32 connections that was 150-180 ms of scavenges and a major collection of
// 8-12 ms near the end, which held every request in flight (README, "Rating history API"). Held here, a cached answer
// is bytes V8 neither copies nor marks.
//
// Why one block: V8 starts a full collection each time the memory held outside its heap has grown by 64 MB since the
// last one. Reserved a slab at a time, the arena was that memory: while the cache filled (2,300 misses of 64 KB each,
// 150 MB) it set off a full collection every 400-600 misses, each stalling every request in flight for 20-30 ms, the
// slowest 1% of the misses. Reserved at once, it sets off one, when the first answer is stored. The block is address
// space: the system gives it pages only as they are written, so the resident size still grows with what is cached.
//
// A slab is cut into chunks of one size class: 256 B and up by a quarter (so at most a fifth of a chunk goes unused)
// to the whole slab. Answers larger than a slab are not held here (the cache keeps those on the heap).
//
// Answers go to the socket straight from their chunk (`lend`): copied out to a string on V8's heap for every hit and
// every miss, each 64 KB answer was young-generation garbage and two more copies (into the string, and out of it into
// the socket's write). A lent chunk stays put until the lender releases it, even when the cache lets the entry go.

import { log } from "../log";

export const SLAB_BYTES = 2 ** 20;
const MIN_CHUNK = 256;

/** Chunk sizes, ascending, each a multiple of 64 bytes. */
const CLASS_SIZES: number[] = [];
for (let size = MIN_CHUNK; size < SLAB_BYTES; size = Math.ceil((size * 1.25) / 64) * 64) CLASS_SIZES.push(size);
CLASS_SIZES.push(SLAB_BYTES);

function classOf(length: number): number {
  let lo = 0;
  let hi = CLASS_SIZES.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CLASS_SIZES[mid] >= length) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

class Slab {
  /** Chunk numbers not in use. */
  free: number[] = [];
  used = 0;
  chunkBytes = 0;
  constructor(readonly bytes: Buffer) {}
  /** Cuts the slab into chunks of one class (it is empty). */
  cut(chunkBytes: number) {
    this.chunkBytes = chunkBytes;
    const count = Math.floor(SLAB_BYTES / chunkBytes);
    this.free = Array.from({ length: count }, (_, i) => count - 1 - i);
  }
}

/**
 * Bytes held in the arena: read with `latin1`, `text` or `lend`. The cache's hold ends with `release` (once, when the
 * cache lets the entry go); the chunk is free for reuse once that and every loan have ended.
 */
export class ArenaChunk {
  released = false;
  /** Loans not yet released (LentBytes). */
  lent = 0;
  /** Where the chunk starts in its slab. */
  readonly offset: number;
  /** The chunk's whole size, what it takes from the arena. */
  readonly size: number;
  constructor(
    readonly slab: Slab,
    readonly index: number,
    /** The bytes held (the chunk may be larger). */
    readonly length: number,
  ) {
    this.size = slab.chunkBytes;
    this.offset = index * slab.chunkBytes;
  }
}

export class ByteArena {
  private readonly maxSlabs: number;
  /** The whole arena, reserved at the first store; `false` once the system refused it (slabs then come one by one). */
  private block: ArrayBuffer | null | false = null;
  /** Slabs cut from the block so far. */
  private slabs = 0;
  /** Slabs with no chunk in use, ready for any class. */
  private idle: Slab[] = [];
  /** Per class, the slabs cut for it that have a free chunk. */
  private partial: Set<Slab>[] = CLASS_SIZES.map(() => new Set());
  private usedBytes = 0;

  /**
   * Holds at most `maxBytes` (rounded up to whole slabs, at least one), reserved at once when first needed.
   * `reserve` allocates the block (tests give one that fails).
   */
  constructor(
    maxBytes: number,
    private readonly reserve: (bytes: number) => ArrayBuffer = (bytes) => new ArrayBuffer(bytes),
  ) {
    this.maxSlabs = Math.max(1, Math.ceil(maxBytes / SLAB_BYTES));
  }

  /**
   * Copies a string of one-byte characters (lib/cache/bytes.ts) into a chunk; null when it is larger than a slab or
   * every slab is taken by chunks of other sizes (the caller keeps it elsewhere).
   */
  store(latin1: string): ArenaChunk | null {
    const chunk = this.allocate(latin1.length);
    chunk?.slab.bytes.write(latin1, chunk.offset, chunk.length, "latin1");
    return chunk;
  }

  /** Copies bytes into a chunk (before it returns: the view may be written over right after); null as for `store`. */
  storeBytes(bytes: Uint8Array): ArenaChunk | null {
    const chunk = this.allocate(bytes.length);
    chunk?.slab.bytes.set(bytes, chunk.offset);
    return chunk;
  }

  private allocate(length: number): ArenaChunk | null {
    if (length > SLAB_BYTES) return null;
    const cls = classOf(length);
    const slab = this.slabFor(cls);
    if (!slab) return null;
    const index = slab.free.pop() as number;
    slab.used++;
    this.usedBytes += slab.chunkBytes;
    if (slab.free.length === 0) this.partial[cls].delete(slab);
    return new ArenaChunk(slab, index, length);
  }

  private slabFor(cls: number): Slab | null {
    const listed = this.partial[cls].values().next();
    if (!listed.done) return listed.value;
    let slab = this.idle.pop();
    if (!slab) {
      if (this.slabs >= this.maxSlabs) return null;
      if (this.block === null) {
        try {
          this.block = this.reserve(this.maxSlabs * SLAB_BYTES);
        } catch (err) {
          // More address space than the system grants (a memory limit, overcommit off): asked again at every store,
          // each refusal would cost V8's last-resort collections. Slabs are then allocated as the cache fills.
          this.block = false;
          log.warn({ err, bytes: this.maxSlabs * SLAB_BYTES }, "cache arena: could not reserve its memory at once; reserving it a slab at a time");
        }
      }
      slab = new Slab(this.block ? Buffer.from(this.block, this.slabs * SLAB_BYTES, SLAB_BYTES) : Buffer.allocUnsafeSlow(SLAB_BYTES));
      this.slabs++;
    }
    slab.cut(CLASS_SIZES[cls]);
    this.partial[cls].add(slab);
    return slab;
  }

  /** The bytes as a string of one-byte characters (a copy on V8's heap: the chunk may be reused once released). */
  latin1(chunk: ArenaChunk): string {
    this.assertHeld(chunk);
    return chunk.slab.bytes.toString("latin1", chunk.offset, chunk.offset + chunk.length);
  }

  /** The text the bytes encode as UTF-8. */
  text(chunk: ArenaChunk): string {
    this.assertHeld(chunk);
    return chunk.slab.bytes.toString("utf8", chunk.offset, chunk.offset + chunk.length);
  }

  /**
   * The bytes themselves, not a copy, held for the borrower until it calls `release` on what this returns: for a
   * socket write, say, which may still be reading them after the cache has let the entry go.
   */
  lend(chunk: ArenaChunk): LentBytes {
    this.assertHeld(chunk);
    chunk.lent++;
    return new LentBytes(chunk.slab.bytes.subarray(chunk.offset, chunk.offset + chunk.length), () => {
      chunk.lent--;
      this.freeIfUnused(chunk);
    });
  }

  /** Ends the cache's hold on the chunk; a second release of the same chunk does nothing. */
  release(chunk: ArenaChunk): void {
    if (chunk.released) return;
    chunk.released = true;
    this.freeIfUnused(chunk);
  }

  private freeIfUnused(chunk: ArenaChunk): void {
    if (!chunk.released || chunk.lent > 0) return;
    const { slab } = chunk;
    const cls = classOf(chunk.size);
    slab.free.push(chunk.index);
    slab.used--;
    this.usedBytes -= chunk.size;
    if (slab.used === 0) {
      this.partial[cls].delete(slab);
      this.idle.push(slab);
    } else if (slab.free.length === 1) this.partial[cls].add(slab);
  }

  /** Bytes reserved, slabs put to use, and bytes in chunks in use (tests, and anyone sizing the cache). */
  stats(): { reservedBytes: number; slabs: number; idleSlabs: number; usedBytes: number } {
    return { reservedBytes: this.block ? this.block.byteLength : this.block === false ? this.slabs * SLAB_BYTES : 0, slabs: this.slabs, idleSlabs: this.idle.length, usedBytes: this.usedBytes };
  }

  private assertHeld(chunk: ArenaChunk) {
    if (chunk.released) throw new Error("read of a released arena chunk");
  }
}

// A loan dropped without `release` (a bug) would hold its chunk for good: the collector ends it instead, when the
// LentBytes is gone, so the arena cannot leak its room away.
const unreleased = new FinalizationRegistry<() => void>((end) => end());

/** Bytes lent by the arena (ByteArena.lend): read them until `release`, after which their chunk may hold other bytes. */
export class LentBytes {
  private end: (() => void) | null;
  constructor(
    private readonly view: Buffer,
    end: () => void,
  ) {
    this.end = end;
    unreleased.register(this, end, this);
  }
  /** The bytes, not a copy: do not keep them past `release`. */
  get bytes(): Buffer {
    if (!this.end) throw new Error("read of released arena bytes");
    return this.view;
  }
  /** The text the bytes encode as UTF-8. */
  text(): string {
    return this.bytes.toString("utf8");
  }
  /** Ends the loan; later calls do nothing. */
  release(): void {
    const end = this.end;
    if (!end) return;
    this.end = null;
    unreleased.unregister(this);
    end();
  }
}
