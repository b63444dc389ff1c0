import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { recomputeCatalogStats } from "../lib/catalog/stats";
import { prisma } from "../lib/db/client";
import { databaseSteps, executeJob } from "../lib/jobs/execute";
import { createJobRecord } from "../lib/jobs/store";
import type { StepTool } from "../lib/jobs/types";
import type { ImportReport } from "../lib/ratings/report";
import { cancellingSteps } from "./support/cancel";
import { useTestDatabase } from "./support/db";
import { waitFor } from "./support/wait";

const db = useTestDatabase();
const dir = mkdtempSync(path.join(tmpdir(), "tastebud-import-"));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function runImport(format: string, p: string, extra: Record<string, unknown> = {}): Promise<ImportReport> {
  const job = await createJobRecord({ kind: "import", ownerId: null, payload: { format, path: p, name: path.basename(p), ...extra }, maxAttempts: 1 });
  const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1 });
  if (outcome.status !== "succeeded") throw new Error(`import ${outcome.status}: ${outcome.error}`);
  return outcome.result as unknown as ImportReport;
}

const T = 1_400_000_000;
const ratingsOf = async (source: string, ext: string) =>
  prisma().$queryRaw<{ item: string; rating: number; ts: number }[]>`
    SELECT e.value AS item, r.rating, extract(epoch FROM r.rated_at)::int AS ts FROM ratings r
    JOIN users u ON u.id = r.user_id JOIN external_ids e ON e.item_id = r.item_id AND e.source = 'movielens'
    WHERE u.source = ${source} AND u.external_id = ${ext} ORDER BY e.value::int`;

