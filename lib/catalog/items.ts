import { z } from "zod";
import { notFound } from "../api/errors";
import { decodeCursor, encodeCursor, type Page } from "../api/pagination";
import { prisma, Prisma } from "../db/client";
import type { CatalogSort, ItemSearch, ItemView } from "./schemas";

type ItemRow = {
  id: number;
  kind: "movie" | "track";
  title: string;
  year: number | null;
  genres: string[];
  series: string | null;
  artist: string | null;
  ratings_count: number | null;
  mean_rating: number | null;
  weighted_score: number | null;
  likes: number | null;
};

export function toItemView(row: ItemRow, externalIds: Record<string, string> = {}): ItemView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    year: row.year,
    genres: row.genres,
    series: row.series,
    artist: row.artist,
    stats: {
      ratings_count: row.ratings_count ?? 0,
      // The statistics store a mean of 0 for a film nobody rated: no ratings, no mean.
      mean_rating: row.mean_rating === null || !row.ratings_count ? null : Math.round(row.mean_rating * 100) / 100,
      weighted_score: row.weighted_score === null ? null : Math.round(row.weighted_score * 1000) / 1000,
      likes: row.likes ?? 0,
    },
    external_ids: externalIds,
  };
}

const OffsetCursor = z.object({ o: z.number().int().min(0).max(1_000_000) });

/**
 * For a page of the catalog reached with `cursor`: the cursor of the page before it ("" for the first page, which
 * needs none), or null on the first page itself.
 */
export function previousCatalogCursor(cursor: string | undefined, limit: number): string | null {
  const offset = decodeCursor(cursor, OffsetCursor)?.o ?? 0;
  if (offset === 0) return null;
  return offset - limit > 0 ? encodeCursor({ o: offset - limit }) : "";
}

const ORDER: Record<Exclude<CatalogSort, "relevance">, Prisma.Sql> = {
  popular: Prisma.sql`COALESCE(s.ratings_count, 0) DESC, i.id`,
  rating: Prisma.sql`s.weighted_score DESC NULLS LAST, i.id`,
  newest: Prisma.sql`i.year DESC NULLS LAST, i.id`,
  oldest: Prisma.sql`i.year ASC NULLS LAST, i.id`,
  title: Prisma.sql`i.title, i.id`,
};

/** Full-text search with trigram matching for typos, plus genre and year filters. */
/** `unseenBy`: leave out what this user rated or hid (a row picked for them, not the catalog itself). */
export async function searchItems(search: ItemSearch, opts: { unseenBy?: number } = {}): Promise<Page<ItemView>> {
  const offset = decodeCursor(search.cursor, OffsetCursor)?.o ?? 0;
  const q = search.q?.trim() || undefined;
  // The legacy grader's items ("Item g1", made by /add_items) belong to its own endpoints, not to the catalog.
  const where: Prisma.Sql[] = [
    Prisma.sql`i.kind = ${search.kind ?? "movie"}::"ItemKind"`,
    Prisma.sql`NOT EXISTS (SELECT 1 FROM external_ids x WHERE x.item_id = i.id AND x.source = 'legacy')`,
  ];
  if (opts.unseenBy !== undefined) {
    where.push(Prisma.sql`NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = ${opts.unseenBy} AND r.item_id = i.id)`);
    where.push(Prisma.sql`NOT EXISTS (SELECT 1 FROM feedback f WHERE f.user_id = ${opts.unseenBy} AND f.item_id = i.id AND f.hidden)`);
  }
  if (search.genre) where.push(Prisma.sql`${search.genre} = ANY(i.genres)`);
  if (search.year_from !== undefined) where.push(Prisma.sql`i.year >= ${search.year_from}`);
  if (search.year_to !== undefined) where.push(Prisma.sql`i.year <= ${search.year_to}`);
  if (q) {
    where.push(Prisma.sql`(
      to_tsvector('simple', unaccent(i.title)) @@ plainto_tsquery('simple', unaccent(${q}))
      OR unaccent(${q}) <% unaccent(i.title)
      OR i.title ILIKE ${"%" + q.replace(/[\\%_]/g, (c) => "\\" + c) + "%"})`);
  }
  const sort = search.sort ?? (q ? "relevance" : "popular");
  const order =
    sort === "relevance" && q
      ? Prisma.sql`(ts_rank(to_tsvector('simple', unaccent(i.title)), plainto_tsquery('simple', unaccent(${q}))) * 2
          + word_similarity(unaccent(${q}), unaccent(i.title)) + similarity(unaccent(${q}), unaccent(i.title))) DESC,
          COALESCE(s.ratings_count, 0) DESC, i.id`
      : ORDER[sort === "relevance" ? "popular" : sort];
  const rows = await prisma().$queryRaw<ItemRow[]>`
    SELECT i.id, i.kind::text AS kind, i.title, i.year, i.genres, i.series, i.artist,
           s.ratings_count, s.mean_rating, s.weighted_score, s.likes
    FROM items i LEFT JOIN item_stats s ON s.item_id = i.id
    WHERE ${Prisma.join(where, " AND ")}
    ORDER BY ${order}
    LIMIT ${search.limit + 1} OFFSET ${offset}`;
  const page = rows.slice(0, search.limit);
  const ids = await externalIdsByItem(page.map((r) => r.id));
  const items = page.map((r) => toItemView(r, ids.get(r.id)));
  return { items, next_cursor: rows.length > search.limit ? encodeCursor({ o: offset + search.limit }) : null };
}

