import { prisma } from "../db/client";
import { llmStatus } from "./client";

export type LlmPickView = { item: { id: number; title: string; year: number | null; genres: string[] }; reason: string; rank: number; run_id: string; created_at: string };

export async function llmPicksOf(userId: number): Promise<{ items: LlmPickView[]; next_cursor: null; llm: ReturnType<typeof llmStatus>; last_run: { status: string; matched: number; unmatched: number; dropped_seen: number; tokens: number; at: string; error: string | null } | null }> {
  const [picks, last] = await Promise.all([
    prisma().llmPick.findMany({ where: { userId }, orderBy: { rank: "asc" } }),
    prisma().llmUserRun.findFirst({ where: { userId }, orderBy: { createdAt: "desc" } }),
  ]);
  const items = picks.length ? await prisma().item.findMany({ where: { id: { in: picks.map((p) => p.itemId) } }, select: { id: true, title: true, year: true, genres: true } }) : [];
  const byId = new Map(items.map((i) => [i.id, i]));
  return {
    items: picks
      .filter((p) => byId.has(p.itemId))
      .map((p) => ({ item: byId.get(p.itemId) as (typeof items)[number], reason: p.reason, rank: p.rank, run_id: p.runId, created_at: p.createdAt.toISOString() })),
    next_cursor: null,
    llm: llmStatus(),
    last_run: last
      ? { status: last.status, matched: last.matched, unmatched: last.unmatched, dropped_seen: last.droppedSeen, tokens: last.tokens, at: last.createdAt.toISOString(), error: last.error }
      : null,
  };
}
