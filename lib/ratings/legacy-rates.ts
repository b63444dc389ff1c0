import { databaseUrl, prisma } from "../db/client";
import { queryRows, shortestFloat32 } from "../db/raw";
import { Batcher } from "../db/batch";
import { log } from "../log";
import { listOfUser } from "./lists";
import { makeRatesWriter, type RatesWriter } from "./rates-writer";

// The old /rates/{uid} answer on a cache miss: the user's ratings oldest first as one string of bytes, their stored
// rating list (lib/ratings/lists.ts) when it is current, else aggregated from the index on (user_id, rated_at, item_id,
// rating) alone; the movie ids of the user's source namespace from a table held in memory; the JSON written as bytes.
// Before, the same answer read the 1,000 rows from the table and sent them as three arrays (array_send) for node to
// sort (PostgreSQL 1.0 ms a miss, then 0.6), and before that mapped each row to its external id in SQL (3.5 ms) and
// took the rows through Prisma.

/** Bytes per rating in a list: item id (int4), rating (float4), time (int8: microseconds since 2000, as stored). */
const ENTRY = 16;

/**
 * A user's ratings oldest first (ties by item id), ENTRY bytes each, the catalog's external-id version, and the
 * version of the user's ratings they are (`users.ratings_version`), all read in one snapshot.
 */
export type RatingList = { packed: Buffer; catalogVersion: bigint; version: number };

/** A user as the old endpoint looks one up. */
export type LegacyUser = { id: number; source: string | null; externalId: string | null; email: string | null };

// The user's stored list (lib/ratings/lists.ts) when it is current, read as one row: PostgreSQL's CPU a user 129-142 us.
// Otherwise the same bytes aggregated from the ratings (396-454 us), in the index's order, so PostgreSQL neither sorts
// nor visits the table; each value in its binary send form, so no number is printed or parsed. Sent as base64 text
// (21 KB for 1,000 ratings, decoded by node in one call), not the bytea itself, which node-postgres's own parser tests
// with a regular expression and cuts the `\x` off before decoding: reading 2,000 users' lists in node, two alternating
// rounds, 5-6 scavenges against 10-15, and PostgreSQL's CPU a user the same. Base64 rather than hex: node decodes a
// 1,000-rating list from it (21 KB, with the line breaks PostgreSQL puts every 76 characters) in 13 us against 29
// from hex (32 KB); PostgreSQL's CPU a user the same (three rounds of 2,400 users each way). The statements are
// prepared: planning them again would be a fifth of their time. `u` is the user's row, `l` their list's (LIST_JOIN).
const PACKED = `encode(CASE WHEN l.version = u.ratings_version THEN l.packed ELSE ${listOfUser("u.id")} END, 'base64')`;
const LIST_JOIN = "LEFT JOIN rating_lists l ON l.user_id = u.id";
const CATALOG_VERSION = "(SELECT external_ids FROM catalog_versions WHERE id = 1)";

type ListColumns = [packedBase64: string | null, version: string, catalogVersion: string | null];

const listOf = ([packedBase64, version, catalogVersion]: ListColumns): RatingList => ({
  packed: packedBase64 ? Buffer.from(packedBase64, "base64") : Buffer.alloc(0),
  version: Number(version),
  catalogVersion: BigInt(catalogVersion ?? 0),
});

const EMPTY_LIST: RatingList = { packed: Buffer.alloc(0), version: 0, catalogVersion: 0n };

// Reads of several users go out as one statement when the server is busy (lib/db/batch.ts), each row one user's from
// the statement's one snapshot. On 2,311 misses at 32 connections that took PostgreSQL's CPU a miss from 960-1,130 to
// 510-600 us. One statement at a time, taking every user then waiting (up to 64): the users are read, and answered
// as their rows arrive, in the order they asked, so under load every miss waits about as long as the others; with
// three statements of up to 8 at once, a user's wait depended on its place in its batch and on how the three shared
// the cores. bench/rates-api.ts on 2026-12-06, alternating: miss p99 22-27 ms in three runs of one statement against
// 30-39 in two of three (the third 75, right after a build), PostgreSQL's CPU a miss 308-369 us against 417-464 (one
// backend reading, not three contending), 1,848-2,237 misses/s against 1,273-1,663. One is not a ceiling for this
// process: a miss costs it more CPU (~0.4 ms) than it costs PostgreSQL (~0.35), so one backend reads faster than the
// process can answer. Per module copy: the fast lane and Next's bundle each hold their own.
const BATCH = { concurrency: 1, maxBatch: 64 };

