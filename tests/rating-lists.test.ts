import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GET as rates } from "../app/api/v1/rates/[uid]/route";
import { prisma } from "../lib/db/client";
import { executeJob } from "../lib/jobs/execute";
import { stopJobRunner } from "../lib/jobs/embedded";
import { createJobRecord } from "../lib/jobs/store";
import { applyFeedback } from "../lib/feedback/service";
import { deleteRatingsOf } from "../lib/ratings/cleanup";
import { invalidateAllRatings } from "../lib/ratings/history";
import { countStaleLists, refreshRatingLists } from "../lib/ratings/lists";
import { useTestDatabase } from "./support/db";
import { call } from "./support/http";

useTestDatabase();

type Rate = { movie_id: number; rating: number; timestamp: string };
const dir = mkdtempSync(path.join(tmpdir(), "tastebud-lists-"));

/** A MovieLens ratings.csv of these lines (userId,movieId,rating,timestamp), imported as a job; its report. */
async function importLines(name: string, lines: string[], batchLines?: number) {
  const file = path.join(dir, name);
  writeFileSync(file, ["userId,movieId,rating,timestamp", ...lines].join("\n") + "\n");
  const job = await createJobRecord({ kind: "import", ownerId: null, payload: { format: "ratings", path: file, name, ...(batchLines ? { batch_lines: batchLines } : {}) }, maxAttempts: 1 });
  const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1 });
  expect(outcome.status).toBe("succeeded");
  return outcome.result as { rows_changed: number };
}

const userOf = (uid: string) => prisma().user.findUniqueOrThrow({ where: { source_externalId: { source: "movielens", externalId: uid } } });
const listOf = async (uid: string) => prisma().ratingList.findUnique({ where: { userId: (await userOf(uid)).id } });

/** /rates/{uid} read from the database (a new cache epoch first: every entry before it is passed over). */
async function ratesMiss(uid: string): Promise<Rate[]> {
  await invalidateAllRatings();
  const res = await call<Rate[]>(rates, { params: { uid } });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-cache")).toBe("MISS");
  return res.body;
}

const stamp = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");

afterAll(async () => {
  // A ratings import queues the rating-lists job, which started the queue's client in this process.
  await stopJobRunner();
});

