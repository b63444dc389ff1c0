import { beforeAll, describe, expect, it } from "vitest";
import { GET as cleanupGet, POST as cleanupPost } from "../app/api/v1/cleanup/route";
import { POST as addItemsRoute } from "../app/api/v1/add_items/route";
import { POST as interactRoute } from "../app/api/v1/interact/route";
import { GET as legacyRecsRoute } from "../app/api/v1/recs/[user_id]/route";
import { GET as recsRoute } from "../app/api/v1/users/[id]/recommendations/route";
import { GET as similarRoute } from "../app/api/v1/items/[id]/similar/route";
import { GET as popularRoute } from "../app/api/v1/popular/route";
import { POST as eventsRoute } from "../app/api/v1/events/route";
import { GET as statesRoute, POST as feedbackRoute } from "../app/api/v1/me/feedback/route";
import { GET as hiddenRoute } from "../app/api/v1/me/hidden/route";
import { GET as historyRoute } from "../app/api/v1/users/[id]/ratings/route";
import { GET as profileRoute } from "../app/api/v1/users/[id]/profile/route";
import { GET as searchRoute, POST as upsertItemsRoute } from "../app/api/v1/items/route";
import { POST as exchange } from "../app/api/v1/auth/token/route";
import { ensureAdmin, registerUser } from "../lib/auth/users";
import { recomputeCatalogStats } from "../lib/catalog/stats";
import { prisma } from "../lib/db/client";
import { cache } from "../lib/cache";
import { RATINGS_EPOCH_KEY } from "../lib/ratings/cache-keys";
import { retrainAndStore, forgetModel } from "../lib/recs/service";
import { useTestDatabase } from "./support/db";
import { seedSyntheticCatalog } from "./support/catalog";
import { call, expectProblem } from "./support/http";

useTestDatabase();

let admin = "";
let alice = "";
let aliceId = 0;
let bob = "";
const token = async (email: string, scopes: string[]) =>
  (await call<{ token: string }>(exchange, { method: "POST", body: { email, password: "correct horse", scopes } })).body.token;

type RecsBody = { items: { item: { id: number; title: string; genres: string[] }; reason: string; source: string; score: number }[]; next_cursor: string | null; cold_start: boolean };

beforeAll(async () => {
  await ensureAdmin("admin@example.com", "correct horse");
  aliceId = (await registerUser({ email: "alice@example.com", password: "correct horse" })).id;
  await registerUser({ email: "bob@example.com", password: "correct horse" });
  admin = await token("admin@example.com", ["admin"]);
  alice = await token("alice@example.com", ["read", "write"]);
  bob = await token("bob@example.com", ["read", "write"]);
  // A small catalog with taste structure: 60 films in 4 genres, 300 synthetic viewers.
  await seedSyntheticCatalog({ films: 60, users: 300, genres: ["Comedy", "Horror", "Drama", "Sci-Fi"], seed: 5, userPrefix: "d", series: (i) => (i % 20 === 0 ? "Saga" : null) });
  await recomputeCatalogStats();
  await retrainAndStore({ factors: 8, iterations: 5 });
  forgetModel();
}, 60_000);

