// Parsers for one line of each rating file format. A line either becomes a row or a reason it was rejected.

export type RatingRow = { user: string; item: string; rating: number; timestamp: number };
export type Parsed = { row: RatingRow } | { error: string } | { skip: true };

export type RatingFormat = {
  id: "movielens" | "movietweetings";
  /** The users' and items' namespace in external ids. */
  userSource: string;
  itemSource: string;
  min: number;
  max: number;
  parse(text: string, lineNumber: number): Parsed;
  normalizeItem(id: string): string;
};

const INT = /^\d{1,10}$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
// 1995-01-01 .. a day from now: anything else is not a rating time.
const MIN_TS = 788_918_400;

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
  if (timestamp < MIN_TS || timestamp > Date.now() / 1000 + 86_400) return { error: `timestamp ${timestamp} is not a plausible rating time` };
  return { row: { user: String(Number(user)), item: format.normalizeItem(item), rating, timestamp } };
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
  normalizeItem: imdbId,
  parse(text) {
    if (text.trim() === "") return { skip: true };
    return validate(text.split("::"), this);
  },
};

export const RATING_FORMATS = { movielens: MOVIELENS_RATINGS, movietweetings: MOVIETWEETINGS_RATINGS } as const;
