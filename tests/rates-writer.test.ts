import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { legacyRatesBytes, legacyRatesBytesJs, ratingListOf, type ExternalIdTable, type RatingList } from "../lib/ratings/legacy-rates";
import { MEMORY_MAX, RatesWriter } from "../lib/ratings/rates-writer";
// @ts-expect-error: a plain ES module without types
import { MODULE, ratesWriterModule } from "../scripts/build-wasm.mjs";

// The old /rates answer's WebAssembly writer (lib/ratings/assembly/rates-writer.ts) against the JavaScript one
// (legacyRatesBytesJs), which writes every list and is the reference: the same bytes, or the list is left to it.

const both = (list: RatingList, ids: ExternalIdTable | null) => [Buffer.from(legacyRatesBytes(list, ids)), Buffer.from(legacyRatesBytesJs(list, ids))];

/** What RatesWriter.write returned in the calls made by `run`: bytes (written in WebAssembly) or null (left to JavaScript). */
function writtenBy(run: () => void): ("wasm" | "js")[] {
  const spy = vi.spyOn(RatesWriter.prototype, "write");
  try {
    run();
    return spy.mock.results.map((r) => (r.type === "return" && r.value ? "wasm" : "js"));
  } finally {
    spy.mockRestore();
  }
}

let seed = 11;
const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
const DAY = 86_400_000;
const Y1900 = Date.UTC(1900, 0, 1);
const Y2100 = Date.UTC(2100, 0, 1);

describe("the WebAssembly writer of the old /rates answer", () => {
  afterEach(() => vi.restoreAllMocks());

  it("is what its source compiles to (run `npm run build:wasm` after changing it)", async () => {
    expect(readFileSync(MODULE, "utf8")).toBe(await ratesWriterModule());
  }, 60_000);

  it("writes the bytes the JavaScript writer writes, for ids from a table or not, any second of 1900-2099 and every quarter step", () => {
    const ids: ExternalIdTable = Array.from({ length: 3_000 }, (_, j) =>
      j % 5 === 0 ? undefined : j % 7 === 0 ? `tt${j}"\\\u00e9\u{1F3AC}` : j % 11 === 0 ? "9".repeat(1 + (j % 40)) : j * 977,
    );
    const edges = [Y1900, Y1900 + 999, Y2100 - 1_000, Y2100 - 1, Date.UTC(1970, 0, 1) - 1, Date.UTC(1970, 0, 1), Date.UTC(2000, 0, 1) - 1, Date.UTC(2000, 0, 1), Date.UTC(2000, 1, 29, 23, 59, 59)];
    for (let round = 0; round < 20; round++) {
      const entries: [number, number, number][] = Array.from({ length: 1 + Math.floor(random() * 3_000) }, (_, j) => [
        // ids in the table, past its end, negative, and the int32 extremes
        j % 97 === 0 ? [-1, -(2 ** 31), 2 ** 31 - 1, 3_000, 5_000][j % 5] : Math.floor(random() * 3_200),
        Math.floor(random() * 41) / 4,
        j < edges.length ? edges[j] : Y1900 + Math.floor(random() * (Y2100 - Y1900)),
      ]);
      const table = round % 3 === 2 ? null : ids;
      let answers: Buffer[] = [];
      expect(writtenBy(() => (answers = both(ratingListOf(entries), table)))).toEqual(["wasm"]);
      expect(answers[0].toString("utf8")).toBe(answers[1].toString("utf8"));
      expect(answers[0].equals(answers[1])).toBe(true);
    }
    expect(JSON.parse(both(ratingListOf([[4, 2.5, Date.UTC(2024, 4, 6, 7, 8, 9)]]), [undefined, undefined, undefined, undefined, 1214])[0].toString())).toEqual([
      { movie_id: 1214, rating: 2.5, timestamp: "2024-05-06 07:08:09" },
    ]);
    expect(both(ratingListOf([]), ids)[0].toString()).toBe("[]");
  });

  it("leaves a list to the JavaScript writer when a rating is off the quarter steps or a date outside 1900-2099", () => {
    const lists = [
      ratingListOf([[1, 4, DAY], [2, 3.3, DAY]]),
      ratingListOf([[1, 4, DAY], [2, -0.25, DAY]]),
      ratingListOf([[1, 10.25, DAY]]),
      ratingListOf([[1, Number.NaN, DAY]]),
      ratingListOf([[1, 4, Y1900 - 1]]),
      ratingListOf([[1, 4, Y2100]]),
    ];
    let answers: Buffer[][] = [];
    expect(writtenBy(() => (answers = lists.map((l) => both(l, [undefined, 7]))))).toEqual(lists.map(() => "js"));
    for (const [fast, reference] of answers) expect(fast.equals(reference)).toBe(true);
    expect(JSON.parse(answers[4][0].toString())).toEqual([{ movie_id: 7, rating: 4, timestamp: "1899-12-31 23:59:59" }]);
  });

  it("grows its memory for a long list, and keeps several id tables", () => {
    const entries: [number, number, number][] = Array.from({ length: 120_000 }, (_, j) => [j % 5_000, (j % 41) / 4, Y1900 + j * 3_600_000]);
    const tables: ExternalIdTable[] = [0, 1, 2].map((t) => Array.from({ length: 5_000 }, (_, j) => (j + t) * 1_000_003));
    const place = vi.spyOn(RatesWriter.prototype as unknown as { place(ids: unknown): unknown }, "place");
    for (let round = 0; round < 2; round++) {
      for (const table of tables) {
        let answers: Buffer[] = [];
        expect(writtenBy(() => (answers = both(ratingListOf(entries.slice(0, round ? 120_000 : 50)), table)))).toEqual(["wasm"]);
        expect(answers[0].equals(answers[1])).toBe(true);
      }
    }
    // Each table was copied into the writer's memory once, and found there the second time round.
    expect(new Set(place.mock.results.map((r) => r.value)).size).toBe(3);
    expect(place.mock.calls).toHaveLength(6);
  });

  it("leaves a list too long for its memory to the JavaScript writer", () => {
    // The list (16 bytes a rating) and room for the longest answer it could make (at least 93 bytes a rating) come to
    // over 109 bytes a rating: a tenth more than the writer may take, whatever it holds already.
    const count = Math.ceil(MEMORY_MAX / 100);
    const list = ratingListOf(Array.from({ length: count }, (_, j) => [j % 9_000, 4, Y1900 + j * 60_000] as [number, number, number]));
    const ids: ExternalIdTable = Array.from({ length: 9_000 }, (_, j) => j * 3);
    let answers: Buffer[] = [];
    expect(writtenBy(() => (answers = both(list, ids)))).toEqual(["js"]);
    expect(answers[0].equals(answers[1])).toBe(true);
    expect(JSON.parse(answers[0].toString())).toHaveLength(count);
    // and the next list is written in WebAssembly again
    expect(writtenBy(() => both(ratingListOf([[1, 4, DAY]]), ids))).toEqual(["wasm"]);
  });

  it("gives way to the JavaScript writer for good when it fails", () => {
    const list = ratingListOf([[1, 4, DAY]]);
    vi.spyOn(RatesWriter.prototype, "write").mockImplementation(() => {
      throw new WebAssembly.RuntimeError("memory access out of bounds");
    });
    expect(Buffer.from(legacyRatesBytes(list, null)).toString()).toBe('[{"movie_id":1,"rating":4,"timestamp":"1970-01-02 00:00:00"}]');
    vi.restoreAllMocks();
    expect(writtenBy(() => legacyRatesBytes(list, null))).toEqual([]);
  });
});
