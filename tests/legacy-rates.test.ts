import { beforeAll, describe, expect, it } from "vitest";
import { GET as rates } from "../app/api/v1/rates/[uid]/route";
import { prisma } from "../lib/db/client";
import { queryRows, rawPool, shortestFloat32 } from "../lib/db/raw";
import { invalidateUserRatings } from "../lib/ratings/history";
import {
  externalIdsOf,
  legacyExternalId,
  legacyRatesBytes,
  listItem,
  listLength,
  listRatedMs,
  listRating,
  ratingListOf,
  readLegacyUser,
  readRatingList,
  type ExternalIdTable,
} from "../lib/ratings/legacy-rates";
import { useTestDatabase } from "./support/db";
import { call } from "./support/http";

// The old /rates answer on a cache miss: the user's ratings oldest first as one string of bytes, ids from a namespace
// held in memory.
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
  return Array.from({ length: listLength(list) }, (_, j) => [listItem(list, j), listRating(list, j), listRatedMs(list, j)]);
};

describe("a user's ratings for /rates", () => {
  it("are read whole and oldest first, reals as PostgreSQL prints them, after inserts, updates and deletes", async () => {
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
    expect(listLength(await readRatingList(987654))).toBe(0);
    // Two at the same instant: by item id.
    await prisma().rating.create({ data: { userId: user, itemId: items[2], rating: 5, ratedAt: t(20) } });
    await prisma().rating.create({ data: { userId: user, itemId: items[1], rating: 1, ratedAt: t(20) } });
    expect(await listOf(user)).toEqual([
      [items[0], 2, t(20).getTime()],
      [items[1], 1, t(20).getTime()],
      [items[2], 5, t(20).getTime()],
    ]);
    await prisma().rating.deleteMany({ where: { userId: user, itemId: { in: [items[1], items[2]] } } });
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
    expect(ids[items[0]]).toBe(9);
  });

  it("load a namespace once for concurrent misses, and again when asked for a newer version", async () => {
    const { catalogVersion } = await readRatingList(user);
    await prisma().externalId.create({ data: { source: "movielens", value: "1000", itemId: items[2] } });
    const [a, b] = await Promise.all([externalIdsOf("movielens", catalogVersion + 1n), externalIdsOf("movielens", catalogVersion + 1n)]);
    expect(a).toBe(b);
    expect(a[items[2]]).toBe(1000);
    // A version this database has not reached: loaded again, held at what was read, then served from memory.
    const again = await externalIdsOf("movielens", catalogVersion + 1000n);
    expect(again).not.toBe(a);
    expect(again[items[2]]).toBe(1000);
  });

  it("read together when asked for at once give each user their own ratings, the first source in order, none for unknown ids", async () => {
    const t = (s: number) => new Date(Date.UTC(2021, 5, 1, 0, 0, s));
    // The same file id in two sources, each with its own ratings; a user with none; uid 801 only in the second source.
    const ml = await prisma().user.create({ data: { source: "movielens", externalId: "800" } });
    const mt = await prisma().user.create({ data: { source: "movietweetings", externalId: "800" } });
    const only = await prisma().user.create({ data: { source: "movietweetings", externalId: "801" } });
    const none = await prisma().user.create({ data: { source: "movielens", externalId: "802" } });
    await prisma().rating.createMany({
      data: [
        { userId: ml.id, itemId: items[0], rating: 4, ratedAt: t(1) },
        { userId: ml.id, itemId: items[1], rating: 3.5, ratedAt: t(2) },
        { userId: mt.id, itemId: items[2], rating: 9, ratedAt: t(3) },
        { userId: only.id, itemId: items[1], rating: 7, ratedAt: t(4) },
      ],
    });
    const sources = ["movielens", "movietweetings"];
    const uids = ["800", "801", "802", "nobody", "800", "801", "nobody", "802"];
    const summary = (found: Awaited<ReturnType<typeof readLegacyUser>>) =>
      found && { id: found.user.id, source: found.user.source, ratings: Array.from({ length: listLength(found.list) }, (_, j) => [listItem(found.list, j), listRating(found.list, j)]) };
    const expected = [
      { id: ml.id, source: "movielens", ratings: [[items[0], 4], [items[1], 3.5]] },
      { id: only.id, source: "movietweetings", ratings: [[items[1], 7]] },
      { id: none.id, source: "movielens", ratings: [] },
      null,
    ];
    // One at a time, then all at once: the first goes alone and the rest wait for it as one batch.
    const serial = [];
    for (const uid of uids) serial.push(summary(await readLegacyUser(uid, sources)));
    expect(serial).toEqual([...expected, expected[0], expected[1], null, expected[2]]);
    expect((await Promise.all(uids.map((uid) => readLegacyUser(uid, sources)))).map(summary)).toEqual(serial);
    expect((await Promise.all(uids.map((uid) => readLegacyUser(uid, ["movietweetings"])))).map((f) => f?.user.id ?? null)).toEqual([mt.id, only.id, null, null, mt.id, only.id, null, null]);
    const ids = [ml.id, mt.id, 987654, none.id, ml.id, only.id];
    const lists = await Promise.all(ids.map((id) => listOf(id)));
    expect(lists.map((l) => l.map(([item]) => item))).toEqual([[items[0], items[1]], [items[2]], [], [], [items[0], items[1]], [items[1]]]);
    const versions = await Promise.all(ids.map((id) => readRatingList(id)));
    const stored = await prisma().user.findMany({ where: { id: { in: ids } }, select: { id: true, ratingsVersion: true } });
    expect(versions.map((v) => v.version)).toEqual(ids.map((id) => Number(stored.find((s) => s.id === id)?.ratingsVersion ?? 0)));
  });

  it("keep ids too long to be exact numbers as strings", async () => {
    expect(legacyExternalId("movielens", "123456789012345")).toBe(123456789012345);
    expect(legacyExternalId("movielens", "1234567890123456789012345")).toBe("1234567890123456789012345");
    expect(legacyExternalId("imdb", "tt0114709")).toBe(114709);
    expect(legacyExternalId("imdb", "tt99999999999999999999")).toBe("tt99999999999999999999");
    const list = ratingListOf([[1, 1e21, 0]]);
    expect(JSON.parse(answerText(list, [undefined, "9".repeat(400)]))).toEqual([{ movie_id: "9".repeat(400), rating: 1e21, timestamp: "1970-01-01 00:00:00" }]);
  });
});

