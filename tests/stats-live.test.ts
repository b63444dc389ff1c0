import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as listItems } from "../app/api/v1/items/route";
import { recomputeCatalogStats, weightedScore, type StatsPrior } from "../lib/catalog/stats";
import { prisma } from "../lib/db/client";
import { applyFeedback } from "../lib/feedback/service";
import { useTestDatabase } from "./support/db";
import { call } from "./support/http";

// A film's statistics (count, mean, likes, weighted score) follow one person's rating or like at once, counted into
// item_stats in the write's own transaction, and agree with what the next full statistics run writes.

useTestDatabase();

let prior: StatsPrior;
const films: Record<string, number> = {};
const users: number[] = [];

const stats = async (title: string) => {
  const s = await prisma().itemStats.findUniqueOrThrow({ where: { itemId: films[title] } });
  return { count: s.ratingsCount, mean: s.meanRating, score: s.weightedScore, likes: s.likes };
};

beforeAll(async () => {
  for (const title of ["Heat", "Alien", "Brazil", "Untouched"]) films[title] = (await prisma().item.create({ data: { title, genres: ["Drama"] } })).id;
  for (let i = 0; i < 30; i++) users.push((await prisma().user.create({ data: { source: "test", externalId: `u${i}` } })).id);
  // Heat: 4 ratings of 4; Alien: 2 of 2; Brazil and Untouched: none yet.
  const at = new Date("2026-01-01T00:00:00Z");
  for (const u of users.slice(0, 4)) await prisma().rating.create({ data: { userId: u, itemId: films.Heat, rating: 4, ratedAt: at } });
  for (const u of users.slice(0, 2)) await prisma().rating.create({ data: { userId: u, itemId: films.Alien, rating: 2, ratedAt: at } });
  prior = await recomputeCatalogStats();
});

