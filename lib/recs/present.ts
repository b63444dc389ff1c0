import { prisma } from "../db/client";
import type { StoredRec } from "./service";

// Turns stored recommendations into what people and programs see: the item, the score, and the reason.

export type RecItem = {
  item: { id: number; title: string; year: number | null; genres: string[] };
  score: number;
  source: StoredRec["source"];
  reason: string;
};

export function reasonFor(rec: StoredRec, titles: Map<number, string>, topGenres: string[], llmReasons?: Map<number, string>): string {
  switch (rec.source) {
    case "item_knn":
    case "als": {
      const title = rec.because !== null ? titles.get(rec.because) : undefined;
      return title ? `Because you liked ${title}` : "Matches your taste";
    }
    case "user_overlap":
      return "People with your taste liked it";
    case "content": {
      const g = topGenres.find((t) => t === rec.genre) ?? rec.genre ?? topGenres[0];
      return g ? `Because you like ${g}` : "Close to what you like";
    }
    case "llm":
      return `AI pick: ${llmReasons?.get(rec.id) ?? "suggested for you"}`;
    default:
      return rec.genre ? `Popular in ${rec.genre}` : "Popular right now";
  }
}

export async function presentRecs(recs: StoredRec[], topGenres: string[], llmReasons?: Map<number, string>): Promise<RecItem[]> {
  const ids = [...new Set([...recs.map((r) => r.id), ...recs.map((r) => r.because).filter((b): b is number => b !== null)])];
  const rows = ids.length ? await prisma().item.findMany({ where: { id: { in: ids } }, select: { id: true, title: true, year: true, genres: true } }) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const titles = new Map(rows.map((r) => [r.id, r.title]));
  return recs
    .filter((r) => byId.has(r.id))
    .map((r) => {
      const item = byId.get(r.id) as (typeof rows)[number];
      return { item, score: r.score, source: r.source, reason: reasonFor(r, titles, topGenres, llmReasons) };
    });
}