/** The answer's text (its bytes are a working buffer's, written over by the next call). */
const answerText = (...args: Parameters<typeof legacyRatesBytes>) => Buffer.from(legacyRatesBytes(...args)).toString("utf8");

describe("the old /rates text", () => {
  it("is the JSON of the entries in the list's order, whatever the ids and numbers look like", () => {
    const long = "ü".repeat(300);
    const list = ratingListOf([
      [4, 3, -86_400_000],
      [1, 10, 1_000_999],
      [2, 0.1, 1_000_999],
      [3, 4.5, 2_000_000],
      [5, -2.5, Date.UTC(2099, 11, 31, 23, 59, 59)],
      [6, 1234.5678, Date.UTC(1899, 11, 31, 12, 0, 1)],
      [7, 0.3, Date.UTC(2100, 0, 1)],
    ]);
    const ids: ExternalIdTable = [];
    ids[1] = 1214;
    ids[2] = 'tt-x"quoted"';
    ids[3] = long;
    ids[6] = 2 ** 40;
    // Four-byte characters and DEL (0x7F), which JSON leaves as they are: copied eight bytes at a time as float64s,
    // text must come through bit for bit.
    ids[7] = "\u{1F3AC}\u007f\u{1F39E}\u007f\u00ff\u007f";
    expect(JSON.parse(answerText(list, ids))).toEqual([
      { movie_id: 4, rating: 3, timestamp: "1969-12-31 00:00:00" },
      { movie_id: 1214, rating: 10, timestamp: "1970-01-01 00:16:40" },
      { movie_id: 'tt-x"quoted"', rating: 0.1, timestamp: "1970-01-01 00:16:40" },
      { movie_id: long, rating: 4.5, timestamp: "1970-01-01 00:33:20" },
      { movie_id: 5, rating: -2.5, timestamp: "2099-12-31 23:59:59" },
      { movie_id: 2 ** 40, rating: 1234.5677, timestamp: "1899-12-31 12:00:01" },
      { movie_id: "\u{1F3AC}\u007f\u{1F39E}\u007f\u00ff\u007f", rating: 0.3, timestamp: "2100-01-01 00:00:00" },
    ]);
    expect(answerText(list, ids)).toContain(JSON.stringify(ids[7]));
    expect(answerText(ratingListOf([]), null)).toBe("[]");
  });

  it("matches JSON.stringify over many entries: every quarter-star rating, any second of 1900-2100, ids from the table or not", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
    const ids: ExternalIdTable = Array.from({ length: 500 }, (_, j) => (j % 3 === 0 ? undefined : j % 7 === 0 ? `tt${j}` : j * 1_000 + 7));
    const entries: [number, number, number][] = Array.from({ length: 5_000 }, () => [
      Math.floor(random() * 700),
      Math.floor(random() * 41) / 4,
      Date.UTC(1900, 0, 1) + Math.floor(random() * 200 * 365.25 * 86_400) * 1_000,
    ]);
    const expected = entries.map(([item, rating, ms]) => ({ movie_id: ids[item] ?? item, rating, timestamp: new Date(ms).toISOString().slice(0, 19).replace("T", " ") }));
    expect(answerText(ratingListOf(entries), ids)).toBe(JSON.stringify(expected));
  });

  it("writes every number as JSON.stringify does", () => {
    const values = [0, 0.5, 1, 2.5, 9.9, 10, -0.5, 0.1, 0.2, 0.7, 3.3, 1e-7, 123456.7, 2 ** 31, 2 ** 31 + 0.5, 1e21, -(2 ** 40)];
    for (const v of values) {
      const expected = [{ movie_id: v, rating: shortestFloat32(Math.fround(v)), timestamp: "1970-01-01 00:00:00" }];
      expect(answerText(ratingListOf([[1, v, 0]]), [undefined, v])).toBe(JSON.stringify(expected));
    }
  });
});

