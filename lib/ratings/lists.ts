import { prisma } from "../db/client";

// A user's ratings as one row (rating_lists, kept by triggers on ratings and by the bulk loaders), and the item ids
// of one external namespace kept in memory: together they answer the old /rates/{uid} with two index lookups instead
// of reading a thousand rating rows and a thousand external ids.

/** A user's ratings as parallel arrays, in no particular order, and the catalog's external-id version. */
export type RatingList = { items: number[]; ratings: number[]; ratedMs: number[]; catalogVersion: bigint };

export async function readRatingList(userId: number): Promise<RatingList> {
  const [row] = await prisma().$queryRaw<{ item_ids: number[] | null; ratings: number[] | null; rated_ms: number[] | null; version: bigint }[]>`
    SELECT l.item_ids, l.ratings, l.rated_at_ms::float8[] AS rated_ms, v.external_ids AS version
    FROM catalog_versions v LEFT JOIN rating_lists l ON l.user_id = ${userId} WHERE v.id = 1`;
  return { items: row?.item_ids ?? [], ratings: row?.ratings ?? [], ratedMs: row?.rated_ms ?? [], catalogVersion: row?.version ?? 0n };
}

/** A list's positions, oldest first, ties by item id. */
export function oldestFirst(list: Pick<RatingList, "items" | "ratedMs">): number[] {
  const { items, ratedMs } = list;
  return Array.from(items, (_, j) => j).sort((a, b) => ratedMs[a] - ratedMs[b] || items[a] - items[b]);
}

/** An external id as the old API printed it: IMDb's tt0114709 as 114709, numeric ids as numbers. */
export function legacyExternalId(namespace: string, value: string): number | string {
  if (namespace === "imdb" && /^tt\d+$/.test(value)) return Number(value.slice(2));
  return /^\d+$/.test(value) ? Number(value) : value;
}

type Namespace = { version: bigint; ids: Map<number, number | string> };
// Per process, on globalThis: the production server's fast lane and Next's bundle each load this module.
const store = globalThis as unknown as { tastebudLegacyIds?: Map<string, Promise<Namespace>> };

/**
 * Item id -> external id in `namespace` (the lowest value when an item has several), read again whenever the
 * catalog's external-id version moved past the copy held.
 */
export async function externalIdsOf(namespace: string, version: bigint): Promise<Map<number, number | string>> {
  const held = (store.tastebudLegacyIds ??= new Map());
  const current = held.get(namespace);
  if (current) {
    const ns = await current.catch(() => null);
    if (ns && ns.version >= version) return ns.ids;
    if (held.get(namespace) !== current) return externalIdsOf(namespace, version);
  }
  const loading = (async (): Promise<Namespace> => {
    const rows = await prisma().$queryRaw<{ item_id: number; value: string; version: bigint }[]>`
      SELECT e.item_id, e.value, v.external_ids AS version FROM catalog_versions v
      LEFT JOIN external_ids e ON e.source = ${namespace} WHERE v.id = 1 ORDER BY e.item_id, e.value DESC`;
    const ids = new Map<number, number | string>();
    for (const r of rows) if (r.item_id !== null) ids.set(r.item_id, legacyExternalId(namespace, r.value));
    return { version: rows[0]?.version ?? version, ids };
  })();
  held.set(namespace, loading);
  loading.catch(() => held.get(namespace) === loading && held.delete(namespace));
  return (await loading).ids;
}
