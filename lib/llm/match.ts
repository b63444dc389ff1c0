import { prisma } from "../db/client";
import type { Pick } from "./prompt";

// Grounding: every title the model names is looked up in the catalog (trigram similarity over accent-free titles,
// full-text as a second chance, the year when given); whatever is not there is dropped.

const MIN_SIMILARITY = 0.55;

export async function matchTitle(pick: Pick): Promise<{ id: number; title: string; year: number | null } | null> {
  const rows = await prisma().$queryRaw<{ id: number; title: string; year: number | null; s: number }[]>`
    SELECT id, title, year, similarity(lower(unaccent(title)), lower(unaccent(${pick.title}))) AS s
    FROM items
    WHERE kind = 'movie' AND (lower(unaccent(title)) % lower(unaccent(${pick.title}))
       OR to_tsvector('simple', unaccent(title)) @@ plainto_tsquery('simple', unaccent(${pick.title})))
    ORDER BY (CASE WHEN ${pick.year ?? null}::int IS NOT NULL AND year = ${pick.year ?? null}::int THEN 0.3 ELSE 0 END)
             + similarity(lower(unaccent(title)), lower(unaccent(${pick.title}))) DESC, id
    LIMIT 5`;
  for (const r of rows) {
    if (r.s < MIN_SIMILARITY) continue;
    if (pick.year && r.year && Math.abs(r.year - pick.year) > 1) continue;
    return { id: r.id, title: r.title, year: r.year };
  }
  return null;
}