describe("queryRows with onRow", () => {
  it("gives each row as it arrives, in the statement's order, and returns none", async () => {
    const seen: unknown[][] = [];
    const rows = await queryRows("SELECT n, repeat('x', n) FROM generate_series(1, 5) AS n", [], { onRow: (row) => seen.push(row) });
    expect(rows).toBeUndefined();
    expect(seen.map(([n, text]) => [n, (text as string).length])).toEqual([1, 2, 3, 4, 5].map((n) => [n, n]));
  });

  it("fails the query when onRow throws or the statement fails, and the pool goes on answering", async () => {
    let calls = 0;
    const throwing = queryRows("SELECT n FROM generate_series(1, 3) AS n", [], {
      onRow: () => {
        calls++;
        throw new Error("bad row");
      },
    });
    await expect(throwing).rejects.toThrow("bad row");
    expect(calls).toBe(1);
    await expect(queryRows("SELECT 1 / (n - 2) FROM generate_series(1, 3) AS n", [], { onRow: () => undefined })).rejects.toThrow(/division by zero/);
    expect(await queryRows("SELECT 41 + 1", [])).toEqual([[42]]);
  });

  it("fails, without an unhandled 'error' event, when the connection is lost in the middle of the rows, and the pool goes on answering", async () => {
    // Rows of 10 KB: PostgreSQL sends each as it is made (it holds smaller ones until 8 KB have gathered). At the first
    // one the socket is cut, as a failover or a dropping proxy would (not a FATAL message, which pg handles itself):
    // node-postgres then emits 'error' on the client, which pg-pool does not listen to while it is checked out.
    const seen: number[] = [];
    const streaming = queryRows("SELECT n, repeat($$x$$, 10000), pg_sleep(0.02) FROM generate_series(1, 200) AS n", [], {
      onRow: ([n]) => {
        if (seen.push(n as number) > 1) return;
        const clients = (rawPool() as unknown as { _clients: { activeQuery: unknown; connection: { stream: { destroy(): void } } }[] })._clients;
        clients.find((c) => c.activeQuery)?.connection.stream.destroy();
      },
    });
    await expect(streaming).rejects.toThrow(/terminated/i);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(200);
    const after: unknown[][] = [];
    await queryRows("SELECT 41 + 1", [], { onRow: (row) => after.push(row) });
    expect(after).toEqual([[42]]);
    expect(await queryRows("SELECT 41 + 1", [])).toEqual([[42]]);
  });
});