describe("stored rating lists", () => {
  it("are built for every user with ratings by the rating-lists job, with progress, and /rates reads them", async () => {
    await importLines("first.csv", ["1,10,4.0,1000000000", "1,11,3.5,1000000100", "2,10,5.0,1000000000", "3,12,1.0,1000000300"]);
    expect(await countStaleLists()).toBe(3);
    const job = await createJobRecord({ kind: "rating-lists", ownerId: null, payload: {}, maxAttempts: 1 });
    const seen: [number, string | undefined][] = [];
    const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1, onProgress: (p, m) => seen.push([p, m]) });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.result).toMatchObject({ built: 3, dropped: 0, summary: "Built 3 rating lists" });
    expect(seen.at(-1)).toEqual([100, "Built 3 rating lists"]);
    expect(seen.some(([p, m]) => p > 1 && p < 100 && m === "Built 3 rating lists of 3")).toBe(true);
    expect(await countStaleLists()).toBe(0);

    const user = await userOf("1");
    const list = await listOf("1");
    expect(list?.version).toBe(user.ratingsVersion);
    expect(list?.packed.length).toBe(2 * 16);
    expect(await ratesMiss("1")).toEqual([
      { movie_id: 10, rating: 4, timestamp: stamp(1000000000) },
      { movie_id: 11, rating: 3.5, timestamp: stamp(1000000100) },
    ]);

    // The answer comes from the stored list: cut to its last rating, the answer is that one alone...
    await prisma().ratingList.update({ where: { userId: user.id }, data: { packed: list!.packed.subarray(16) } });
    expect(await ratesMiss("1")).toEqual([{ movie_id: 11, rating: 3.5, timestamp: stamp(1000000100) }]);
    // ...and a list of another version is passed over for the ratings themselves.
    await prisma().ratingList.update({ where: { userId: user.id }, data: { version: user.ratingsVersion - 1n } });
    expect(await ratesMiss("1")).toHaveLength(2);
    expect(await countStaleLists()).toBe(1);
    expect(await refreshRatingLists()).toMatchObject({ built: 1, total: 1, done: true });
    expect((await listOf("1"))?.packed).toEqual(list!.packed);
  });

  it("go stale with a rating written through the feedback service, and /rates has the new rating at once", async () => {
    const user = await userOf("2");
    const before = await listOf("2");
    expect(before?.version).toBe(user.ratingsVersion);
    const item = (await prisma().rating.findFirstOrThrow({ where: { userId: user.id } })).itemId;
    await applyFeedback(user.id, { itemId: item, type: "rate", value: 2, at: new Date(2_000_000_000 * 1000) });
    expect((await userOf("2")).ratingsVersion).toBeGreaterThan(before!.version);
    expect(await ratesMiss("2")).toEqual([{ movie_id: 10, rating: 2, timestamp: stamp(2_000_000_000) }]);
    await refreshRatingLists();
    expect((await listOf("2"))?.version).toBe((await userOf("2")).ratingsVersion);
    expect(await ratesMiss("2")).toEqual([{ movie_id: 10, rating: 2, timestamp: stamp(2_000_000_000) }]);
  });

  it("go stale for the users an import changes, and only for them: a re-import of the same lines raises nothing", async () => {
    const versions = async () => Object.fromEntries(await Promise.all(["1", "2", "3"].map(async (u) => [u, (await userOf(u)).ratingsVersion])));
    const start = await versions();
    expect((await importLines("again.csv", ["1,10,4.0,1000000000", "3,12,1.0,1000000300"])).rows_changed).toBe(0);
    expect(await versions()).toEqual(start);

    expect((await importLines("more.csv", ["3,13,4.5,1000000400", "1,10,4.0,1000000000"])).rows_changed).toBe(1);
    const after = await versions();
    expect(after["3"]).toBeGreaterThan(start["3"]);
    expect(after["1"]).toBe(start["1"]);
    expect(await countStaleLists()).toBe(1);
    expect(await ratesMiss("3")).toEqual([
      { movie_id: 12, rating: 1, timestamp: stamp(1000000300) },
      { movie_id: 13, rating: 4.5, timestamp: stamp(1000000400) },
    ]);
  });

  it("go stale for a user whose ratings two batches of one import wrote, though the first created the user", async () => {
    // Batches of two lines, the next one written while the one before commits: user 7's second batch merges into a
    // user created by a transaction that has not committed yet, and raises the version at its own commit.
    await importLines("span.csv", ["6,10,3.0,1000000000", "7,10,3.0,1000000000", "7,11,4.0,1000000100", "7,12,5.0,1000000200", "8,10,2.0,1000000000"], 2);
    expect((await userOf("6")).ratingsVersion).toBe(0n);
    expect((await userOf("7")).ratingsVersion).toBeGreaterThan(0n);
    expect((await userOf("8")).ratingsVersion).toBe(0n);
    expect(await ratesMiss("7")).toHaveLength(3);
  });

  it("go stale for the raters of a deleted item, and go with a deleted user", async () => {
    await refreshRatingLists();
    const [one, three, seven] = [await userOf("1"), await userOf("3"), await userOf("7")];
    const item11 = (await prisma().rating.findFirstOrThrow({ where: { userId: one.id, rating: 3.5 } })).itemId;
    await prisma().$transaction((tx) => deleteRatingsOf(tx, { itemIds: [item11] }));
    // Users 1 and 7 rated movie 11; user 3 did not.
    expect((await userOf("1")).ratingsVersion).toBeGreaterThan(one.ratingsVersion);
    expect((await userOf("7")).ratingsVersion).toBeGreaterThan(seven.ratingsVersion);
    expect((await userOf("3")).ratingsVersion).toBe(three.ratingsVersion);
    expect(await ratesMiss("1")).toEqual([{ movie_id: 10, rating: 4, timestamp: stamp(1000000000) }]);

    await prisma().$transaction(async (tx) => {
      await deleteRatingsOf(tx, { userIds: [three.id] });
      await tx.user.delete({ where: { id: three.id } });
    });
    expect(await prisma().ratingList.findUnique({ where: { userId: three.id } })).toBeNull();
    // A list left behind by a user deleted some other way is removed by the next full run.
    await prisma().ratingList.create({ data: { userId: 999_999, version: 0n, packed: Buffer.alloc(16) } });
    expect(await refreshRatingLists()).toMatchObject({ built: 2, dropped: 1, done: true });
    expect(await prisma().ratingList.findUnique({ where: { userId: 999_999 } })).toBeNull();
  });
});
