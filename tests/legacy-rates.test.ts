import { beforeAll, describe, expect, it } from "vitest";
import { GET as rates } from "../app/api/v1/rates/[uid]/route";
import { prisma } from "../lib/db/client";
import { invalidateUserRatings } from "../lib/ratings/history";
import { externalIdsOf, legacyExternalId, legacyRatesJson, oldestFirst, readRatingList } from "../lib/ratings/legacy-rates";
import { useTestDatabase } from "./support/db";
import { call } from "./support/http";

// The old /rates answer on a cache miss: one aggregate row of the user's ratings, ids from a namespace held in memory.
useTestDatabase();

let user = 0;
const items: number[] = [];

beforeAll(async () => {
  user = (await prisma().user.create({ data: { source: "movielens", externalId: "77" } })).id;
  for (const [title, ml] of [["Heat", "6"], ["Alien", "1214"], ["Brazil", "1199"]]) {
    const item = await prisma().item.create({ data: { title, externalIds: { create: { source: "movielens", value: ml } } } });
    items.push(item.id);
  }
});

const listOf = async (id: number) => {
  const list = await readRatingList(id);
  return Array.from(oldestFirst(list), (j) => [list.items[j], list.ratings[j], list.ratedMs[j]]);
};

describe("a user's ratings for /rates", () => {
  it("are read whole, reals as PostgreSQL prints them, after inserts, updates and deletes", async () => {
    const t = (s: number) => new Date(Date.UTC(2020, 0, 1, 0, 0, s));
    await prisma().rating.create({ data: { userId: user, itemId: items[0], rating: 4.5, ratedAt: t(10) } });
    await prisma().rating.create({ data: { userId: user, itemId: items[1], rating: 0.1, ratedAt: t(5) } });
    expect(await listOf(user)).toEqual([
      [items[1], 0.1, t(5).getTime()],
      [items[0], 4.5, t(10).getTime()],
    ]);
    await prisma().rating.update({ where: { userId_itemId: { userId: user, itemId: items[0] } }, data: { rating: 2, ratedAt: t(20) } });
    await prisma().rating.delete({ where: { userId_itemId: { userId: user, itemId: items[1] } } });
    expect(await listOf(user)).toEqual([[items[0], 2, t(20).getTime()]]);
    expect((await readRatingList(987654)).items).toHaveLength(0);
    // Times before PostgreSQL's 2000 epoch and before 1970, with milliseconds.
    const old = new Date(Date.UTC(1969, 11, 31, 23, 59, 58, 123));
    await prisma().rating.create({ data: { userId: user, itemId: items[2], rating: 3.3, ratedAt: old } });
    expect((await listOf(user))[0]).toEqual([items[2], 3.3, old.getTime()]);
    await prisma().rating.delete({ where: { userId_itemId: { userId: user, itemId: items[2] } } });
  });

  it("answer /rates with the ids of the user's source, and see a changed id at once", async () => {
    await invalidateUserRatings(user);
    const first = await call<{ movie_id: number }[]>(rates, { params: { uid: "77" } });
    expect(first.body.map((r) => r.movie_id)).toEqual([6]);
    await prisma().externalId.update({ where: { source_value: { source: "movielens", value: "6" } }, data: { value: "60" } });
    await invalidateUserRatings(user);
    const second = await call<{ movie_id: number }[]>(rates, { params: { uid: "77" } });
    expect(second.body.map((r) => r.movie_id)).toEqual([60]);
  });

  it("hold the lowest external id of an item that has two, in number order", async () => {
    const { catalogVersion } = await readRatingList(user);
    await prisma().externalId.create({ data: { source: "movielens", value: "9", itemId: items[0] } });
    await prisma().externalId.create({ data: { source: "movielens", value: "10", itemId: items[0] } });
    const ids = await externalIdsOf("movielens", catalogVersion + 2n);
    expect(ids.get(items[0])).toBe(9);
  });

  it("load a namespace once for concurrent misses, and again when asked for a newer version", async () => {
    const { catalogVersion } = await readRatingList(user);
    await prisma().externalId.create({ data: { source: "movielens", value: "1000", itemId: items[2] } });
    const [a, b] = await Promise.all([externalIdsOf("movielens", catalogVersion + 1n), externalIdsOf("movielens", catalogVersion + 1n)]);
    expect(a).toBe(b);
    expect(a.get(items[2])).toBe(1000);
    // A version this database has not reached: loaded again, held at what was read, then served from memory.
    const again = await externalIdsOf("movielens", catalogVersion + 1000n);
    expect(again).not.toBe(a);
    expect(again.get(items[2])).toBe(1000);
  });

  it("keep ids too long to be exact numbers as strings", async () => {
    expect(legacyExternalId("movielens", "123456789012345")).toBe(123456789012345);
    expect(legacyExternalId("movielens", "1234567890123456789012345")).toBe("1234567890123456789012345");
    expect(legacyExternalId("imdb", "tt0114709")).toBe(114709);
    expect(legacyExternalId("imdb", "tt99999999999999999999")).toBe("tt99999999999999999999");
    const list = { items: Int32Array.from([1]), ratings: Float64Array.from([1e21]), ratedMs: Float64Array.from([0]), catalogVersion: 0n };
    expect(JSON.parse(legacyRatesJson(list, new Map([[1, "9".repeat(400)]])))).toEqual([{ movie_id: "9".repeat(400), rating: 1e21, timestamp: "1970-01-01 00:00:00" }]);
  });
});

describe("the old /rates text", () => {
  it("is the JSON of the entries oldest first, whatever the ids look like", () => {
    const long = "ü".repeat(300);
    const list = {
      items: Int32Array.from([3, 1, 2, 4]),
      ratings: Float64Array.from([4.5, 10, 0.1, 3]),
      ratedMs: Float64Array.from([2_000_000, 1_000_999, 1_000_999, -86_400_000]),
      catalogVersion: 0n,
    };
    const ids = new Map<number, number | string>([[1, 1214], [2, "tt-x\"quoted\""], [3, long]]);
    expect(JSON.parse(legacyRatesJson(list, ids))).toEqual([
      { movie_id: 4, rating: 3, timestamp: "1969-12-31 00:00:00" },
      { movie_id: 1214, rating: 10, timestamp: "1970-01-01 00:16:40" },
      { movie_id: 'tt-x"quoted"', rating: 0.1, timestamp: "1970-01-01 00:16:40" },
      { movie_id: long, rating: 4.5, timestamp: "1970-01-01 00:33:20" },
    ]);
    expect(legacyRatesJson({ ...list, items: new Int32Array(0), ratings: new Float64Array(0), ratedMs: new Float64Array(0) }, null)).toBe("[]");
  });
});