describe("statistics that follow single writes", () => {
  it("saves the prior the run scored with", async () => {
    const saved = await prisma().statsPrior.findUniqueOrThrow({ where: { id: 1 } });
    expect(saved.globalMean).toBeCloseTo(prior.globalMean, 9);
    expect(saved.minVotes).toBe(prior.minVotes);
    expect(prior.globalMean).toBeCloseTo((4 * 4 + 2 * 2) / 6, 9);
  });

  it("counts a new rating, a changed one and a cleared one into the film's count, mean and score", async () => {
    const u = users[10];
    await applyFeedback(u, { itemId: films.Heat, type: "rate", value: 5 });
    let s = await stats("Heat");
    expect(s.count).toBe(5);
    expect(s.mean).toBeCloseTo((4 * 4 + 5) / 5, 9);
    expect(s.score).toBeCloseTo(weightedScore(5, s.mean, prior), 9);

    await applyFeedback(u, { itemId: films.Heat, type: "rate", value: 1 });
    s = await stats("Heat");
    expect(s.count).toBe(5);
    expect(s.mean).toBeCloseTo((4 * 4 + 1) / 5, 9);

    // A rating older than the one kept changes nothing, here as in the ratings table.
    await applyFeedback(u, { itemId: films.Heat, type: "rate", value: 5, at: new Date("2020-01-01T00:00:00Z") });
    expect((await stats("Heat")).mean).toBeCloseTo((4 * 4 + 1) / 5, 9);

    await applyFeedback(u, { itemId: films.Heat, type: "unrate" });
    s = await stats("Heat");
    expect(s.count).toBe(4);
    expect(s.mean).toBeCloseTo(4, 9);
    expect(s.score).toBeCloseTo(weightedScore(4, 4, prior), 9);
    // Clearing what is not there changes nothing.
    await applyFeedback(u, { itemId: films.Heat, type: "unrate" });
    expect((await stats("Heat")).count).toBe(4);
  });

  it("counts likes given and taken back, once per person however often they are sent", async () => {
    const u = users[11];
    await applyFeedback(u, { itemId: films.Alien, type: "like" });
    await applyFeedback(u, { itemId: films.Alien, type: "like" });
    expect((await stats("Alien")).likes).toBe(1);
    await applyFeedback(u, { itemId: films.Alien, type: "dislike" });
    expect((await stats("Alien")).likes).toBe(0);
    await applyFeedback(u, { itemId: films.Alien, type: "like" });
    await applyFeedback(u, { itemId: films.Alien, type: "unlike" });
    expect((await stats("Alien")).likes).toBe(0);
    // A hide leaves the reaction, and the count, as they are.
    await applyFeedback(u, { itemId: films.Alien, type: "like" });
    await applyFeedback(u, { itemId: films.Alien, type: "hide" });
    expect((await stats("Alien")).likes).toBe(1);
  });

  it("gives a film its first statistics from a single write, and the listing shows them", async () => {
    await prisma().itemStats.deleteMany({ where: { itemId: films.Untouched } });
    await applyFeedback(users[12], { itemId: films.Untouched, type: "rate", value: 3.5 });
    const s = await stats("Untouched");
    expect(s).toMatchObject({ count: 1, mean: 3.5, likes: 0 });
    expect(s.score).toBeCloseTo(weightedScore(1, 3.5, prior), 9);
    const page = await call<{ items: { id: number; stats: { ratings_count: number; mean_rating: number | null } }[] }>(listItems, { path: "/api/v1/items?q=Untouched" });
    expect(page.body.items.find((i) => i.id === films.Untouched)?.stats).toMatchObject({ ratings_count: 1, mean_rating: 3.5 });
  });

  it("puts ratings on another scale into the mean in stars, as the full run does", async () => {
    const mt = await prisma().user.create({ data: { source: "movietweetings", externalId: "mt-live" } });
    await applyFeedback(mt.id, { itemId: films.Brazil, type: "rate", value: 5 }); // 5 out of 10
    expect((await stats("Brazil")).mean).toBeCloseTo(0.5 + 5 * 0.45, 9);
  });

  it("counts writes that arrive at once, each exactly once", async () => {
    const before = await stats("Brazil");
    await Promise.all(users.slice(0, 20).map((u) => applyFeedback(u, { itemId: films.Brazil, type: "like" })));
    await Promise.all(users.slice(0, 20).map((u, i) => applyFeedback(u, { itemId: films.Brazil, type: "rate", value: 1 + (i % 5) })));
    const s = await stats("Brazil");
    expect(s.likes).toBe(before.likes + 20);
    expect(s.count).toBe(before.count + 20);
  });

  it("agrees with the next full run on every film's count, mean and likes", async () => {
    const live = Object.fromEntries(await Promise.all(Object.keys(films).map(async (t) => [t, await stats(t)] as const)));
    const next = await recomputeCatalogStats();
    for (const title of Object.keys(films)) {
      const s = await stats(title);
      expect(live[title].count).toBe(s.count);
      expect(live[title].mean).toBeCloseTo(s.mean, 9);
      expect(live[title].likes).toBe(s.likes);
      expect(s.score).toBeCloseTo(weightedScore(s.count, s.mean, next), 9);
    }
  });
});

describe("the stats_prior migration", () => {
  it("fills the prior from a database's existing statistics, as the full run would have saved it", async () => {
    const dir = readdirSync("prisma/migrations").find((d) => d.endsWith("_stats_prior"));
    const sql = readFileSync(`prisma/migrations/${dir}/migration.sql`, "utf8");
    const fill = sql.slice(sql.indexOf("INSERT INTO"));
    const run = await recomputeCatalogStats();
    await prisma().statsPrior.deleteMany();
    await prisma().$executeRawUnsafe(fill);
    const saved = await prisma().statsPrior.findUniqueOrThrow({ where: { id: 1 } });
    expect(saved.globalMean).toBeCloseTo(run.globalMean, 9);
    expect(saved.minVotes).toBe(run.minVotes);
    // A database with no statistics gets no row (the first run saves one).
    await prisma().statsPrior.deleteMany();
    await prisma().$executeRaw`UPDATE item_stats SET ratings_count = 0`;
    await prisma().$executeRawUnsafe(fill);
    expect(await prisma().statsPrior.count()).toBe(0);
    await recomputeCatalogStats();
  });
});