describe("recommendations API", () => {
  it("gives a cold-start user popular items, then reacts to a like on the very next request", async () => {
    const cold = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" }, path: "/api/v1/users/me/recommendations?limit=10" });
    expect(cold.status).toBe(200);
    expect(cold.body.cold_start).toBe(true);
    expect(cold.body.items[0].reason).toMatch(/^Popular in /);
    const comedy = await prisma().item.findMany({ where: { genres: { has: "Comedy" } }, take: 3 });
    for (const c of comedy) {
      const r = await call(feedbackRoute, { method: "POST", token: alice, body: { item_id: c.id, type: "like" } });
      expect(r.body).toMatchObject({ item_id: c.id, reaction: "like", hidden: false });
    }
    const warm = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" }, path: "/api/v1/users/me/recommendations?limit=10" });
    expect(warm.body.cold_start).toBe(false);
    const ids = warm.body.items.map((r) => r.item.id);
    for (const c of comedy) expect(ids).not.toContain(c.id);
    expect(warm.body.items.every((r) => /^(Because you liked Film \d+|People with your taste liked it|Because you like \w+|Popular in \w+)$/.test(r.reason))).toBe(true);
    expect(warm.body.items.filter((r) => r.source !== "popularity").length).toBeGreaterThan(5);
    const deeper = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" }, path: "/api/v1/users/me/recommendations?limit=60" });
    expect(deeper.body.items.some((r) => r.reason.startsWith("Because you liked Film"))).toBe(true);
    const comedyShare = warm.body.items.filter((r) => r.item.genres.includes("Comedy")).length / warm.body.items.length;
    expect(comedyShare).toBeGreaterThanOrEqual(0.5);
  });

  it("hides an item at once, lists it as hidden, and brings it back on undo", async () => {
    const before = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" } });
    const victim = before.body.items[0].item.id;
    await call(feedbackRoute, { method: "POST", token: alice, body: { item_id: victim, type: "hide" } });
    const after = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" } });
    expect(after.body.items.map((r) => r.item.id)).not.toContain(victim);
    const hidden = await call<{ items: { id: number }[] }>(hiddenRoute, { token: alice });
    expect(hidden.body.items.map((h) => h.id)).toEqual([victim]);
    await call(feedbackRoute, { method: "POST", token: alice, body: { item_id: victim, type: "unhide" } });
    const undone = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" } });
    expect(undone.body.items.map((r) => r.item.id)).toContain(victim);
  });

  it("pages the hidden list newest first, a film hidden between pages neither repeated nor skipped", async () => {
    const dana = await token("alice@example.com", ["read", "write"]); // alice has nothing hidden now
    const films = (await prisma().item.findMany({ take: 6, orderBy: { id: "desc" }, select: { id: true } })).map((f) => f.id);
    for (const id of films.slice(0, 5)) await call(feedbackRoute, { method: "POST", token: dana, body: { item_id: id, type: "hide" } });
    const page = (cursor?: string | null) => call<{ items: { id: number }[]; next_cursor: string | null }>(hiddenRoute, { token: dana, path: `/api/v1/me/hidden?limit=2${cursor ? `&cursor=${cursor}` : ""}` });
    const all = (await call<{ items: { id: number; hidden_at: string }[] }>(hiddenRoute, { token: dana, path: "/api/v1/me/hidden?limit=100" })).body.items;
    expect(all.map((h) => h.id).sort()).toEqual(films.slice(0, 5).sort());
    expect(all.map((h) => h.hidden_at)).toEqual(all.map((h) => h.hidden_at).sort().reverse());
    const first = await page();
    expect(first.body.items.map((h) => h.id)).toEqual(all.slice(0, 2).map((h) => h.id));
    await call(feedbackRoute, { method: "POST", token: dana, body: { item_id: films[5], type: "hide" } });
    const second = await page(first.body.next_cursor);
    const third = await page(second.body.next_cursor);
    expect([...second.body.items, ...third.body.items].map((h) => h.id)).toEqual(all.slice(2).map((h) => h.id));
    expect(third.body.next_cursor).toBeNull();
    expectProblem(await page("nonsense"), 400, "invalid_cursor");
    for (const id of films) await call(feedbackRoute, { method: "POST", token: dana, body: { item_id: id, type: "unhide" } });
  });

  it("clears a rating: gone from the history and the profile at once, recommendable again, and an older clear keeps a newer rating", async () => {
    const carolId = (await registerUser({ email: "carol@example.com", password: "correct horse" })).id;
    const carol = await token("carol@example.com", ["read", "write"]);
    const listed = async () =>
      (await call<RecsBody>(recsRoute, { token: carol, params: { id: "me" }, path: "/api/v1/users/me/recommendations?limit=60" })).body.items.map((r) => r.item.id);
    const myRatings = async () => {
      const res = await call<{ items: { item_id: number }[] }>(historyRoute, { token: carol, params: { id: "me" } });
      return { ids: res.body.items.map((r) => r.item_id), cache: res.headers.get("x-cache") };
    };
    const film = await prisma().item.findFirstOrThrow({ where: { title: "Film 12" } });
    const rated = await call(feedbackRoute, { method: "POST", token: carol, body: { item_id: film.id, type: "rate", value: 4 } });
    expect(rated.body).toMatchObject({ item_id: film.id, rating: 4 });
    expect(await listed()).not.toContain(film.id);
    expect((await myRatings()).ids).toContain(film.id);
    expect((await myRatings()).cache).toBe("HIT");
    const profileBefore = await call<{ ratings_count: number }>(profileRoute, { token: carol, params: { id: "me" } });

    // A value sent along with a clear is not kept as if it were a rating.
    const cleared = await call(feedbackRoute, { method: "POST", token: carol, body: { item_id: film.id, type: "unrate", value: 3 } });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ item_id: film.id, reaction: null, hidden: false, rating: null });
    expect(await myRatings()).toEqual({ ids: expect.not.arrayContaining([film.id]), cache: "MISS" });
    const profileAfter = await call<{ ratings_count: number }>(profileRoute, { token: carol, params: { id: "me" } });
    expect(profileAfter.body.ratings_count).toBe(profileBefore.body.ratings_count - 1);
    expect(await listed()).toContain(film.id);
    expect(await prisma().event.findFirst({ where: { userId: carolId, itemId: film.id }, orderBy: { id: "desc" } })).toMatchObject({ type: "unrate", value: null });

    // The newest wins whatever the order: a clear stamped before the rating it meets (a late retry) leaves the rating,
    // and a rating stamped before a clear does not bring it back, even in the same batch. (The page's clear above was
    // stamped with the server's clock, so the times here are a little ahead of it.)
    const now = Math.floor(Date.now() / 1000) + 5;
    const rating = () => prisma().rating.findUnique({ where: { userId_itemId: { userId: carolId, itemId: film.id } } });
    await call(eventsRoute, { method: "POST", token: carol, body: [{ item_id: film.id, type: "rate", value: 2, timestamp: now }] });
    await call(eventsRoute, { method: "POST", token: carol, body: [{ item_id: film.id, type: "unrate", timestamp: now - 60 }] });
    expect(await rating()).toMatchObject({ rating: 2 });
    const late = await call(eventsRoute, {
      method: "POST",
      token: carol,
      body: [
        { item_id: film.id, type: "unrate", timestamp: now + 20 },
        { item_id: film.id, type: "rate", value: 1, timestamp: now + 10 },
      ],
    });
    expect(late.status).toBe(202);
    expect(await rating()).toBeNull();
    await call(eventsRoute, { method: "POST", token: carol, body: [{ item_id: film.id, type: "rate", value: 3, timestamp: now + 30 }] });
    expect(await rating()).toMatchObject({ rating: 3 });
    // Clearing what was never rated changes nothing and is not an error.
    const never = await prisma().item.findFirstOrThrow({ where: { title: "Film 13" } });
    expect((await call(feedbackRoute, { method: "POST", token: carol, body: { item_id: never.id, type: "unrate" } })).body).toMatchObject({ rating: null });
  });

  it("filters by genre, pages with a cursor, and serves repeat requests from the cache", async () => {
    const drama = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" }, path: "/api/v1/users/me/recommendations?genre=Drama&limit=5" });
    expect(drama.body.items.length).toBeGreaterThan(0);
    expect(drama.body.items.every((r) => r.item.genres.includes("Drama"))).toBe(true);
    const p1 = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" }, path: "/api/v1/users/me/recommendations?limit=4" });
    const p2 = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" }, path: `/api/v1/users/me/recommendations?limit=4&cursor=${p1.body.next_cursor}` });
    expect(p2.headers.get("x-cache")).toBe("HIT");
    const overlap = p2.body.items.filter((r) => p1.body.items.some((q) => q.item.id === r.item.id));
    expect(overlap).toHaveLength(0);
  });

  it("keeps one series from filling the page", async () => {
    const res = await call<RecsBody>(recsRoute, { params: { id: "demo:d1" }, path: "/api/v1/users/demo:d1/recommendations?limit=20" });
    const saga = res.body.items.filter((r) => r.item.title === "Film 0" || r.item.title === "Film 20" || r.item.title === "Film 40");
    expect(saga.length).toBeLessThanOrEqual(2);
  });

  it("never recommends what an imported user already rated", async () => {
    const user = await prisma().user.findUniqueOrThrow({ where: { source_externalId: { source: "demo", externalId: "d7" } } });
    const rated = new Set((await prisma().rating.findMany({ where: { userId: user.id } })).map((r) => r.itemId));
    const res = await call<RecsBody>(recsRoute, { params: { id: "demo:d7" }, path: "/api/v1/users/demo:d7/recommendations?limit=50" });
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.filter((r) => rated.has(r.item.id))).toHaveLength(0);
  });

  it("answers sensibly for bad and unknown users and private accounts", async () => {
    expectProblem(await call(recsRoute, { params: { id: "me" } }), 401);
    expectProblem(await call(recsRoute, { params: { id: "drop table" } }), 400);
    expectProblem(await call(recsRoute, { params: { id: "demo:nobody" } }), 404);
    expectProblem(await call(recsRoute, { token: bob, params: { id: String(aliceId) } }), 404);
    expect((await call(recsRoute, { token: admin, params: { id: String(aliceId) } })).status).toBe(200);
    expectProblem(await call(recsRoute, { token: alice, params: { id: "me" }, path: "/api/v1/users/me/recommendations?cursor=zzz" }), 400);
  });

  it("serves more-like-this and popular lists", async () => {
    const film = await prisma().item.findFirstOrThrow({ where: { title: "Film 1" } });
    const similar = await call<{ items: { item: { id: number }; reason: string }[] }>(similarRoute, { params: { id: String(film.id) } });
    expect(similar.body.items.length).toBeGreaterThan(0);
    expect(similar.body.items[0].reason).toBe("Similar to Film 1");
    expect(similar.body.items.map((s) => s.item.id)).not.toContain(film.id);
    expectProblem(await call(similarRoute, { params: { id: "999999" } }), 404);
    // Paged: three at a time read the same list as one page.
    const whole = similar.body.items.map((s) => s.item.id);
    const paged: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { item: { id: number } }[]; next_cursor: string | null } } = await call(similarRoute, { params: { id: String(film.id) }, path: `/api/v1/items/${film.id}/similar?limit=3${cursor ? `&cursor=${cursor}` : ""}` });
      paged.push(...res.body.items.map((s) => s.item.id));
      cursor = res.body.next_cursor;
    } while (cursor && paged.length < whole.length);
    expect(paged.slice(0, whole.length)).toEqual(whole);
    const popular = await call<{ items: { genres: string[] }[] }>(popularRoute, { path: "/api/v1/popular?genre=Horror&limit=3" });
    expect(popular.body.items).toHaveLength(3);
    expect(popular.body.items.every((i) => i.genres.includes("Horror"))).toBe(true);
  });
});