// Each user's row is answered as it arrives (lib/db/batch.ts), while PostgreSQL works on the next one: the first
// users of a batch no longer wait for the others and for node to write all their answers.
const listBatcher = new Batcher<number, RatingList>(async (ids, answer) => {
  const lists: RatingList[] = ids.map(() => EMPTY_LIST);
  await queryRows(
    `SELECT q.n, ${PACKED}, u.ratings_version, ${CATALOG_VERSION}
     FROM unnest($1::int[]) WITH ORDINALITY AS q(id, n) JOIN users u ON u.id = q.id ${LIST_JOIN}`,
    [ids],
    {
      prepare: true,
      urgent: true,
      onRow: (row) => {
        const [n, ...list] = row as [string, ...ListColumns];
        const i = Number(n) - 1;
        answer(i, (lists[i] = listOf(list)));
      },
    },
  );
  return lists;
}, BATCH);

export function readRatingList(userId: number): Promise<RatingList> {
  return listBatcher.get(userId);
}

type Found = { user: LegacyUser; list: RatingList } | null;
const userBatchers = new Map<string, Batcher<string, Found>>();

/**
 * The user an id from a ratings file names (in the first of `sources`, in order, that has it) and their ratings, in
 * one statement: a cache miss of the old /rates whose user is not remembered is one round trip, not two (the user
 * lookup alone was a quarter of PostgreSQL's time a miss). Null for no such user.
 */
export function readLegacyUser(uid: string, sources: string[]): Promise<Found> {
  const key = sources.join("\n");
  let batcher = userBatchers.get(key);
  if (!batcher) {
    batcher = new Batcher<string, Found>(async (uids, answer) => {
      const found: Found[] = uids.map(() => null);
      // LIMIT 1 is applied inside the lateral read, before the select list's subqueries: only the user kept for each
      // id has their ratings read. An id with no user has no row: it is answered (null) when the statement ends.
      await queryRows(
        `SELECT q.n, u.id, u.source, u.external_id, u.email, ${PACKED}, u.ratings_version, ${CATALOG_VERSION}
         FROM unnest($1::text[]) WITH ORDINALITY AS q(uid, n)
         CROSS JOIN LATERAL (SELECT u.id, u.source, u.external_id, u.email, u.ratings_version FROM users u
           WHERE u.external_id = q.uid AND u.source = ANY($2) ORDER BY array_position($2, u.source) LIMIT 1) u
         ${LIST_JOIN}`,
        [uids, sources],
        {
          prepare: true,
          onRow: (row) => {
            const [n, id, source, externalId, email, ...list] = row as [string, number, string | null, string | null, string | null, ...ListColumns];
            const i = Number(n) - 1;
            answer(i, (found[i] = { user: { id, source, externalId, email }, list: listOf(list) }));
          },
        },
      );
      return found;
    }, BATCH);
    userBatchers.set(key, batcher);
  }
  return batcher.get(uid);
}

export const listLength = (list: RatingList) => list.packed.length / ENTRY;
export const listItem = (list: RatingList, j: number) => list.packed.readInt32BE(j * ENTRY);
export const listRating = (list: RatingList, j: number) => shortestFloat32(list.packed.readFloatBE(j * ENTRY + 4));
const PG_EPOCH_MS = 946_684_800_000;
/** Milliseconds since 1970 of entry j (a double holds them exactly; no BigInt per rating). */
export const listRatedMs = (list: RatingList, j: number) => {
  const o = j * ENTRY + 8;
  const micros = list.packed.readInt32BE(o) * 2 ** 32 + list.packed.readUInt32BE(o + 4);
  return Math.floor(micros / 1000) + PG_EPOCH_MS;
};

/** A list built in memory, entries given in the order to keep (tests and tools). */
export function ratingListOf(entries: [item: number, rating: number, ratedMs: number][]): RatingList {
  const packed = Buffer.alloc(entries.length * ENTRY);
  entries.forEach(([item, rating, ms], j) => {
    packed.writeInt32BE(item, j * ENTRY);
    packed.writeFloatBE(rating, j * ENTRY + 4);
    const micros = (ms - PG_EPOCH_MS) * 1000;
    const high = Math.floor(micros / 2 ** 32);
    packed.writeInt32BE(high, j * ENTRY + 8);
    packed.writeUInt32BE(micros - high * 2 ** 32, j * ENTRY + 12);
  });
  return { packed, catalogVersion: 0n, version: 0 };
}

