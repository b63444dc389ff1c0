// Parsers for one line of each rating file format. A line either becomes a row or a reason it was rejected.

/** User and item are the file's own numeric ids; `normalizeItem(String(item))` gives the item's external id. */
export type RatingRow = { user: number; item: number; rating: number; timestamp: number };
export type Parsed = { row: RatingRow } | { error: string } | { skip: true };

export type RatingFormat = {
  id: "movielens" | "movietweetings";
  /** The users' and items' namespace in external ids. */
  userSource: string;
  itemSource: string;
  min: number;
  max: number;
  /** The column separator's bytes, for the byte-level fast path. */
  separator: readonly number[];
  parse(text: string, lineNumber: number): Parsed;
  normalizeItem(id: string): string;
};

const INT = /^\d{1,10}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
// 1995-01-01 .. a day from now: anything else is not a rating time.
const MIN_TS = 788_918_400;
export const maxTimestamp = () => Date.now() / 1000 + 86_400;

function validate(fields: string[], format: RatingFormat): Parsed {
  if (fields.length !== 4) return { error: `expected 4 columns, found ${fields.length}` };
  const [user, item, ratingText, tsText] = fields.map((f) => f.trim());
  if (!INT.test(user) || Number(user) === 0 && format.id === "movielens") return { error: `user id "${user}" is not a positive integer` };
  if (!INT.test(item)) return { error: `movie id "${item}" is not a positive integer` };
  if (!NUMBER.test(ratingText)) return { error: `rating "${ratingText}" is not a number` };
  const rating = Number(ratingText);
  if (rating < format.min || rating > format.max) return { error: `rating ${rating} is outside ${format.min}-${format.max}` };
  if (!INT.test(tsText)) return { error: `timestamp "${tsText}" is not a Unix time in seconds` };
  const timestamp = Number(tsText);
  if (timestamp < MIN_TS || timestamp > maxTimestamp()) return { error: `timestamp ${timestamp} is not a plausible rating time` };
  return { row: { user: Number(user), item: Number(item), rating, timestamp } };
}

/**
 * Parses a plain well-formed line (digits, one dot in the rating, the format's separator, nothing else) straight
 * from its bytes into `out`, without making strings. Returns false for anything else (a header, spaces, quotes, a
 * bad value), which then goes through `parse` for the verdict and the reason.
 */
export function parseRatingBytes(buf: Buffer, start: number, end: number, format: RatingFormat, maxTs: number, out: RatingRow): boolean {
  const sep = format.separator;
  const values = [0, 0, 0, 0];
  let field = 0;
  let digits = 0;
  let value = 0;
  let scale = 0; // digits after the dot, in the rating column
  let i = start;
  while (i < end) {
    const c = buf[i];
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      digits++;
      if (scale > 0) scale *= 10;
      if (digits > 10) return false;
      i++;
    } else if (c === 0x2e && field === 2 && scale === 0 && digits > 0) {
      scale = 1;
      i++;
    } else if (c === sep[0] && (sep.length === 1 || buf[i + 1] === sep[1])) {
      if (digits === 0 || field === 3 || scale === 1) return false;
      values[field++] = scale > 1 ? value / scale : value;
      digits = 0;
      value = 0;
      scale = 0;
      i += sep.length;
    } else return false;
  }
  if (field !== 3 || digits === 0 || scale !== 0) return false;
  values[3] = value;
  const [user, item, rating, timestamp] = values;
  if ((user === 0 && format.id === "movielens") || rating < format.min || rating > format.max || timestamp < MIN_TS || timestamp > maxTs) return false;
  out.user = user;
  out.item = item;
  out.rating = rating;
  out.timestamp = timestamp;
  return true;
}


/** Splits a CSV line with optional double quotes; returns null when the quoting is broken. */
export function splitCsvLine(text: string): string[] | null {
  if (!text.includes('"')) return text.split(",");
  const out: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      if (i < text.length && text[i] !== ",") return null;
      out.push(value);
      i++;
    } else {
      const comma = text.indexOf(",", i);
      const end = comma === -1 ? text.length : comma;
      const value = text.slice(i, end);
      if (value.includes('"')) return null;
      out.push(value);
      i = end + 1;
    }
  }
  return out;
}

export const MOVIELENS_RATINGS: RatingFormat = {
  id: "movielens",
  userSource: "movielens",
  itemSource: "movielens",
  min: 0.5,
  max: 5,
  separator: [0x2c],
  normalizeItem: (id) => String(Number(id)),
  parse(text, lineNumber) {
    if (text.trim() === "") return { skip: true };
    if (lineNumber === 1 && /^\s*"?userid"?\s*,/i.test(text)) return { skip: true };
    const fields = splitCsvLine(text);
    if (!fields) return { error: "broken quoting" };
    return validate(fields, this);
  },
};

export const imdbId = (digits: string) => `tt${String(Number(digits)).padStart(7, "0")}`;

export const MOVIETWEETINGS_RATINGS: RatingFormat = {
  id: "movietweetings",
  userSource: "movietweetings",
  itemSource: "imdb",
  min: 0,
  max: 10,
  separator: [0x3a, 0x3a],
  normalizeItem: imdbId,
  parse(text) {
    if (text.trim() === "") return { skip: true };
    return validate(text.split("::"), this);
  },
};

export const RATING_FORMATS = { movielens: MOVIELENS_RATINGS, movietweetings: MOVIETWEETINGS_RATINGS } as const;