describe("ratings.csv import", () => {
  it("loads every good line and reports each malformed one with its line number and reason", async () => {
    const csv = [
      "userId,movieId,rating,timestamp",
      `1,10,4.0,${T}`, // 2 ok
      `1,11,3.5`, // 3 wrong column count
      `x,12,3.0,${T}`, // 4 non-numeric user
      `1,abc,3.0,${T}`, // 5 non-numeric movie
      `1,13,5.5,${T}`, // 6 rating above range
      `1,14,0.0,${T}`, // 7 rating below range
      `1,15,3.0,yesterday`, // 8 bad timestamp
      `1,"16,3.0,${T}`, // 9 broken quoting
      ``, // 10 blank: skipped
      `2,10,2.5,${T + 5}`, // 11 ok
      `"2","11","1.5","${T}"`, // 12 ok, quoted
      `3,10,4,${T},extra`, // 13 wrong column count
    ].join("\n");
    const report = await runImport("ratings", file("malformed.csv", csv));
    expect(report).toMatchObject({ rows_loaded: 3, rows_rejected: 8, users_created: 2 });
    expect(report.errors.map((e) => [e.line, e.reason])).toEqual([
      [3, "expected 4 columns, found 3"],
      [4, 'user id "x" is not a positive integer'],
      [5, 'movie id "abc" is not a positive integer'],
      [6, "rating 5.5 is outside 0.5-5"],
      [7, "rating 0 is outside 0.5-5"],
      [8, 'timestamp "yesterday" is not a Unix time in seconds'],
      [9, "broken quoting"],
      [13, "expected 4 columns, found 5"],
    ]);
    expect(await ratingsOf("movielens", "2")).toEqual([
      { item: "10", rating: 2.5, ts: T + 5 },
      { item: "11", rating: 1.5, ts: T },
    ]);
  });

  it("rejects a line holding a NUL byte with its reason and loads the rest (PostgreSQL can store no NUL)", async () => {
    const csv = `userId,movieId,rating,timestamp\n70,10,4,${T}\n70,1\u00001,3,${T}\n70,12,2,${T}\n`;
    const report = await runImport("ratings", file("nul.csv", csv));
    expect(report).toMatchObject({ rows_loaded: 2, rows_rejected: 1 });
    expect(report.errors).toEqual([{ line: 3, reason: "contains a NUL byte (0x00), which cannot be stored", text: `70,1\u24001,3,${T}` }]);
  });

  it("says which films it could not name, and how to name them", async () => {
    const report = await runImport("ratings", file("unnamed.csv", `userId,movieId,rating,timestamp\n99001,9901,4,${T}\n99001,9902,3,${T}\n`));
    expect(report.items_created).toBe(2);
    expect(report.warnings).toEqual(['2 films in this file had no title yet and are listed as "Unknown title": import movies.csv (or movies_metadata.csv with links.csv) to name them.']);
    expect((await runImport("ratings", file("named-now.csv", `userId,movieId,rating,timestamp\n99002,9901,5,${T}\n`))).warnings).toEqual([]);
  });

  it("handles a BOM, CRLF line endings and a missing final newline", async () => {
    const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`userId,movieId,rating,timestamp\r\n7,20,3.0,${T}\r\n7,21,4.5,${T + 1}`)]);
    const report = await runImport("ratings", file("bom-crlf.csv", content));
    expect(report).toMatchObject({ rows_loaded: 2, rows_rejected: 0 });
    expect(await ratingsOf("movielens", "7")).toEqual([
      { item: "20", rating: 3, ts: T },
      { item: "21", rating: 4.5, ts: T + 1 },
    ]);
  });

  it("accepts a header-only file and an empty file, saying so", async () => {
    const headerOnly = await runImport("ratings", file("header.csv", "userId,movieId,rating,timestamp\n"));
    expect(headerOnly).toMatchObject({ rows_loaded: 0, rows_rejected: 0, warnings: ["The file has a header but no ratings"] });
    const empty = await runImport("ratings", file("empty.csv", ""));
    expect(empty).toMatchObject({ rows_loaded: 0, rows_rejected: 0, warnings: ["The file is empty"] });
  });

  it("keeps one rating per user and movie, the newest, and re-importing changes nothing", async () => {
    const csv = ["userId,movieId,rating,timestamp", `9,30,2.0,${T}`, `9,30,4.0,${T + 100}`, `9,31,3.0,${T}`, `9,30,1.0,${T + 50}`].join("\n");
    const p = file("dupes.csv", csv);
    const first = await runImport("ratings", p, { batch_lines: 2 });
    expect(first.rows_loaded).toBe(4);
    expect(await ratingsOf("movielens", "9")).toEqual([
      { item: "30", rating: 4, ts: T + 100 },
      { item: "31", rating: 3, ts: T },
    ]);
    const count = await prisma().rating.count();
    const again = await runImport("ratings", p, { batch_lines: 2 });
    expect(again).toMatchObject({ rows_loaded: 4, rows_changed: 0, users_created: 0, items_created: 0 });
    expect(await prisma().rating.count()).toBe(count);
  });

  it("keeps one rating when two file ids were merged into one film", async () => {
    // links.csv can tie two MovieLens ids to the same IMDb film; their ratings then meet on one item.
    const film = await prisma().item.create({ data: { title: "Twice Listed", genres: [], externalIds: { create: [{ source: "movielens", value: "7001" }, { source: "movielens", value: "7002" }] } } });
    const report = await runImport("ratings", file("merged-ids.csv", `userId,movieId,rating,timestamp\n61,7001,2.0,${T}\n61,7002,4.5,${T + 10}\n62,7002,3.0,${T}\n`));
    expect(report).toMatchObject({ rows_loaded: 3, rows_rejected: 0 });
    const stored = await prisma().rating.findMany({ where: { itemId: film.id }, orderBy: { rating: "asc" }, select: { rating: true } });
    expect(stored.map((r) => r.rating)).toEqual([3, 4.5]);
  });

  it("reports at most 100 rejected lines in detail but counts them all", async () => {
    const lines = ["userId,movieId,rating,timestamp", ...Array.from({ length: 150 }, (_, i) => `1,${i + 1},9,${T}`), `1,999,3,${T}`];
    const report = await runImport("ratings", file("many-bad.csv", lines.join("\n")), { batch_lines: 40 });
    expect(report.rows_rejected).toBe(150);
    expect(report.errors).toHaveLength(100);
    expect(report.errors[99].line).toBe(101);
    expect(report.rows_loaded).toBe(1);
  });
});

