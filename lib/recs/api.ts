import { z } from "zod";
import type { Principal } from "../api/handler";
import { decodeCursor, encodeCursor } from "../api/pagination";
import { readableUser } from "../ratings/history";
import { assignmentFor, logImpressions } from "../experiments/ab";
import { prisma } from "../db/client";
import { presentRecs, type RecItem } from "./present";
import { cache } from "../cache";
import { jsonBytesOf, textOfJsonBytes, type JsonBytes } from "../cache/bytes";
import { recsCacheKey, topForUser } from "./service";

const OffsetCursor = z.object({ o: z.number().int().min(0).max(1000) });

/** `me`, a numeric id or `source:id`, readable by this principal. */
export async function recsUserId(ref: string, principal: Principal | null): Promise<number> {
  return ref === "me" && principal ? principal.user.id : (await readableUser(ref, principal?.user)).id;
}

export type RecsPage = {
  items: RecItem[];
  next_cursor: string | null;
  cold_start: boolean;
  model_id: number | null;
  variant: { experiment_id: string; name: string } | null;
};

/** One page of a user's recommendations; a page already served since anything changed comes from the cache whole. */
export async function pagedRecommendations(
  userId: number,
  q: { limit: number; cursor?: string; genre?: string; kind?: "movie" | "track" },
  /** Only what people see of their own recommendations counts as an A/B impression. */
  viewerId: number | null = userId,
): Promise<{ hit: boolean; raw: JsonBytes; body: RecsPage }> {
  const offset = decodeCursor(q.cursor, OffsetCursor)?.o ?? 0;
  // Users in a running A/B test get their variant's blend, and what they are shown is counted for it.
  const variant = await assignmentFor(userId);
  const cacheTag = variant ? `ab:${variant.experiment_id}:${variant.name}` : undefined;
  const kind = q.kind ?? "movie";
  const pageKey = `${(await recsCacheKey(userId, { genre: q.genre, kind, cacheTag })).key}:page:${offset}:${q.limit}`;
  const cached = await cache().getRaw(pageKey);
  if (cached !== null) {
    // The API sends `raw` as it is; the page is parsed only when someone reads `body`.
    let parsed: RecsPage | null = null;
    const page = { hit: true, raw: cached, get body(): RecsPage {
      parsed ??= JSON.parse(textOfJsonBytes(cached)) as RecsPage;
      return parsed;
    } };
    if (variant && viewerId === userId) await logImpressions(variant, userId, page.body.items.map((i) => i.item.id));
    return page;
  }
  const { list, hit } = await topForUser(userId, { genre: q.genre, kind, weights: variant?.weights, cacheTag });
  const page = list.items.slice(offset, offset + q.limit);
  const llm = page.some((r) => r.source === "llm")
    ? new Map((await prisma().llmPick.findMany({ where: { userId }, select: { itemId: true, reason: true } })).map((p) => [p.itemId, p.reason]))
    : undefined;
  const items: RecItem[] = await presentRecs(page, list.topGenres, llm);
  if (variant && viewerId === userId) await logImpressions(variant, userId, items.map((i) => i.item.id));
  const body: RecsPage = {
    items,
    next_cursor: offset + q.limit < list.items.length ? encodeCursor({ o: offset + q.limit }) : null,
    cold_start: list.coldStart,
    model_id: list.modelId,
    variant: variant ? { experiment_id: variant.experiment_id, name: variant.name } : null,
  };
  const raw = jsonBytesOf(JSON.stringify(body));
  await cache().setRaw(pageKey, raw, 3600);
  return { hit, raw, body };
}

