import { z } from "zod";
import { decodeCursor, toPage, type Page } from "../api/pagination";
import { prisma } from "../db/client";

export const ConnectLastfmSchema = z.object({ username: z.string().trim().min(2).max(64).regex(/^[A-Za-z0-9_.-]+$/, { message: "is not a Last.fm username" }) });

export type PlayView = { item: { id: number; title: string; artist: string | null; genres: string[] }; played_at: string };

const Cursor = z.object({ t: z.iso.datetime(), i: z.string().regex(/^\d+$/) });

export async function playsOf(userId: number, q: { limit: number; cursor?: string }): Promise<Page<PlayView>> {
  const after = decodeCursor(q.cursor, Cursor);
  const rows = await prisma().play.findMany({
    where: { userId, ...(after ? { OR: [{ playedAt: { lt: new Date(after.t) } }, { playedAt: new Date(after.t), id: { lt: BigInt(after.i) } }] } : {}) },
    orderBy: [{ playedAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const items = await prisma().item.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.itemId))] } }, select: { id: true, title: true, artist: true, genres: true } });
  const byId = new Map(items.map((i) => [i.id, i]));
  return toPage(
    rows.filter((r) => byId.has(r.itemId)),
    q.limit,
    (r) => ({ item: byId.get(r.itemId) as PlayView["item"], played_at: r.playedAt.toISOString() }),
    (r) => ({ t: r.playedAt.toISOString(), i: String(r.id) }),
  );
}