describe("a killed import", () => {
  it("leaves whole batches only, and the next run completes it without duplicates", async () => {
    const users = 300;
    const perUser = 200;
    const lines = ["userId,movieId,rating,timestamp"];
    for (let u = 1; u <= users; u++) for (let m = 1; m <= perUser; m++) lines.push(`${100_000 + u},${5000 + m},${((u * m) % 10) / 2 + 0.5},${T + m}`);
    const p = file("big.csv", lines.join("\n") + "\n");
    const env = { ...process.env, DATABASE_URL: db.url(), IMPORT_BATCH_LINES: "2000" };
    const cli = () => spawn(process.execPath, [path.resolve("scripts/run.mjs"), "import", "ratings", p], { env, stdio: ["ignore", "pipe", "pipe"] });
    const killed = cli();
    const jobId = await waitFor(async () => {
      const job = await prisma().job.findFirst({ where: { kind: "import", payload: { path: ["path"], equals: p } } });
      return job && (await prisma().jobStep.count({ where: { jobId: job.id } })) >= 3 ? job.id : null;
    }, { timeoutMs: 60_000, what: "three committed batches" });
    killed.kill("SIGKILL");
    await new Promise((r) => killed.once("exit", r));
    const partial = await prisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM ratings r JOIN users u ON u.id = r.user_id WHERE u.source = 'movielens' AND u.external_id::int > 100000`;
    expect((partial[0].n + 1) % 2000).toBe(0); // whole batches of 2,000 lines only (the first holds the header)
    expect(partial[0].n).toBeLessThan(users * perUser);

    const resumed = cli();
    let out = "";
    resumed.stdout.on("data", (d) => (out += d));
    const code = await new Promise((r) => resumed.once("exit", r));
    expect(code).toBe(0);
    expect(out).toContain(`Resuming big.csv as ratings (job ${jobId})`);
    const total = await prisma().$queryRaw<{ n: number; pairs: number }[]>`
      SELECT count(*)::int AS n, count(DISTINCT (r.user_id, r.item_id))::int AS pairs FROM ratings r JOIN users u ON u.id = r.user_id
      WHERE u.source = 'movielens' AND u.external_id::int > 100000`;
    expect(total[0]).toEqual({ n: users * perUser, pairs: users * perUser });
    const job = await prisma().job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.status).toBe("succeeded");
    expect((job.result as unknown as ImportReport).rows_loaded).toBe(users * perUser);
  }, 120_000);
});

describe("an import resumed after a failure", () => {
  it("replays its finished batches without setting the progress bar back, and finishes the file", async () => {
    const lines = ["userId,movieId,rating,timestamp"];
    for (let k = 1; k <= 40; k++) lines.push(`${300_000 + k},${6000 + k},3.5,${T + k}`);
    const p = file("resumed.csv", lines.join("\n") + "\n");
    const job = await createJobRecord({ kind: "import", ownerId: null, payload: { format: "ratings", path: p, name: "resumed.csv", batch_lines: 10 }, maxAttempts: 2 });
    const steps = databaseSteps(job.id);
    const reports: { attempt: number; percent: number; message?: string }[] = [];
    // The first attempt dies as its third batch starts; the second replays the first two from their stored steps.
    const first = await executeJob(job.id, {
      attempt: 0,
      maxAttempts: 2,
      onProgress: (percent, message) => reports.push({ attempt: 0, percent, message }),
      step: { run: (id, fn) => (id === "batch-2" ? Promise.reject(new Error("the worker died")) : steps.run(id, fn)) },
    });
    expect(first.status).toBe("retry");
    const before = reports.at(-1)!;
    expect(before.message).toMatch(/^\d+ B of [\d.]+ KB · 19 rows · [\d,]+ rows\/s · ETA /);
    const second = await executeJob(job.id, { attempt: 1, maxAttempts: 2, onProgress: (percent, message) => reports.push({ attempt: 1, percent, message }) });
    expect(second.status).toBe("succeeded");
    const resumed = reports.filter((r) => r.attempt === 1);
    expect(Math.min(...resumed.map((r) => r.percent))).toBeGreaterThanOrEqual(before.percent);
    expect(resumed.some((r) => r.message?.startsWith("Reading"))).toBe(false);
    expect((second.result as unknown as ImportReport).rows_loaded).toBe(40);
    const [{ n }] = await prisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM ratings r JOIN users u ON u.id = r.user_id WHERE u.source = 'movielens' AND u.external_id::int BETWEEN 300001 AND 300040`;
    expect(n).toBe(40);
  });
});

