import type { z } from "zod";
import { prisma } from "../db/client";
import { markCatalogChanged } from "../recs/service";
import type { ItemUpsertSchema } from "../recs/schemas";

// Batch upsert of items by (source, external_id), for programs that keep their own catalog in sync.
export async function upsertItems(items: z.infer<typeof ItemUpsertSchema>[]): Promise<{ created: number; updated: number; items: { id: number; source: string; external_id: string }[] }> {
  let created = 0;
  let updated = 0;
  const out: { id: number; source: string; external_id: string }[] = [];
  // An item listed twice in one batch is one item: its last entry wins, and it counts once.
  const last = new Map(items.map((it) => [`${it.source}\n${it.external_id}`, it]));
  await prisma().$transaction(async (tx) => {
    for (const it of last.values()) {
      const data = { title: it.title, year: it.year ?? null, genres: it.genres, kind: it.kind, artist: it.artist ?? null, series: it.series ?? null };
      const existing = await tx.externalId.findUnique({ where: { source_value: { source: it.source, value: it.external_id } } });
      if (existing) {
        await tx.item.update({ where: { id: existing.itemId }, data });
        updated++;
        out.push({ id: existing.itemId, source: it.source, external_id: it.external_id });
      } else {
        const item = await tx.item.create({ data: { ...data, externalIds: { create: { source: it.source, value: it.external_id } } } });
        created++;
        out.push({ id: item.id, source: it.source, external_id: it.external_id });
      }
    }
  });
  markCatalogChanged();
  return { created, updated, items: out };
}