describe("POST /api/v1/events", () => {
  it("applies a batch once per Idempotency-Key and replays the first answer", async () => {
    const film = await prisma().item.findFirstOrThrow({ where: { title: "Film 5" } });
    const batch = [{ item_id: film.id, type: "view" }, { item_id: film.id, type: "rate", value: 4.5 }];
    const first = await call(eventsRoute, { method: "POST", token: bob, body: batch, headers: { "idempotency-key": "batch-1" } });
    expect(first.status).toBe(202);
    const again = await call(eventsRoute, { method: "POST", token: bob, body: batch, headers: { "idempotency-key": "batch-1" } });
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const bobUser = await prisma().user.findUniqueOrThrow({ where: { email: "bob@example.com" } });
    expect(await prisma().event.count({ where: { userId: bobUser.id } })).toBe(2);
    expect(await prisma().rating.findUnique({ where: { userId_itemId: { userId: bobUser.id, itemId: film.id } } })).toMatchObject({ rating: 4.5 });
    const reused = await call(eventsRoute, { method: "POST", token: bob, body: [{ item_id: film.id, type: "like" }], headers: { "idempotency-key": "batch-1" } });
    expectProblem(reused, 422);
  });

  it("rejects a batch with an unknown item as a whole, and other people's user ids", async () => {
    const bobUser = await prisma().user.findUniqueOrThrow({ where: { email: "bob@example.com" } });
    const before = await prisma().event.count({ where: { userId: bobUser.id } });
    const film = await prisma().item.findFirstOrThrow({ where: { title: "Film 6" } });
    expectProblem(await call(eventsRoute, { method: "POST", token: bob, body: [{ item_id: film.id, type: "like" }, { item_id: 99999999, type: "like" }] }), 422);
    expect(await prisma().event.count({ where: { userId: bobUser.id } })).toBe(before);
    expectProblem(await call(eventsRoute, { method: "POST", token: bob, body: [{ user_id: aliceId, item_id: film.id, type: "like" }] }), 403);
    expectProblem(await call(eventsRoute, { method: "POST", token: bob, body: [{ item_id: film.id, type: "rate", value: 7 }] }), 400);
    expectProblem(await call(eventsRoute, { method: "POST", token: bob, body: [] }), 400);
    const readOnly = await token("bob@example.com", ["read"]);
    expectProblem(await call(eventsRoute, { method: "POST", token: readOnly, body: [{ item_id: film.id, type: "like" }] }), 403);
    const states = await call<{ items: { item_id: number; reaction: string | null }[] }>(statesRoute, { token: bob, path: `/api/v1/me/feedback?item_ids=${film.id}` });
    expect(states.body.items).toEqual([{ item_id: film.id, reaction: null, hidden: false, rating: null }]);
  });

  it("lets an admin batch-upsert items by external id", async () => {
    const res = await call<{ created: number; updated: number }>(upsertItemsRoute, { method: "POST", token: admin, body: [{ source: "shop", external_id: "sku-1", title: "Shop Film", genres: ["Drama"] }] });
    expect(res.body).toMatchObject({ created: 1, updated: 0 });
    const again = await call<{ created: number; updated: number }>(upsertItemsRoute, { method: "POST", token: admin, body: [{ source: "shop", external_id: "sku-1", title: "Shop Film (restored)", genres: ["Drama"] }] });
    expect(again.body).toMatchObject({ created: 0, updated: 1 });
    // Listed twice in one batch: one item, counted once, its last entry kept.
    const twice = await call<{ created: number; updated: number; items: { id: number }[] }>(upsertItemsRoute, {
      method: "POST",
      token: admin,
      body: [{ source: "shop", external_id: "sku-2", title: "First" }, { source: "shop", external_id: "sku-2", title: "Second" }],
    });
    expect(twice.body).toMatchObject({ created: 1, updated: 0 });
    expect(twice.body.items).toHaveLength(1);
    expect((await prisma().item.findUniqueOrThrow({ where: { id: twice.body.items[0].id } })).title).toBe("Second");
    expectProblem(await call(upsertItemsRoute, { method: "POST", token: alice, body: [{ external_id: "x", title: "x" }] }), 403);
  });
});

