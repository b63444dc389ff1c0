import { beforeAll, describe, expect, it } from "vitest";
import { GET as listItems } from "../app/api/v1/items/route";
import { GET as getItemRoute } from "../app/api/v1/items/[id]/route";
import { searchItems } from "../lib/catalog/items";
import { recomputeCatalogStats } from "../lib/catalog/stats";
import { prisma } from "../lib/db/client";
import { useTestDatabase } from "./support/db";
import { call, expectProblem } from "./support/http";

useTestDatabase();

type ItemsPage = { items: { id: number; title: string; year: number; genres: string[]; stats: { ratings_count: number } }[]; next_cursor: string | null };

const FIXTURE = [
  ["The Godfather", 1972, ["Crime", "Drama"]],
  ["The Godfather Part II", 1974, ["Crime", "Drama"]],
  ["Amélie", 2001, ["Comedy", "Romance"]],
  ["Alien", 1979, ["Horror", "Sci-Fi"]],
  ["Aliens", 1986, ["Action", "Sci-Fi"]],
  ["Toy Story", 1995, ["Animation", "Children", "Comedy"]],
  ["Heat", 1995, ["Action", "Crime", "Thriller"]],
] as const;

beforeAll(async () => {
  for (const [title, year, genres] of FIXTURE) await prisma().item.create({ data: { title, year, genres: [...genres] } });
  const user = await prisma().user.create({ data: { source: "test", externalId: "1" } });
  const alien = await prisma().item.findFirstOrThrow({ where: { title: "Alien" } });
  await prisma().rating.create({ data: { userId: user.id, itemId: alien.id, rating: 5, ratedAt: new Date() } });
  // MovieTweetings rates out of 10: an 8 and a 10 there are 4.1 and 5 stars here.
  const heat = await prisma().item.findFirstOrThrow({ where: { title: "Heat" } });
  for (const [id, rating] of [["mt1", 8], ["mt2", 10]] as const) {
    const mt = await prisma().user.create({ data: { source: "movietweetings", externalId: id } });
    await prisma().rating.create({ data: { userId: mt.id, itemId: heat.id, rating, ratedAt: new Date() } });
  }
  await recomputeCatalogStats();
});

const search = (query: string) => call<ItemsPage>(listItems, { path: `/api/v1/items?${query}` });