/**
 * Copies bytes `from` to `to` of `src` at `o` eight at a time, reading and writing up to PAD bytes past the ends (every
 * source and the output have that much room; what lands past the end is written over next). Byte by byte, copying
 * was most of an answer's time; four at a time, with the ids written once per table and the rating and time-of-day
 * texts below, a 1,000-rating answer took 75-95 us; eight at a time, 69-76 (300 users' answers, alternating with four:
 * 88-99). Returns the offset after them.
 */
// Eight bytes go as a float64, the widest number a DataView reads without a BigInt. A float64 comes back with other
// bits only if it is a NaN, and these bytes never make one: every source is UTF-8 text (JSON) or zero padding, and the
// last two of a NaN's eight bytes, read little-endian, are one of 0xF0-0xFF followed by 0x7F or 0xFF. In UTF-8,
// 0xF5-0xFF never occur and 0xF0-0xF4 start a four-byte character, so a byte of 0x80-0xBF follows them. Little-endian,
// the order x64 and ARM keep numbers in: DataView's default, big-endian, swapped the bytes on the way in and back on
// the way out (85-95 us an answer against 100-109, four at a time). HOURS below is read the same way.
function copyWords(out: DataView, o: number, src: DataView, from: number, to: number): number {
  for (let k = from; k < to; k += 8) out.setFloat64(o + k - from, src.getFloat64(k, true), true);
  return o + to - from;
}
const PAD = 7;

const utf8 = new TextEncoder();
/** Text as bytes with PAD bytes after it, and its length. */
function padded(text: string): { words: DataView; length: number } {
  const bytes = utf8.encode(text);
  const room = new Uint8Array(bytes.length + PAD);
  room.set(bytes);
  return { words: new DataView(room.buffer), length: bytes.length };
}