describe("statistics after an import", () => {
  const importWatching = async (name: string, content: string | Buffer) => {
    const job = await createJobRecord({ kind: "import", ownerId: null, payload: { format: "ratings", path: file(name, content), name }, maxAttempts: 1 });
    const messages: string[] = [];
    const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1, onProgress: (_, message) => message && messages.push(message) });
    expect(outcome.status).toBe("succeeded");
    return messages;
  };
  const statsOf = async (ids: number[]) =>
    (await prisma().itemStats.findMany({ where: { itemId: { in: ids } }, orderBy: { itemId: "asc" } })).map((s) => ({
      item: s.itemId,
      count: s.ratingsCount,
      mean: s.meanRating,
      score: Math.round(s.weightedScore * 1e9) / 1e9,
    }));
  const filmIds = async (values: string[]) =>
    (await prisma().externalId.findMany({ where: { source: "movielens", value: { in: values } }, select: { itemId: true } })).map((f) => f.itemId);
  const lines = ["userId,movieId,rating,timestamp"];
  for (let u = 1; u <= 5; u++) for (const m of [8001, 8002, 8003]) lines.push(`${400_000 + u},${m},${((u + m) % 9) / 2 + 0.5},${T + u}`);
  const fewFilms = lines.join("\n") + "\n";

  it("refreshes the films a small file touched to the figures a full recompute gives", async () => {
    await recomputeCatalogStats();
    expect(await importWatching("few-films.csv", fewFilms)).toContain("Updating the statistics of 3 films");
    const ids = await filmIds(["8001", "8002", "8003"]);
    const refreshed = await statsOf(ids);
    expect(refreshed.map((s) => s.count)).toEqual([5, 5, 5]);
    await recomputeCatalogStats();
    expect(refreshed).toEqual(await statsOf(ids));
  });

  it("says a cancel after the last batch kept the whole file, and removes the uploaded copy", async () => {
    const upload = file("cancel-late.csv", fewFilms);
    const job = await createJobRecord({ kind: "import", ownerId: null, payload: { format: "ratings", path: upload, name: "late.csv", delete_after: true }, maxAttempts: 1 });
    const outcome = await executeJob(job.id, { attempt: 0, maxAttempts: 1, step: cancellingSteps(job.id, "batch-0", "finished") });
    expect(outcome).toMatchObject({ status: "cancelled", message: "Cancelled after loading all 15 rows; the catalog statistics were not updated (the nightly statistics job will)." });
    expect(existsSync(upload)).toBe(false);
  });

  it("keeps an uploaded copy while a failed import will be retried, and removes it after the last attempt fails", async () => {
    const upload = file("fails.csv", fewFilms);
    const job = await createJobRecord({ kind: "import", ownerId: null, payload: { format: "ratings", path: upload, name: "fails.csv", delete_after: true }, maxAttempts: 2 });
    const failing: StepTool = {
      run: async (id, fn) => {
        if (id === "batch-0") throw new Error("the database went away");
        return fn();
      },
    };
    expect(await executeJob(job.id, { attempt: 0, maxAttempts: 2, step: failing })).toMatchObject({ status: "retry" });
    expect(existsSync(upload)).toBe(true);
    expect(await executeJob(job.id, { attempt: 1, maxAttempts: 2, step: failing })).toMatchObject({ status: "failed", error: "the database went away" });
    expect(existsSync(upload)).toBe(false);
  });

  it("does not recompute the films it did not touch, and skips it all when the file loads nothing", async () => {
    // A film the next file does not name gets a rating behind the statistics' back: a full recompute would count it.
    const other = await prisma().item.create({ data: { title: "Untouched", year: 2001, genres: ["Drama"] } });
    const someone = await prisma().user.create({ data: { source: "movielens", externalId: "399999" } });
    await prisma().rating.create({ data: { userId: someone.id, itemId: other.id, rating: 4, ratedAt: new Date() } });
    expect(await importWatching("one-more.csv", `userId,movieId,rating,timestamp\n400001,8004,4.5,${T}\n`)).toContain("Updating the statistics of 1 film");
    expect((await statsOf(await filmIds(["8004"])))[0]).toMatchObject({ count: 1, mean: 4.5 });
    expect(await statsOf([other.id])).toEqual([]);
    expect((await importWatching("header-only.csv", "userId,movieId,rating,timestamp\n")).some((m) => m.startsWith("Updating"))).toBe(false);
  });
});