describe("the grader's old contract", () => {
  it("cleanup, 200 items with genres, five Comedy likes and two Horror dislikes: the next /recs is mostly Comedy and new", async () => {
    process.env.ALLOW_CLEANUP = "true";
    const epoch = await cache().get(RATINGS_EPOCH_KEY);
    expect((await call(cleanupGet, { token: admin })).status).toBe(200);
    // The cleanup deleted ratings too: cached rating histories are read again.
    expect(await cache().get(RATINGS_EPOCH_KEY)).not.toBe(epoch);
    const ids = Array.from({ length: 200 }, (_, i) => `g-item-${i}`);
    const genres = ids.map((_, i) => (i % 2 === 0 ? ["Comedy"] : ["Horror"]));
    const added = await call(addItemsRoute, { method: "POST", body: { item_ids: ids, genres } });
    expect(added.status).toBe(200);
    const liked = [0, 2, 4, 6, 8].map((i) => ids[i]);
    const disliked = [1, 3].map((i) => ids[i]);
    const res = await call(interactRoute, { method: "POST", body: { user_id: "grader-user", item_ids: [...liked, ...disliked], actions: ["like", "like", "like", "like", "like", "dislike", "dislike"], timestamp: Date.now() / 1000 } });
    expect(res.status).toBe(200);
    const recs = await call<{ item_ids: string[] }>(legacyRecsRoute, { params: { user_id: "grader-user" } });
    expect(recs.status).toBe(200);
    expect(Object.keys(recs.body)).toEqual(["item_ids"]);
    expect(recs.body.item_ids.length).toBeGreaterThanOrEqual(10);
    for (const seen of [...liked, ...disliked]) expect(recs.body.item_ids).not.toContain(seen);
    const top = recs.body.item_ids.slice(0, 20);
    const comedy = top.filter((id) => Number(id.split("-")[2]) % 2 === 0).length;
    expect(comedy / top.length).toBeGreaterThanOrEqual(0.8);
    expect(recs.body.item_ids.every((id) => ids.includes(id))).toBe(true);
    // The grader's items stay out of the catalog people browse, liked or not.
    const listed = await call<{ items: { title: string }[] }>(searchRoute, { path: "/api/v1/items?q=Item%20g-item-0&limit=100" });
    expect(listed.body.items.filter((i) => i.title.startsWith("Item g-item-"))).toEqual([]);
    const popular = await call<{ items: { title: string }[] }>(popularRoute, { path: "/api/v1/popular?genre=Comedy&limit=100" });
    expect(popular.body.items.filter((i) => i.title.startsWith("Item g-item-"))).toEqual([]);
    // Nor are they recommended to people: the grader's users alone get them.
    const forAlice = await call<RecsBody>(recsRoute, { token: alice, params: { id: "me" }, path: "/api/v1/users/me/recommendations?limit=100" });
    expect(forAlice.body.items.filter((r) => r.item.title.startsWith("Item g-item-"))).toEqual([]);
  });

  it("refuses cleanup without an admin token or when not enabled, and answers bad input clearly", async () => {
    expectProblem(await call(cleanupPost, { method: "POST" }), 401);
    expectProblem(await call(cleanupPost, { method: "POST", token: alice }), 403, "insufficient_scope");
    process.env.ALLOW_CLEANUP = "false";
    expectProblem(await call(cleanupPost, { method: "POST", token: admin }), 403, "forbidden");
    process.env.ALLOW_CLEANUP = "true";
    expectProblem(await call(addItemsRoute, { method: "POST", body: { item_ids: ["a", "b"], genres: [["Comedy"]] } }), 400);
    expectProblem(await call(interactRoute, { method: "POST", body: { user_id: "u", item_ids: ["a"], actions: ["like", "dislike"] } }), 400);
    expectProblem(await call(interactRoute, { method: "POST", body: { user_id: "u", item_ids: ["a"], actions: ["love"] } }), 400);
    const unknown = await call<{ item_ids: string[] }>(legacyRecsRoute, { params: { user_id: "never-seen" } });
    expect(unknown.status).toBe(200);
    expect(unknown.body.item_ids.length).toBeGreaterThan(0);
  });

  it("answers an empty list after a cleanup empties the catalog", async () => {
    await call(cleanupPost, { method: "POST", token: admin });
    const recs = await call<{ item_ids: string[] }>(legacyRecsRoute, { params: { user_id: "grader-user" } });
    expect(recs.body).toEqual({ item_ids: [] });
    expect(await prisma().user.count({ where: { source: "legacy" } })).toBe(0);
    expect(await prisma().item.count({ where: { title: { startsWith: "Film" } } })).toBe(60);
  });
});