/**
 * One item; its ratings and likes counted now (a like shows at once), its mean and score from the last statistics
 * run (no mean until that run has seen a rating of it).
 */
export async function getItem(id: number): Promise<ItemView> {
  const rows = await prisma().$queryRaw<ItemRow[]>`
    SELECT i.id, i.kind::text AS kind, i.title, i.year, i.genres, i.series, i.artist,
           (SELECT count(*)::int FROM ratings r WHERE r.item_id = i.id) AS ratings_count,
           CASE WHEN s.ratings_count > 0 THEN s.mean_rating END AS mean_rating, s.weighted_score,
           (SELECT count(*)::int FROM feedback f WHERE f.item_id = i.id AND f.reaction = 'like') AS likes
    FROM items i LEFT JOIN item_stats s ON s.item_id = i.id WHERE i.id = ${id}`;
  if (!rows[0]) throw notFound(`Item ${id}`);
  return toItemView(rows[0], (await externalIdsByItem([id])).get(id));
}

/** Items' ids in other catalogs, one per source (the lowest, in number order, where an item has several). */
async function externalIdsByItem(itemIds: number[]): Promise<Map<number, Record<string, string>>> {
  const byItem = new Map<number, Record<string, string>>();
  if (itemIds.length === 0) return byItem;
  const rows = await prisma().$queryRaw<{ item_id: number; source: string; value: string }[]>`
    SELECT DISTINCT ON (item_id, source) item_id, source, value FROM external_ids
    WHERE item_id = ANY(${itemIds}::int[]) ORDER BY item_id, source, length(value), value`;
  for (const r of rows) {
    const ids = byItem.get(r.item_id) ?? {};
    ids[r.source] = r.value;
    byItem.set(r.item_id, ids);
  }
  return byItem;
}

/** Just an item's id and title (no counting), or 404. */
export async function getItemTitle(id: number): Promise<{ id: number; title: string }> {
  const item = await prisma().item.findUnique({ where: { id }, select: { id: true, title: true } });
  if (!item) throw notFound(`Item ${id}`);
  return item;
}

export async function listGenres(kind: "movie" | "track" = "movie"): Promise<{ genre: string; items: number }[]> {
  const rows = await prisma().$queryRaw<{ genre: string; items: number }[]>`
    SELECT g AS genre, count(*)::int AS items FROM items, unnest(genres) AS g
    WHERE kind = ${kind}::"ItemKind" GROUP BY g ORDER BY g`;
  return rows;
}
