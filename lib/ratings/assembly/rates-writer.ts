// AssemblyScript, compiled to WebAssembly by `npm run build:wasm` (scripts/build-wasm.mjs) into
// lib/ratings/rates-writer-binary.ts; lib/ratings/rates-writer.ts lays out its memory and calls it.
//
// The old /rates answer for a packed rating list (lib/ratings/legacy-rates.ts, 16 bytes an entry: item id int4, rating
// float4, time int8 of microseconds since 2000, all big-endian), byte for byte what legacyRatesBytes' own writer makes
// of it. Everything is read from and written to memory the host laid out; nothing is allocated here. Words are read
// and written eight bytes at a time, up to 8 bytes past the end of what they hold: every table has that much room,
// and the output's overrun is written over by what comes next.

/** `,{"movie_id":` (13 bytes) as two little-endian words, and `{"movie_id":` (the first entry's, 12). */
const MOVIE_ID_0: u64 = 0x6569766f6d227b2c;
const MOVIE_ID_1: u64 = 0x3a2264695f;
const FIRST_MOVIE_ID_0: u64 = 0x5f6569766f6d227b;
const FIRST_MOVIE_ID_1: u64 = 0x3a226469;
/** `"}` little-endian. */
const CLOSE: u16 = 0x7d22;

/** Bytes a rating text takes in its table: `,"rating":R,"timestamp":"`, its length in the slot's last byte. */
export const RATING_SLOT: i32 = 32;
/** The highest rating with a text in the table is QUARTERS / 4. */
export const QUARTERS: i32 = 40;

/** Writes the decimal digits of an int32 at `o`; returns the offset after them. */
@inline function writeInt(o: i32, n: i32): i32 {
  if (n < 0) store<u8>(o++, 0x2d);
  // The magnitude as unsigned: -2^31 too.
  let m: u32 = n < 0 ? <u32>(-n) : <u32>n;
  const digits: i32 = m < 10 ? 1 : m < 100 ? 2 : m < 1000 ? 3 : m < 10000 ? 4 : m < 100000 ? 5 : m < 1000000 ? 6 : m < 10000000 ? 7 : m < 100000000 ? 8 : m < 1000000000 ? 9 : 10;
  for (let d = digits - 1; d > 0; d--) {
    const q = m / 10;
    store<u8>(o + d, <u8>(0x30 + m - q * 10));
    m = q;
  }
  store<u8>(o, <u8>(0x30 + m));
  return o + digits;
}

/**
 * Writes the answer for `n` entries at `packed` to `out`; returns the offset after its last byte, or -1 when an entry
 * is one the host writes itself: a rating off the quarter steps from 0 to 10, or a day outside the dates table.
 *
 * ids: `start` holds idCount + 1 offsets into `words`, item j's movie id text being bytes start[j] to start[j + 1]
 * (none: the item's own id); idCount 0 for no table. minutes: "MM:SS" for each second of an hour (3,600 x 5 bytes).
 * ratings: QUARTERS + 1 slots of RATING_SLOT bytes. dates: `YYYY-MM-DD` for `days` days (10 bytes each) from
 * `firstDay` (counted from 1970-01-01).
 */
export function encode(packed: i32, n: i32, start: i32, idCount: i32, words: i32, minutes: i32, ratings: i32, dates: i32, firstDay: i32, days: i32, out: i32): i32 {
  let o = out;
  store<u8>(o++, 0x5b);
  for (let j = 0; j < n; j++) {
    const p = packed + (j << 4);
    if (j) {
      store<u64>(o, MOVIE_ID_0);
      store<u64>(o + 8, MOVIE_ID_1);
      o += 13;
    } else {
      store<u64>(o, FIRST_MOVIE_ID_0);
      store<u64>(o + 8, FIRST_MOVIE_ID_1);
      o += 12;
    }
    const item = bswap<i32>(load<i32>(p));
    let listed = false;
    if (item >= 0 && item < idCount) {
      const from = load<i32>(start + (item << 2));
      const to = load<i32>(start + (item << 2) + 4);
      if (to > from) {
        for (let k = from; k < to; k += 8) store<u64>(o + k - from, load<u64>(words + k));
        o += to - from;
        listed = true;
      }
    }
    if (!listed) o = writeInt(o, item);

    const quarters = reinterpret<f32>(bswap<u32>(load<u32>(p + 4))) * 4;
    if (!(quarters >= 0 && quarters <= <f32>QUARTERS)) return -1;
    const q = <i32>quarters;
    if (<f32>q != quarters) return -1;
    const slot = ratings + q * RATING_SLOT;
    store<u64>(o, load<u64>(slot));
    store<u64>(o + 8, load<u64>(slot + 8));
    store<u64>(o + 16, load<u64>(slot + 16));
    store<u64>(o + 24, load<u64>(slot + 24));
    o += <i32>load<u8>(slot + RATING_SLOT - 1);

    // Whole seconds since 1970 (rounded down), from microseconds since 2000.
    const micros = bswap<i64>(load<i64>(p + 8));
    let seconds = micros / 1000000;
    if (seconds * 1000000 > micros) seconds--;
    seconds += 946684800;
    let day = seconds / 86400;
    if (day * 86400 > seconds) day--;
    const k = day - <i64>firstDay;
    if (k < 0 || k >= <i64>days) return -1;
    const at = dates + <i32>k * 10;
    store<u64>(o, load<u64>(at));
    store<u16>(o + 8, load<u16>(at + 8));
    // ` HH:` then `MM:SS` from the table
    const inDay = <i32>(seconds - day * 86400);
    const hours = inDay / 3600;
    const tens = hours / 10;
    store<u8>(o + 10, 0x20);
    store<u8>(o + 11, <u8>(0x30 + tens));
    store<u8>(o + 12, <u8>(0x30 + hours - tens * 10));
    store<u8>(o + 13, 0x3a);
    store<u64>(o + 14, load<u64>(minutes + (inDay - hours * 3600) * 5));
    store<u16>(o + 19, CLOSE);
    o += 21;
  }
  store<u8>(o++, 0x5d);
  return o;
}
