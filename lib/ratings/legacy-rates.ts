import { databaseUrl, prisma } from "../db/client";
import { binaryArray, queryRows, readFloat32, readInt32, readTimestampMs } from "../db/raw";

// The old /rates/{uid} answer on a cache miss: the user's ratings in one aggregate row as bytes (array_send), the
// movie ids of the user's source namespace from a copy held in memory, and the JSON written as bytes. Before, the same
// answer mapped each of 1,000 rows to its external id in SQL (3.5 ms of the database's time), took the rows through
// Prisma and built an object per rating.

/** A user's ratings as parallel arrays, in no particular order, and the catalog's external-id version. */
export type RatingList = { items: Int32Array; ratings: Float64Array; ratedMs: Float64Array; catalogVersion: bigint };

export async function readRatingList(userId: number): Promise<RatingList> {
  // Arrays through array_send arrive as bytes to read in place; as arrays (or as 1,000 rows) the server prints every
  // element and node parses each back. Times go as PostgreSQL keeps them (microseconds since 2000): converted per
  // row in SQL (numeric arithmetic) they cost the query a third of its time.
  const [row] = (await queryRows(
    `SELECT array_send(array_agg(item_id)), array_send(array_agg(rating)), array_send(array_agg(rated_at)),
            (SELECT external_ids FROM catalog_versions WHERE id = 1)
     FROM ratings WHERE user_id = $1`,
    [userId],
  )) as [Buffer | null, Buffer | null, Buffer | null, string | null][];
  return {
    items: Int32Array.from(binaryArray(row?.[0] ?? null, readInt32)),
    ratings: Float64Array.from(binaryArray(row?.[1] ?? null, readFloat32)),
    ratedMs: Float64Array.from(binaryArray(row?.[2] ?? null, readTimestampMs)),
    catalogVersion: BigInt(row?.[3] ?? 0),
  };
}

/** A list's positions, oldest first, ties by item id. */
export function oldestFirst(list: Pick<RatingList, "items" | "ratedMs">): Uint32Array {
  const { items, ratedMs } = list;
  const order = new Uint32Array(items.length);
  for (let j = 0; j < order.length; j++) order[j] = j;
  return order.sort((a, b) => ratedMs[a] - ratedMs[b] || items[a] - items[b]);
}