describe("MovieTweetings", () => {
  const mt = path.resolve("../shared/data/movietweetings-100k");

  beforeAll(async () => {
    await runImport("movietweetings-movies", path.join(mt, "movies.dat"));
    await runImport("movietweetings-ratings", path.join(mt, "ratings.dat"));
  }, 60_000);

  it("loads all 100,000 ratings by 16,554 users on 0-10 with items keyed by IMDb id", async () => {
    const [row] = await prisma().$queryRaw<{ n: number; users: number }[]>`
      SELECT count(*)::int AS n, count(DISTINCT r.user_id)::int AS users FROM ratings r JOIN users u ON u.id = r.user_id WHERE u.source = 'movietweetings'`;
    expect(row).toEqual({ n: 100_000, users: 16_554 });
    const item = await prisma().externalId.findUniqueOrThrow({ where: { source_value: { source: "imdb", value: "tt0004972" } }, include: { item: true } });
    expect(item.item).toMatchObject({ title: "The Birth of a Nation", year: 1915 });
    expect(item.item.genres).toEqual(expect.arrayContaining(["Drama", "Romance", "War", "History"]));
  });

  it("gives each user exactly the ratings the file has for them", async () => {
    const lines = readFileSync(path.join(mt, "ratings.dat"), "utf8").trim().split("\n").map((l) => l.split("::"));
    for (const uid of ["1", "2", "17"]) {
      const expected = lines
        .filter((f) => f[0] === uid)
        .map(([, movie, rating, ts]) => `tt${movie.padStart(7, "0")} ${Number(rating)} ${ts}`)
        .sort();
      const stored = await prisma().$queryRaw<{ row: string }[]>`
        SELECT e.value || ' ' || r.rating || ' ' || extract(epoch FROM r.rated_at)::bigint AS row FROM ratings r
        JOIN users u ON u.id = r.user_id JOIN external_ids e ON e.item_id = r.item_id AND e.source = 'imdb'
        WHERE u.source = 'movietweetings' AND u.external_id = ${uid}`;
      expect(stored.map((r) => r.row).sort()).toEqual(expected);
    }
  });
});

