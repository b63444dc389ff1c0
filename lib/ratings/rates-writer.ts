import { endianness } from "node:os";
import { RATES_WRITER_WASM } from "./rates-writer-binary";

// The old /rates answer's writer in WebAssembly (lib/ratings/assembly/rates-writer.ts), for the lists it can write:
// ratings on the quarter steps from 0 to 10, days in the dates table, within MEMORY_MAX and ID_TABLES_MAX below.
// lib/ratings/legacy-rates.ts holds the writer in JavaScript that makes the same bytes of every list, and uses it for
// any list this one turns down. On 300 users' 1,000-rating lists, alternating: 17 us an answer against 73-84 in
// JavaScript, where DataView calls and their bounds checks were most of the time (in WebAssembly, working each date out
// rather than copying it from a table: 40 us). With the caches emptied before each answer, as the other processes on a
// busy machine leave them: 82-127 us against 160-224.

/** What the writer copies rather than works out, made by the caller. */
export type WriterTables = {
  /** `MM:SS` for every second of an hour, 3,600 x 5 bytes. */
  minutes: Uint8Array;
  /** `,"rating":R,"timestamp":"` for each quarter step from 0 (index 0) to 10 (index 40). */
  ratingTexts: Uint8Array[];
  /** `YYYY-MM-DD` for `days` days from `firstDay` (days since 1970-01-01), 10 bytes each. */
  dates: Uint8Array;
  firstDay: number;
};

/** An id table's movie ids as JSON text: item j's from `start[j]` to `start[j + 1]` of `text`. */
export type IdTexts = { text: Uint8Array; start: Uint32Array };

type Exports = {
  encode(packed: number, n: number, start: number, idCount: number, words: number, minutes: number, ratings: number, dates: number, firstDay: number, days: number, out: number): number;
  RATING_SLOT: WebAssembly.Global;
  QUARTERS: WebAssembly.Global;
};

const PAGE = 65_536;
/** Room after every region the writer reads or writes a word at a time. */
const SLACK = 16;
/**
 * The most memory the writer takes (it never gives any back): a list that would need more (some 280,000 ratings) is
 * left to the JavaScript writer, which keeps no buffer over 2 MB between calls.
 */
export const MEMORY_MAX = 32 * 2 ** 20;
/** Id tables held in memory at most before they are all let go (a catalog of 100,000 movies takes some 1.5 MB). */
const ID_TABLES_MAX = 8 * 2 ** 20;
/** Bytes an entry's answer takes at most besides its movie id: the key texts, a rating text and the time. */
const ENTRY_MAX = 13 + 32 + 21 + SLACK;

const align = (n: number) => (n + 7) & ~7;

export class RatesWriter {
  private readonly memory: WebAssembly.Memory;
  private readonly run: Exports;
  private bytes: Uint8Array;
  private readonly minutes: number;
  private readonly ratings: number;
  private readonly dates: number;
  private readonly days: number;
  private readonly firstDay: number;
  /** Where id tables go, where the next one goes, and which are in memory now. */
  private readonly idsBase: number;
  private idsEnd: number;
  private resident = new WeakMap<IdTexts, { start: number; count: number; words: number; longest: number }>();

  constructor(tables: WriterTables) {
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(RATES_WRITER_WASM, "base64")), { env: { memory: this.memory } });
    this.run = instance.exports as unknown as Exports;
    const slot = this.run.RATING_SLOT.value as number;
    const quarters = this.run.QUARTERS.value as number;
    if (tables.ratingTexts.length !== quarters + 1 || tables.ratingTexts.some((t) => t.length >= slot)) throw new Error("rating texts do not fit the writer's table");
    this.minutes = 0;
    this.ratings = align(tables.minutes.length + SLACK);
    this.dates = align(this.ratings + (quarters + 1) * slot);
    this.days = tables.dates.length / 10;
    this.firstDay = tables.firstDay;
    this.idsBase = this.idsEnd = align(this.dates + tables.dates.length + SLACK);
    this.bytes = this.room(this.idsBase);
    this.bytes.set(tables.minutes, this.minutes);
    tables.ratingTexts.forEach((text, q) => {
      this.bytes.set(text, this.ratings + q * slot);
      this.bytes[this.ratings + (q + 1) * slot - 1] = text.length;
    });
    this.bytes.set(tables.dates, this.dates);
  }

  /** The memory as bytes, grown to at least `size`. */
  private room(size: number): Uint8Array {
    const have = this.memory.buffer.byteLength;
    if (size > have) this.memory.grow(Math.ceil((size - have) / PAGE));
    if (this.bytes?.buffer !== this.memory.buffer) this.bytes = new Uint8Array(this.memory.buffer);
    return this.bytes;
  }

  /** Where the id table is in memory, copied there the first time. */
  private place(ids: IdTexts) {
    const held = this.resident.get(ids);
    if (held) return held;
    const size = align(ids.start.byteLength) + align(ids.text.length + SLACK);
    if (this.idsEnd + size - this.idsBase > ID_TABLES_MAX) {
      this.resident = new WeakMap();
      this.idsEnd = this.idsBase;
    }
    const start = this.idsEnd;
    const words = start + align(ids.start.byteLength);
    const bytes = this.room(words + ids.text.length + SLACK);
    bytes.set(new Uint8Array(ids.start.buffer, ids.start.byteOffset, ids.start.byteLength), start);
    bytes.set(ids.text, words);
    let longest = 0;
    for (let j = 0; j + 1 < ids.start.length; j++) longest = Math.max(longest, ids.start[j + 1] - ids.start[j]);
    const placed = { start, count: ids.start.length - 1, words, longest };
    this.idsEnd = align(words + ids.text.length + SLACK);
    this.resident.set(ids, placed);
    return placed;
  }

  /**
   * The answer for `packed` (16 bytes an entry), or null when an entry is one this writer leaves to the other, or the
   * list or its id table would take more memory than it may. The bytes are a view of this writer's memory that the
   * next call writes over (or detaches): copy them first.
   */
  write(packed: Uint8Array, ids: IdTexts | null): Uint8Array | null {
    const n = packed.length / 16;
    if (ids && ids.start.byteLength + ids.text.length > ID_TABLES_MAX) return null;
    const table = ids ? this.place(ids) : null;
    const at = this.idsEnd;
    const out = align(at + packed.length);
    const size = out + 2 + n * (ENTRY_MAX + Math.max(table?.longest ?? 0, 11)) + SLACK;
    if (size > MEMORY_MAX) return null;
    const bytes = this.room(size);
    bytes.set(packed, at);
    const end = this.run.encode(at, n, table?.start ?? 0, table?.count ?? 0, table?.words ?? 0, this.minutes, this.ratings, this.dates, this.firstDay, this.days, out);
    return end < 0 ? null : bytes.subarray(out, end);
  }
}

/** A writer, or null where WebAssembly is missing or the machine keeps numbers big-endian (the tables are copied as the host holds them). */
export function makeRatesWriter(tables: () => WriterTables): RatesWriter | null {
  if (endianness() !== "LE" || typeof WebAssembly === "undefined") return null;
  return new RatesWriter(tables());
}