/** Writes the decimal digits of an integer at `o`; returns the offset after them. */
function writeInt(buf: Buffer, o: number, n: number): number {
  if (n < 0) {
    buf[o++] = 0x2d;
    n = -n;
  }
  if (n < 10) {
    buf[o] = 0x30 + n;
    return o + 1;
  }
  let digits = 0;
  for (let m = n; m >= 1; m = Math.floor(m / 10)) digits++;
  for (let d = digits - 1; d >= 0; d--) {
    buf[o + d] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return o + digits;
}

function write2(buf: Buffer, o: number, n: number): number {
  buf[o] = 0x30 + Math.floor(n / 10);
  buf[o + 1] = 0x30 + (n % 10);
  return o + 2;
}

/**
 * Writes `YYYY-MM-DD HH:MM:SS` in UTC for whole seconds since 1970 at `o`, by arithmetic (H. Hinnant's
 * civil_from_days) rather than through Date or a string per rating; returns the offset after it.
 */
function writeLegacyTimestamp(buf: Buffer, o: number, seconds: number): number {
  const days = Math.floor(seconds / 86_400);
  const secs = seconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(secs / 3_600);
  const mm = Math.floor((secs - hh * 3_600) / 60);
  // Years before 1000 padded to four digits, as YYYY says (no rating is that old).
  o = year >= 0 && year < 1000 ? write2(buf, write2(buf, o, Math.floor(year / 100)), year % 100) : writeInt(buf, o, year);
  buf[o++] = 0x2d;
  o = write2(buf, o, month);
  buf[o++] = 0x2d;
  o = write2(buf, o, day);
  buf[o++] = 0x20;
  o = write2(buf, o, hh);
  buf[o++] = 0x3a;
  o = write2(buf, o, mm);
  buf[o++] = 0x3a;
  return write2(buf, o, secs - hh * 3_600 - mm * 60);
}

/** `YYYY-MM-DD HH:MM:SS` in UTC for whole seconds since 1970 (the old API's timestamps). */
export function legacyTimestamp(seconds: number): string {
  const buf = Buffer.allocUnsafe(32);
  return buf.toString("latin1", 0, writeLegacyTimestamp(buf, 0, seconds));
}

/** A number as JSON.stringify writes it (at most 24 characters), integers digit by digit. */
function writeNumber(buf: Buffer, o: number, n: number): number {
  return Number.isSafeInteger(n) ? writeInt(buf, o, n) : o + buf.write(JSON.stringify(n), o, "latin1");
}

const MOVIE_ID = Buffer.from(',{"movie_id":');
const RATING = Buffer.from(',"rating":');
const TIMESTAMP = Buffer.from(',"timestamp":"');
/** The most one entry takes besides a string movie id: the keys, 24 characters each of id and rating, 20 of timestamp. */
const ENTRY_BYTES = MOVIE_ID.length + RATING.length + TIMESTAMP.length + 2 + 24 + 24 + 20;

/**
 * The old /rates answer as JSON text, `[{"movie_id", "rating", "timestamp"}]` oldest first, movie ids from `ids`
 * (the user's source namespace) or else Tastebud's. Written as bytes into one buffer: built as strings (an object
 * per rating, or one concatenated string) a miss spent 1.5-2 ms of CPU on the pieces, the collector and flattening
 * them for the socket.
 */
export function legacyRatesJson(list: RatingList, ids: Map<number, number | string> | null): string {
  const order = oldestFirst(list);
  let buf = Buffer.allocUnsafe(2 + order.length * ENTRY_BYTES);
  let o = 0;
  buf[o++] = 0x5b;
  for (let x = 0; x < order.length; x++) {
    const j = order[x];
    const id = ids?.get(list.items[j]) ?? list.items[j];
    const text = typeof id === "string" ? JSON.stringify(id) : null;
    const need = ENTRY_BYTES + (text ? Buffer.byteLength(text) : 0);
    if (buf.length - o < need) {
      const bigger = Buffer.allocUnsafe(2 * buf.length + need);
      buf.copy(bigger, 0, 0, o);
      buf = bigger;
    }
    o += MOVIE_ID.copy(buf, o, x ? 0 : 1);
    o = text !== null ? o + buf.write(text, o) : writeNumber(buf, o, id as number);
    o += RATING.copy(buf, o);
    const rating = list.ratings[j];
    o = writeNumber(buf, o, rating);
    o += TIMESTAMP.copy(buf, o);
    o = writeLegacyTimestamp(buf, o, Math.floor(list.ratedMs[j] / 1000));
    buf[o++] = 0x22;
    buf[o++] = 0x7d;
  }
  buf[o++] = 0x5d;
  return buf.toString("utf8", 0, o);
}

/** An external id as the old API printed it: IMDb's tt0114709 as 114709, numeric ids as numbers (when exact). */
export function legacyExternalId(namespace: string, value: string): number | string {
  const digits = namespace === "imdb" && /^tt\d+$/.test(value) ? value.slice(2) : value;
  return /^\d{1,15}$/.test(digits) ? Number(digits) : value;
}

type Namespace = { version: bigint; ids: Map<number, number | string> };
// Per process and database, on globalThis: the production server's fast lane and Next's bundle each load this module.
const store = globalThis as unknown as { tastebudLegacyIds?: Map<string, Promise<Namespace>> };

/**
 * Item id -> external id in `namespace` (the lowest value when an item has several), read again whenever the
 * catalog's external-id version moved past the copy held.
 */
export async function externalIdsOf(namespace: string, version: bigint): Promise<Map<number, number | string>> {
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
    const ids = new Map<number, number | string>();
    for (const r of rows) if (r.item_id !== null) ids.set(r.item_id, legacyExternalId(namespace, r.value));
    return { version: rows[0]?.version ?? version, ids };
  })();
  held.set(key, loading);
  loading.catch(() => held.get(key) === loading && held.delete(key));
  return (await loading).ids;
}
