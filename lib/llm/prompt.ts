import { z } from "zod";
import { prisma } from "../db/client";
import type { ChatMessage } from "./client";

// What we tell the model about one user: their own likes, dislikes, hides and best ratings, nothing else.

export const PICKS_PER_USER = 10;

export type TasteProfile = { liked: string[]; disliked: string[]; hidden: string[]; topRated: string[] };

const label = (i: { title: string; year: number | null }) => (i.year ? `${i.title} (${i.year})` : i.title);

export async function tasteProfile(userId: number): Promise<TasteProfile> {
  const [feedback, ratings] = await Promise.all([
    prisma().feedback.findMany({ where: { userId }, include: { item: { select: { title: true, year: true } } }, orderBy: { updatedAt: "desc" }, take: 200 }),
    prisma().$queryRaw<{ title: string; year: number | null }[]>`
      SELECT i.title, i.year FROM ratings r JOIN items i ON i.id = r.item_id
      WHERE r.user_id = ${userId} AND r.rating >= 4 ORDER BY r.rating DESC, r.rated_at DESC LIMIT 30`,
  ]);
  return {
    liked: feedback.filter((f) => f.reaction === "like").slice(0, 40).map((f) => label(f.item)),
    disliked: feedback.filter((f) => f.reaction === "dislike").slice(0, 30).map((f) => label(f.item)),
    hidden: feedback.filter((f) => f.hidden).slice(0, 30).map((f) => label(f.item)),
    topRated: ratings.map(label),
  };
}

export function buildPrompt(profile: TasteProfile): ChatMessage[] {
  const list = (name: string, items: string[]) => (items.length ? `${name}:\n${items.map((t) => `- ${t}`).join("\n")}` : `${name}: none`);
  return [
    {
      role: "system",
      content:
        "You recommend feature films. Answer with JSON only, exactly in this shape: " +
        '{"picks": [{"title": "<film title as released>", "year": <release year or null>, "reason": "<one short sentence for this viewer>"}]}. ' +
        `Give ${PICKS_PER_USER} real films the viewer has not listed. No other text.`,
    },
    {
      role: "user",
      content: [
        "Recommend films for this viewer.",
        list("Liked", profile.liked),
        list("Rated highly", profile.topRated),
        list("Disliked", profile.disliked),
        list("Does not want to see", profile.hidden),
      ].join("\n\n"),
    },
  ];
}

export const PicksSchema = z.object({
  picks: z
    .array(
      z.object({
        title: z.string().trim().min(1).max(300),
        year: z.union([z.number().int().min(1870).max(2100), z.null()]).optional(),
        reason: z.string().trim().min(1).max(500),
      }),
    )
    .max(50),
});
export type Pick = z.infer<typeof PicksSchema>["picks"][number];

/** Parses the model's answer, tolerating a fenced code block around the JSON; null when it is not what we asked. */
export function parsePicks(text: string): Pick[] | null {
  const body = text.trim().replace(/^```(?:json)?\s*/i, "").replace(/```$/, "").trim();
  try {
    const parsed = PicksSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.picks : null;
  } catch {
    return null;
  }
}