/** Writes the decimal digits of an integer at `o`; returns the offset after them. */
function writeInt(buf: Uint8Array, o: number, n: number): number {
  if (n < 0) {
    buf[o++] = 0x2d;
    n = -n;
  }
  if (n < 2 ** 31) {
    // 32-bit integer arithmetic: the common case (ids, ratings, years), about twice as quick as division of doubles
    const digits = n < 10 ? 1 : n < 100 ? 2 : n < 1_000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : n < 1_000_000 ? 6 : n < 10_000_000 ? 7 : n < 100_000_000 ? 8 : n < 1_000_000_000 ? 9 : 10;
    for (let d = digits - 1; d > 0; d--) {
      const q = (n / 10) | 0;
      buf[o + d] = 0x30 + n - q * 10;
      n = q;
    }
    buf[o] = 0x30 + n;
    return o + digits;
  }
  let digits = 0;
  for (let m = n; m >= 1; m = Math.floor(m / 10)) digits++;
  for (let d = digits - 1; d >= 0; d--) {
    buf[o + d] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return o + digits;
}

function write2(buf: Uint8Array, o: number, n: number): number {
  const tens = (n / 10) | 0;
  buf[o] = 0x30 + tens;
  buf[o + 1] = 0x30 + n - tens * 10;
  return o + 2;
}

/** Writes the UTC date `YYYY-MM-DD` of a day counted from 1970 at `o` by H. Hinnant's civil_from_days; returns the offset after it. */
function writeCivilDate(buf: Uint8Array, o: number, days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  // Years before 1000 padded to four digits, as YYYY says (no rating is that old).
  o = year >= 0 && year < 1000 ? write2(buf, write2(buf, o, Math.floor(year / 100)), year % 100) : writeInt(buf, o, year);
  buf[o++] = 0x2d;
  o = write2(buf, o, month);
  buf[o++] = 0x2d;
  return write2(buf, o, day);
}

// The dates of 1900-2099 as text, each worked out the first time it is written: a day's arithmetic was a third of the
// answer's time (a table of 73,049 dates, 730 KB when full).
const FIRST_DAY = -25_567;
const DAYS = 73_049;
let dateTable: { text: Uint8Array; words: DataView; known: Uint8Array } | null = null;

function writeDate(buf: Uint8Array, out: DataView, o: number, days: number): number {
  const k = days - FIRST_DAY;
  if (k < 0 || k >= DAYS) return writeCivilDate(buf, o, days);
  if (!dateTable) {
    const text = new Uint8Array(DAYS * 10 + PAD);
    dateTable = { text, words: new DataView(text.buffer), known: new Uint8Array(DAYS) };
  }
  const at = k * 10;
  if (!dateTable.known[k]) {
    writeCivilDate(dateTable.text, at, days);
    dateTable.known[k] = 1;
  }
  return copyWords(out, o, dateTable.words, at, at + 10);
}

/** Writes `YYYY-MM-DD HH:MM:SS` in UTC for whole seconds since 1970 at `o`; returns the offset after it. */
function writeLegacyTimestamp(buf: Uint8Array, out: DataView, o: number, seconds: number): number {
  const days = Math.floor(seconds / 86_400);
  const secs = seconds - days * 86_400;
  o = writeDate(buf, out, o, days);
  const hh = (secs / 3_600) | 0;
  out.setUint32(o, HOURS[hh], true);
  const at = (secs - hh * 3_600) * 5;
  return copyWords(out, o + 4, MINUTES, at, at + 5);
}

// ` HH:` for every hour as four bytes, and `MM:SS` for every second of an hour (18 KB): copied, not worked out.
const two = (n: number) => String(n).padStart(2, "0");
const HOURS = Uint32Array.from({ length: 24 }, (_, h) => new DataView(utf8.encode(` ${two(h)}:`).buffer).getUint32(0, true));
const MINUTES = padded(Array.from({ length: 3_600 }, (_, s) => `${two(Math.floor(s / 60))}:${two(s % 60)}`).join("")).words;

/** `YYYY-MM-DD HH:MM:SS` in UTC for whole seconds since 1970 (the old API's timestamps). */
export function legacyTimestamp(seconds: number): string {
  const buf = new Uint8Array(32 + PAD);
  return Buffer.from(buf.buffer, 0, writeLegacyTimestamp(buf, new DataView(buf.buffer), 0, seconds)).toString("latin1");
}

/** A number as JSON.stringify writes it (at most 24 characters): integers and one-decimal values digit by digit. */
function writeNumber(buf: Uint8Array, o: number, n: number): number {
  if (Number.isSafeInteger(n)) return writeInt(buf, o, n);
  const tenths = Math.round(n * 10);
  if (tenths / 10 === n && Math.abs(tenths) < 1e15) {
    if (n < 0) buf[o++] = 0x2d;
    const t = Math.abs(tenths);
    o = writeInt(buf, o, Math.floor(t / 10));
    buf[o] = 0x2e;
    buf[o + 1] = 0x30 + (t % 10);
    return o + 2;
  }
  return o + utf8.encodeInto(JSON.stringify(n), buf.subarray(o)).written;
}

const MOVIE_ID = padded(',{"movie_id":');
const RATING = padded(',"rating":');
const TIMESTAMP = padded(',"timestamp":"');
const copyText = (out: DataView, o: number, text: { words: DataView; length: number }, from = 0) => copyWords(out, o, text.words, from, text.length);
/** The most one entry takes besides its movie id: the keys, 24 characters of rating, 21 of timestamp and `"}`. */
const ENTRY_BYTES = MOVIE_ID.length + RATING.length + TIMESTAMP.length + 24 + 21;
/** Room for a movie id written as a number (at most 24 characters as JSON). */
const NUMBER_BYTES = 24;

// `,"rating":R,"timestamp":"` for every quarter step from 0 to 10 (the ratings every format has), ready to copy.
const QUARTERS = 40;
const RATING_TEXT = Array.from({ length: QUARTERS + 1 }, (_, q) => padded(`,"rating":${q / 4},"timestamp":"`));

/** Writes `,"rating":R,"timestamp":"` at `o` for a rating as stored (a float4); returns the offset after it. */
function writeRating(buf: Uint8Array, out: DataView, o: number, rating: number): number {
  const q = rating * 4;
  if (q >= 0 && q <= QUARTERS && Number.isInteger(q)) return copyText(out, o, RATING_TEXT[q]);
  o = writeNumber(buf, copyText(out, o, RATING), shortestFloat32(rating));
  return copyText(out, o, TIMESTAMP);
}

// Every writer here takes a plain Uint8Array, never a Buffer: the two kinds of array at one site made V8's element
// reads and writes polymorphic, a third slower.
let scratch = new Uint8Array(0);
const SCRATCH_MAX = 2 * 2 ** 20;

/** A buffer of at least `size` bytes: the one kept between calls, which grows up to 2 MB (some 20,000 ratings). */
function workingBuffer(size: number): Uint8Array {
  if (size <= scratch.length) return scratch;
  const buf = new Uint8Array(size);
  if (size <= SCRATCH_MAX) scratch = buf;
  return buf;
}

/**
 * Item id -> the id the old API printed, for one namespace (an array indexed by item id: ids are dense). Not changed
 * once made: its texts are encoded the first time it is used (externalIdsOf makes a new table for each version).
 */
export type ExternalIdTable = (number | string | undefined)[];

/**
 * An id table's movie ids as their JSON text's bytes, item j's from `start[j]` to `start[j + 1]` (none: the item's own
 * id), made once per table: writing each id's digits was a fifth of an answer's time.
 */
type EncodedIds = { words: DataView; text: Uint8Array; start: Uint32Array };
const encoded = new WeakMap<ExternalIdTable, EncodedIds>();

function encodedIds(ids: ExternalIdTable): EncodedIds {
  let table = encoded.get(ids);
  if (!table) {
    const start = new Uint32Array(ids.length + 1);
    const texts: string[] = [];
    let length = 0;
    for (let j = 0; j < ids.length; j++) {
      start[j] = length;
      const id = ids[j];
      if (id === undefined) continue;
      const text = JSON.stringify(id);
      texts.push(text);
      length += Buffer.byteLength(text);
    }
    start[ids.length] = length;
    const { words, length: textLength } = padded(texts.join(""));
    table = { words, text: new Uint8Array(words.buffer, 0, textLength + PAD), start };
    encoded.set(ids, table);
  }
  return table;
}

// The WebAssembly writer (lib/ratings/rates-writer.ts), made the first time an answer is written; null where there is
// none, or once it failed (logged; the JavaScript writer below then writes every answer, as it makes the same bytes).
let wasmWriter: RatesWriter | null | undefined;

function ratesWriter(): RatesWriter | null {
  if (wasmWriter === undefined) {
    try {
      wasmWriter = makeRatesWriter(() => {
        const dates = new Uint8Array(DAYS * 10 + PAD);
        for (let k = 0; k < DAYS; k++) writeCivilDate(dates, k * 10, FIRST_DAY + k);
        const bytes = (text: { words: DataView; length: number }) => new Uint8Array(text.words.buffer, 0, text.length);
        return { minutes: new Uint8Array(MINUTES.buffer, 0, 3_600 * 5), ratingTexts: RATING_TEXT.map(bytes), dates: dates.subarray(0, DAYS * 10), firstDay: FIRST_DAY };
      });
    } catch (err) {
      log.warn({ err }, "old /rates answers: the WebAssembly writer could not be made; writing them in JavaScript");
      wasmWriter = null;
    }
  }
  return wasmWriter;
}

/**
 * The old /rates answer as JSON text's bytes, `[{"movie_id", "rating", "timestamp"}]` in the list's order (oldest first),
 * movie ids from `ids` (the user's source namespace) or else Tastebud's. Written as bytes into one buffer: built as
 * strings (an object per rating, or one concatenated string) a miss spent 1.5-2 ms of CPU on the pieces, the
 * collector and flattening them for the socket. The bytes are a view of a working buffer that the next call writes
 * over: copy them (the cache's keepRaw does) before anything else can run. Written in WebAssembly where it can be
 * (lib/ratings/rates-writer.ts says which lists it leaves to legacyRatesBytesJs).
 */
export function legacyRatesBytes(list: RatingList, ids: ExternalIdTable | null): Uint8Array {
  const writer = ratesWriter();
  if (writer) {
    try {
      const bytes = writer.write(list.packed, ids ? encodedIds(ids) : null);
      if (bytes) return bytes;
    } catch (err) {
      log.error({ err }, "old /rates answers: the WebAssembly writer failed; writing them in JavaScript from now on");
      wasmWriter = null;
    }
  }
  return legacyRatesBytesJs(list, ids);
}

/** The same answer written in JavaScript: for the lists the WebAssembly writer leaves to it, and the tests' reference. */
export function legacyRatesBytesJs(list: RatingList, ids: ExternalIdTable | null): Uint8Array {
  const { packed } = list;
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const n = packed.length / ENTRY;
  const table = ids ? encodedIds(ids) : null;
  // Written into one working buffer kept between calls (this function never yields, so no two calls share it), for the
  // caller to copy out at its exact size: a fresh 100 KB buffer a miss was external memory the collector had to chase.
  let buf = workingBuffer(2 + n * (ENTRY_BYTES + NUMBER_BYTES) + PAD);
  let out = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = 0;
  buf[o++] = 0x5b;
  for (let j = 0, p = 0; j < n; j++, p += ENTRY) {
    const item = view.getInt32(p);
    const listed = table !== null && item >= 0 && item < table.start.length - 1;
    const from = listed ? table.start[item] : 0;
    const to = listed ? table.start[item + 1] : 0;
    const need = ENTRY_BYTES + Math.max(to - from, NUMBER_BYTES) + PAD;
    if (buf.length - o < need) {
      const bigger = workingBuffer(2 * buf.length + need);
      bigger.set(buf.subarray(0, o));
      buf = bigger;
      out = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    o = copyText(out, o, MOVIE_ID, j ? 0 : 1);
    o = listed && to > from ? copyWords(out, o, table.words, from, to) : writeInt(buf, o, item);
    o = writeRating(buf, out, o, view.getFloat32(p + 4));
    // Whole seconds since 1970 from microseconds since 2000 (two 32-bit halves: no BigInt per rating).
    const micros = view.getInt32(p + 8) * 2 ** 32 + view.getUint32(p + 12);
    o = writeLegacyTimestamp(buf, out, o, Math.floor(micros / 1_000_000) + PG_EPOCH_MS / 1000);
    buf[o++] = 0x22;
    buf[o++] = 0x7d;
  }
  buf[o++] = 0x5d;
  return buf.subarray(0, o);
}

/** An external id as the old API printed it: IMDb's tt0114709 as 114709, numeric ids as numbers (when exact). */
export function legacyExternalId(namespace: string, value: string): number | string {
  const digits = namespace === "imdb" && /^tt\d+$/.test(value) ? value.slice(2) : value;
  return /^\d{1,15}$/.test(digits) ? Number(digits) : value;
}

type Namespace = { version: bigint; ids: ExternalIdTable };
// Per process and database, on globalThis: the production server's fast lane and Next's bundle each load this module.
const store = globalThis as unknown as { tastebudLegacyIds?: Map<string, Promise<Namespace>> };

/**
 * Item id -> external id in `namespace` (the lowest value when an item has several), read again whenever the
 * catalog's external-id version moved past the copy held.
 */
export async function externalIdsOf(namespace: string, version: bigint): Promise<ExternalIdTable> {
  const held = (store.tastebudLegacyIds ??= new Map());
  const key = `${databaseUrl()}\n${namespace}`;
  const current = held.get(key);
  if (current) {
    const ns = await current.catch(() => null);
    if (ns && ns.version >= version) return ns.ids;
    if (held.get(key) !== current) return externalIdsOf(namespace, version);
  }
  const loading = (async (): Promise<Namespace> => {
    const rows = await prisma().$queryRaw<{ item_id: number; value: string; version: bigint }[]>`
      SELECT e.item_id, e.value, v.external_ids AS version FROM catalog_versions v
      LEFT JOIN external_ids e ON e.source = ${namespace} WHERE v.id = 1 ORDER BY e.item_id, length(e.value) DESC, e.value DESC`;
    // Filled in ascending id order: over a catalog's ids (a sequence, few gaps) V8 keeps the array a flat table; far
    // apart ids would make it a hash table, as quick as a Map.
    const ids: ExternalIdTable = [];
    for (const r of rows) if (r.item_id !== null) ids[r.item_id] = legacyExternalId(namespace, r.value);
    return { version: rows[0]?.version ?? version, ids };
  })();
  held.set(key, loading);
  loading.catch(() => held.get(key) === loading && held.delete(key));
  return (await loading).ids;
}
