import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { legacyTimestamp } from "../lib/ratings/legacy-rates";
import { readLines } from "../lib/ratings/lines";
import { maxTimestamp, MOVIELENS_RATINGS, MOVIETWEETINGS_RATINGS, parseRatingBytes, type RatingFormat, type RatingRow } from "../lib/ratings/formats";

// The importer reads plain lines from their bytes and sends everything else through the string parser; the two
// must agree on every line the fast path accepts, and the fast path must never accept a line the parser rejects.
function bothWays(format: RatingFormat, text: string) {
  const buf = Buffer.from(text);
  const row: RatingRow = { user: -1, item: -1, rating: -1, timestamp: -1 };
  const fast = parseRatingBytes(buf, 0, buf.length, format, maxTimestamp(), row);
  return { fast: fast ? { ...row } : null, slow: format.parse(text, 2) };
}

describe("byte-level rating parser", () => {
  it("reads plain MovieLens and MovieTweetings lines exactly as the string parser does", () => {
    expect(bothWays(MOVIELENS_RATINGS, "12,307,3.5,1256677221")).toEqual({ fast: { user: 12, item: 307, rating: 3.5, timestamp: 1256677221 }, slow: { row: { user: 12, item: 307, rating: 3.5, timestamp: 1256677221 } } });
    expect(bothWays(MOVIETWEETINGS_RATINGS, "1::0114508::8::1381006850").fast).toEqual({ user: 1, item: 114508, rating: 8, timestamp: 1381006850 });
    expect(MOVIETWEETINGS_RATINGS.normalizeItem(String(114508))).toBe("tt0114508");
  });

  it.each([
    ["header", "userId,movieId,rating,timestamp"],
    ["spaces", " 1, 2, 3, 1256677221"],
    ["quotes", '"1",2,3,1256677221'],
    ["too few columns", "1,2,3"],
    ["too many columns", "1,2,3,1256677221,9"],
    ["empty field", "1,,3,1256677221"],
    ["negative rating", "1,2,-3,1256677221"],
    ["rating out of range", "1,2,5.5,1256677221"],
    ["dot without digits", "1,2,3.,1256677221"],
    ["dot in an id", "1.5,2,3,1256677221"],
    ["user zero", "0,2,3,1256677221"],
    ["timestamp too old", "1,2,3,100"],
    ["eleven-digit id", "12345678901,2,3,1256677221"],
  ])("leaves the %s case to the string parser", (_name, text) => {
    expect(bothWays(MOVIELENS_RATINGS, text).fast).toBeNull();
  });

  it("never disagrees with the string parser on generated lines", () => {
    const field = fc.oneof(fc.nat({ max: 2_000_000_000 }).map(String), fc.constantFrom("", "3.5", "0.5", "5.0", "10", "-1", "4.25", "1e3", " 7", "x", "1256677221", "3."));
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), fc.boolean(), (fields, tweetings) => {
        const format = tweetings ? MOVIETWEETINGS_RATINGS : MOVIELENS_RATINGS;
        const { fast, slow } = bothWays(format, fields.join(tweetings ? "::" : ","));
        if (fast) expect(slow).toEqual({ row: fast });
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts generated well-formed lines with the same values as the string parser", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.nat({ max: 9_999_999_999 }), fc.nat({ max: 9_999_999 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 788_918_400, max: 1_700_000_000 }), (user, item, tenths, ts) => {
        const text = `${user},${item},${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)},${ts}`;
        const { fast, slow } = bothWays(MOVIELENS_RATINGS, text);
        if ("row" in slow) {
          expect(fast).toEqual(slow.row);
          accepted++;
        } else expect(fast).toBeNull();
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(1000);
  });
});

function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "lines-")), name);
  writeFileSync(file, text);
  return file;
}

describe("reading a file line by line", () => {
  it("gives every line with its number and the offset after it, whatever the read size, with BOM and CRLF", async () => {
    const text = "\uFEFFuserId,movieId\r\n1,2\r\n" + "x".repeat(40) + "\n\n3,4\nlast line without newline";
    const file = tempFile("f.csv", text);
    const expected = ["userId,movieId", "1,2", "x".repeat(40), "", "3,4", "last line without newline"];
    for (const readBytes of [1, 3, 7, 64, 1 << 16]) {
      const lines = [];
      for await (const line of readLines(file, { start: 0, firstLineNumber: 1, readBytes })) lines.push(line);
      expect(lines.map((l) => l.text)).toEqual(expected);
      expect(lines.map((l) => l.number)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(lines.at(-1)?.end).toBe(Buffer.byteLength(text));
      // Resuming from any line's end offset gives exactly the lines after it.
      const resumed = [];
      for await (const line of readLines(file, { start: lines[1].end, firstLineNumber: 3, readBytes })) resumed.push(line.text);
      expect(resumed).toEqual(expected.slice(2));
    }
  });
});

describe("a file without line breaks", () => {
  it("is refused with the line it stopped at instead of being read into memory whole", async () => {
    const file = tempFile("cr-only.csv", "userId,movieId,rating,timestamp\n" + "1,2,3,1256677221\r".repeat(100_000));
    const read = async () => {
      for await (const line of readLines(file, { start: 0, firstLineNumber: 1 })) void line;
    };
    await expect(read()).rejects.toThrow("Line 2 is longer than 1 MB: lines must end with a newline (\\n)");
  });
});

describe("legacy timestamps", () => {
  // The old /rates shape formats 1,000 of these per answer, by arithmetic; Date is the reference.
  const viaDate = (s: number) => new Date(s * 1000).toISOString().slice(0, 19).replace("T", " ");
  it("match Date's UTC formatting for any whole second from year 1000 to 9999", () => {
    fc.assert(fc.property(fc.integer({ min: -30_610_224_000, max: 253_402_300_799 }), (s) => legacyTimestamp(s) === viaDate(s)), { numRuns: 20_000 });
  });
  it("get the edges right", () => {
    for (const s of [0, -1, 86_399, 86_400, 951_782_400 /* 2000-02-29 */, 1_400_000_000, 4_107_542_400 /* 2100-03-01 */]) expect(legacyTimestamp(s)).toBe(viaDate(s));
  });
});