describe("catalog files", () => {
  it("imports movies.csv with titles, years and genres, then links.csv ties MovieLens, IMDb and TMDB ids to one item", async () => {
    await runImport("ratings", file("r-for-links.csv", `userId,movieId,rating,timestamp\n50,1,4,${T}\n`));
    const movies = await runImport("movies", file("movies.csv", 'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n2,"American President, The (1995)",Comedy|Drama|Romance\n3,Broken,\n'));
    expect(movies).toMatchObject({ rows_loaded: 3, rows_rejected: 0, items_created: 2 });
    const toy = await prisma().externalId.findUniqueOrThrow({ where: { source_value: { source: "movielens", value: "1" } }, include: { item: true } });
    expect(toy.item).toMatchObject({ title: "Toy Story", year: 1995 });
    expect(toy.item.genres).toEqual(["Adventure", "Animation", "Children", "Comedy", "Fantasy"]);
    const president = await prisma().externalId.findUniqueOrThrow({ where: { source_value: { source: "movielens", value: "2" } }, include: { item: true } });
    expect(president.item.title).toBe("The American President");

    // An IMDb item that exists separately (e.g. from MovieTweetings) is merged into the MovieLens one.
    const separate =
      (await prisma().externalId.findUnique({ where: { source_value: { source: "imdb", value: "tt0114709" } }, include: { item: true } }))?.item ??
      (await prisma().item.create({ data: { title: "Toy Story", year: 1995, genres: ["Animation"], externalIds: { create: { source: "imdb", value: "tt0114709" } } } }));
    expect(separate.id).not.toBe(toy.itemId);
    const links = await runImport("links", file("links.csv", "movieId,imdbId,tmdbId\n1,0114709,862\n2,0112346,9087\nx,1,2\n"));
    expect(links).toMatchObject({ rows_loaded: 2, rows_rejected: 1 });
    expect(links.errors[0]).toMatchObject({ line: 4, reason: 'movie id "x" is not a positive integer' });
    const ids = await prisma().externalId.findMany({ where: { itemId: toy.itemId }, orderBy: { source: "asc" } });
    expect(ids.map((i) => `${i.source}:${i.value}`)).toEqual(["imdb:tt0114709", "movielens:1", "tmdb:862"]);
    expect(await prisma().item.findUnique({ where: { id: separate.id } })).toBeNull();
  });

  it("rejects a catalog line holding a NUL byte and loads the others", async () => {
    const movies = await runImport("movies", file("movies-nul.csv", "movieId,title,genres\n901,Good One (1990),Drama\n902,Bad\u0000One (1991),Drama\n903,Other One (1992),Comedy\n"));
    expect(movies).toMatchObject({ rows_loaded: 2, rows_rejected: 1 });
    expect(movies.errors).toEqual([{ line: 3, reason: "contains a NUL byte (0x00), which cannot be stored", text: "902,Bad\u2400One (1991),Drama" }]);
  });

  it("recognises the typed-in demo films by title and year instead of adding them twice, but not when two films share both", async () => {
    const demo = (title: string, year: number, n: number) =>
      prisma().item.create({ data: { title, year, genres: ["Drama"], externalIds: { create: { source: "demo", value: `film-t${n}` } } } });
    const godfather2 = await demo("The Godfather Part II", 1974, 1);
    const heat = await demo("Heat", 1986, 2);
    const before = await prisma().item.count();
    const report = await runImport(
      "movietweetings-movies",
      file("demo-movies.dat", "9990001::The Godfather: Part II (1974)::Crime|Drama\n9990002::Heat (1986)::Action\n9990003::Heat (1986)::Drama\n9990004::Brand New (1999)::Comedy\n"),
    );
    expect(report).toMatchObject({ rows_loaded: 4, items_created: 3 });
    expect(await prisma().item.count()).toBe(before + 3);
    const ids = await prisma().externalId.findMany({ where: { itemId: godfather2.id }, orderBy: { source: "asc" } });
    expect(ids.map((i) => `${i.source}:${i.value}`)).toEqual(["demo:film-t1", "imdb:tt9990001"]);
    expect((await prisma().item.findUniqueOrThrow({ where: { id: godfather2.id } })).title).toBe("The Godfather: Part II");
    // Two Heats of 1986 in the file: which one the demo film is cannot be told, so neither takes it.
    expect(await prisma().externalId.count({ where: { itemId: heat.id } })).toBe(1);
  });

  it("folds a film a ratings file brought first into the demo film its catalog line turns out to be", async () => {
    const demo = await prisma().item.create({ data: { title: "Le Samouraï", year: 1967, genres: ["Crime"], externalIds: { create: { source: "demo", value: "film-t9" } } } });
    const fan = await prisma().user.create({ data: { source: "demo", externalId: "samourai-fan" } });
    await prisma().rating.create({ data: { userId: fan.id, itemId: demo.id, rating: 4, ratedAt: new Date(Date.UTC(2020, 0, 1)) } });
    // ratings.dat first: the film is only an id, so it becomes a placeholder with the ratings.
    const ratings = await runImport("movietweetings-ratings", file("samourai-ratings.dat", `990101::9990062::8::1500000000\n990102::9990062::6::1500000100\n`));
    expect(ratings.rows_loaded).toBe(2);
    const placeholder = await prisma().externalId.findUniqueOrThrow({ where: { source_value: { source: "imdb", value: "tt9990062" } }, include: { item: true } });
    expect(placeholder.item.title).toBe("Unknown title (imdb tt9990062)");
    const items = await prisma().item.count();
    // The ratings versions of the placeholder's raters: the merge changes their ratings (and stored rating lists).
    const raters = async () =>
      (await prisma().user.findMany({ where: { source: "movietweetings", externalId: { in: ["990101", "990102"] } }, orderBy: { externalId: "asc" } })).map((u) => u.ratingsVersion);
    const before = await raters();
    const report = await runImport("movietweetings-movies", file("samourai-movies.dat", "9990062::Le Samourai (1967)::Crime|Drama\n"));
    expect(report).toMatchObject({ rows_loaded: 1, items_created: 0 });
    // One film: the demo one, with both ids, every rating (the demo fan's and the file's two), the placeholder gone.
    expect(await prisma().item.count()).toBe(items - 1);
    expect(await prisma().item.findUnique({ where: { id: placeholder.itemId } })).toBeNull();
    const ids = await prisma().externalId.findMany({ where: { itemId: demo.id }, orderBy: { source: "asc" } });
    expect(ids.map((i) => `${i.source}:${i.value}`)).toEqual(["demo:film-t9", "imdb:tt9990062"]);
    expect(await prisma().rating.count({ where: { itemId: demo.id } })).toBe(3);
    expect((await prisma().item.findUniqueOrThrow({ where: { id: demo.id } })).title).toBe("Le Samourai");
    (await raters()).forEach((version, k) => expect(version).toBeGreaterThan(before[k]));
    // The demo fan rated the film that stays: their ratings did not change.
    expect((await prisma().user.findUniqueOrThrow({ where: { id: fan.id } })).ratingsVersion).toBe(0n);
  });

  it("imports movies_metadata.csv with Python-literal genres, collections and broken rows reported", async () => {
    const header = "adult,belongs_to_collection,budget,genres,homepage,id,imdb_id,original_language,original_title,overview,popularity,poster_path,production_companies,production_countries,release_date,revenue,runtime,spoken_languages,status,tagline,title,video,vote_average,vote_count";
    const row1 = `False,"{'id': 10194, 'name': 'Toy Story Collection'}",30000000,"[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': 'Comedy'}, {'id': 10751, 'name': 'Family'}]",,862,tt0114709,en,Toy Story,"Led by Woody, toys live happily.",21.9,/a.jpg,[],[],1995-10-30,373554033,81.0,[],Released,,Toy Story,False,7.7,5415`;
    const row2 = `False,,65000000,"[{'id': 878, 'name': 'Science Fiction'}]",,999001,tt9999901,en,New Film,"A film, with a comma",1.0,,[],[],2001-05-01,0,90,[],Released,,New Film,False,6,10`;
    const bad = `- Written by Ørnås,0.065736,/ff9qCepilowshEtG2GYWwzt2bs4.jpg,"[{'name': 'Carousel Productions', 'id': 11176}]",1997-08-20,0,104.0,[],Released,,,,,,,,,,,,`;
    const report = await runImport("movies-metadata", file("movies_metadata.csv", [header, row1, row2, bad].join("\n")));
    expect(report.rows_loaded).toBe(2);
    expect(report.rows_rejected).toBe(1);
    const toy = await prisma().externalId.findUniqueOrThrow({ where: { source_value: { source: "tmdb", value: "862" } }, include: { item: true } });
    expect(toy.item).toMatchObject({ title: "Toy Story", series: "Toy Story", overview: "Led by Woody, toys live happily." });
    expect(toy.item.genres).toEqual(["Animation", "Children", "Comedy"]);
    const created = await prisma().externalId.findUniqueOrThrow({ where: { source_value: { source: "imdb", value: "tt9999901" } }, include: { item: true } });
    expect(created.item).toMatchObject({ title: "New Film", year: 2001, genres: ["Sci-Fi"] });
  });
});