describe("catalog search", () => {
  it("finds a title despite a typo (trigram)", async () => {
    const res = await search("q=godfater");
    expect(res.status).toBe(200);
    expect(res.body.items[0].title).toBe("The Godfather");
  });

  it("matches words regardless of accents and case", async () => {
    expect((await search("q=amelie")).body.items.map((i) => i.title)).toEqual(["Amélie"]);
    expect((await search("q=HEAT")).body.items[0].title).toBe("Heat");
  });

  it("filters by genre and year range", async () => {
    const res = await search("genre=Sci-Fi&year_from=1980&year_to=1990");
    expect(res.body.items.map((i) => i.title)).toEqual(["Aliens"]);
    const crime = await search("genre=Crime&sort=oldest");
    expect(crime.body.items.map((i) => i.year)).toEqual([1972, 1974, 1995]);
  });

  it("pages with an opaque cursor until the end, without repeats", async () => {
    const seen: number[] = [];
    let cursor: string | null = "";
    let pages = 0;
    while (cursor !== null) {
      const res: Awaited<ReturnType<typeof search>> = await search(`limit=3&sort=title${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...res.body.items.map((i) => i.id));
      cursor = res.body.next_cursor;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(FIXTURE.length);
  });

  it("leaves out what a person rated or hid from a row picked for them, and only from that", async () => {
    const person = await prisma().user.create({ data: { source: "test", externalId: "picky" } });
    const [godfather, part2] = await Promise.all(["The Godfather", "The Godfather Part II"].map((title) => prisma().item.findFirstOrThrow({ where: { title } })));
    await prisma().rating.create({ data: { userId: person.id, itemId: godfather.id, rating: 4, ratedAt: new Date() } });
    await prisma().feedback.create({ data: { userId: person.id, itemId: part2.id, hidden: true } });
    const titles = async (opts?: { unseenBy?: number }) => (await searchItems({ genre: "Crime", sort: "rating", limit: 10 }, opts)).items.map((i) => i.title).sort();
    expect(await titles()).toEqual(["Heat", "The Godfather", "The Godfather Part II"]);
    expect(await titles({ unseenBy: person.id })).toEqual(["Heat"]);
  });

  it("lists each item with its ids in other catalogs, as its own page does (the lowest where a source has two)", async () => {
    const heat = await prisma().item.findFirstOrThrow({ where: { title: "Heat" } });
    await prisma().externalId.createMany({ data: [{ source: "imdb", value: "tt0113277", itemId: heat.id }, { source: "movielens", value: "60", itemId: heat.id }, { source: "movielens", value: "6", itemId: heat.id }] });
    const listed = (await search("q=Heat")).body.items.find((i) => i.id === heat.id) as { external_ids: Record<string, string> } | undefined;
    const own = await call<{ external_ids: Record<string, string> }>(getItemRoute, { params: { id: String(heat.id) } });
    expect(listed?.external_ids).toMatchObject({ imdb: "tt0113277", movielens: "6" });
    expect(listed?.external_ids).toEqual(own.body.external_ids);
    await prisma().externalId.deleteMany({ where: { itemId: heat.id, source: { in: ["imdb", "movielens"] } } });
  });

  it("sorts by popularity using the statistics", async () => {
    const res = await search("sort=popular&limit=1");
    expect(res.body.items[0]).toMatchObject({ title: "Heat", stats: { ratings_count: 2 } });
  });

  it("rejects bad parameters with 400 problem+json", async () => {
    expectProblem(await search("year_from=2000&year_to=1990"), 400, "validation_failed");
    expectProblem(await search("limit=0"), 400, "validation_failed");
    expectProblem(await search("limit=abc"), 400, "validation_failed");
    expectProblem(await search("sort=sideways"), 400, "validation_failed");
    expectProblem(await search("cursor=not-a-cursor"), 400, "invalid_cursor");
  });
});

describe("item details", () => {
  it("returns one item with its statistics", async () => {
    const alien = await prisma().item.findFirstOrThrow({ where: { title: "Alien" } });
    const res = await call(getItemRoute, { params: { id: String(alien.id) } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: "Alien", year: 1979, genres: ["Horror", "Sci-Fi"], stats: { ratings_count: 1, mean_rating: 5 } });
  });

  it("takes an id of decimal digits only, and says once what is wrong with another", async () => {
    const alien = await prisma().item.findFirstOrThrow({ where: { title: "Alien" } });
    expect((await call(getItemRoute, { params: { id: `00${alien.id}` } })).status).toBe(200);
    for (const id of [`0x${alien.id.toString(16)}`, `${alien.id}.0`, "1e1", "-5", "0", "99999999999999999999", ""]) {
      const res = await call<{ errors: { path: string; message: string }[] }>(getItemRoute, { params: { id } });
      expectProblem(res, 400, "validation_failed");
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].path).toBe("path.id");
    }
  });

  it("counts an item's likes and ratings at once, before the statistics run again", async () => {
    const alien = await prisma().item.findFirstOrThrow({ where: { title: "Alien" } });
    const fan = await prisma().user.create({ data: { source: "test", externalId: "fan" } });
    await prisma().feedback.create({ data: { userId: fan.id, itemId: alien.id, reaction: "like" } });
    await prisma().rating.create({ data: { userId: fan.id, itemId: alien.id, rating: 4, ratedAt: new Date() } });
    const res = await call<{ stats: { ratings_count: number; likes: number; mean_rating: number } }>(getItemRoute, { params: { id: String(alien.id) } });
    expect(res.body.stats).toMatchObject({ ratings_count: 2, likes: 1, mean_rating: 5 });
    await prisma().rating.delete({ where: { userId_itemId: { userId: fan.id, itemId: alien.id } } });
  });

  it("shows no mean for a film the statistics have not seen rated yet, whatever its live count", async () => {
    const toy = await prisma().item.findFirstOrThrow({ where: { title: "Toy Story" } });
    const fan = await prisma().user.create({ data: { source: "test", externalId: "toy-fan" } });
    await prisma().rating.create({ data: { userId: fan.id, itemId: toy.id, rating: 4, ratedAt: new Date() } });
    const res = await call<{ stats: { ratings_count: number; mean_rating: number | null } }>(getItemRoute, { params: { id: String(toy.id) } });
    expect(res.body.stats).toMatchObject({ ratings_count: 1, mean_rating: null });
    await prisma().rating.delete({ where: { userId_itemId: { userId: fan.id, itemId: toy.id } } });
  });

  it("leaves a rating whose user is gone (its scale unknown) out of the mean", async () => {
    const amelie = await prisma().item.findFirstOrThrow({ where: { title: "Amélie" } });
    await prisma().$executeRaw`INSERT INTO ratings (user_id, item_id, rating, rated_at) VALUES (987654321, ${amelie.id}, 3, now())`;
    try {
      await recomputeCatalogStats();
      const res = await call<{ stats: { ratings_count: number; mean_rating: number | null } }>(getItemRoute, { params: { id: String(amelie.id) } });
      expect(res.body.stats).toMatchObject({ ratings_count: 1, mean_rating: null });
    } finally {
      await prisma().$executeRaw`DELETE FROM ratings WHERE user_id = 987654321`;
      await recomputeCatalogStats();
    }
  });

  it("gives means in stars whatever scale the ratings came on", async () => {
    const heat = await prisma().item.findFirstOrThrow({ where: { title: "Heat" } });
    const res = await call<{ stats: { ratings_count: number; mean_rating: number } }>(getItemRoute, { params: { id: String(heat.id) } });
    expect(res.body.stats.ratings_count).toBe(2);
    expect(res.body.stats.mean_rating).toBeCloseTo((0.5 + 8 * 0.45 + 5) / 2, 5);
  });

  it("answers 404 for an unknown id and 400 for a non-numeric one", async () => {
    expectProblem(await call(getItemRoute, { params: { id: "999999" } }), 404, "not_found");
    expectProblem(await call(getItemRoute, { params: { id: "abc" } }), 400, "validation_failed");
    expectProblem(await call(getItemRoute, { params: { id: "-1" } }), 400, "validation_failed");
  });
});
