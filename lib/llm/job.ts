import { z } from "zod";
import { envNumber } from "../config";
import { prisma } from "../db/client";
import { log } from "../log";
import { invalidateUserRecs } from "../recs/service";
import { defineJob, type Json } from "../jobs/types";
import { llmClient, llmStatus, type LlmClient } from "./client";
import { matchTitle } from "./match";
import { buildPrompt, parsePicks, tasteProfile, type Pick } from "./prompt";

// The periodic LLM job: for each user with new feedback since their last run, ask the model for films, ground
// every title in the catalog, and store what matched with the model's reason. One durable step per user, a few
// at a time; one user's failure is recorded and the others go on; the run stops at its token budget.

export const llmLimits = () => ({
  maxUsers: envNumber("LLM_MAX_USERS_PER_RUN", 50),
  maxTokensPerRun: envNumber("LLM_MAX_TOKENS_PER_RUN", 200_000),
  maxTokensPerAnswer: envNumber("LLM_MAX_TOKENS_PER_ANSWER", 1200),
  concurrency: envNumber("LLM_CONCURRENCY", 3),
});

export type UserOutcome = { user_id: number; status: "ok" | "failed" | "skipped"; matched: number; unmatched: number; dropped_seen: number; tokens: number; error?: string };

export async function usersWithNewFeedback(limit: number): Promise<number[]> {
  const rows = await prisma().$queryRaw<{ user_id: number }[]>`
    SELECT e.user_id FROM events e
    WHERE e.type IN ('like', 'dislike', 'unlike', 'hide', 'unhide', 'rate', 'unrate')
    GROUP BY e.user_id
    HAVING max(e.created_at) > COALESCE((SELECT max(r.created_at) FROM llm_user_runs r WHERE r.user_id = e.user_id AND r.status = 'ok'), '-infinity'::timestamptz)
    ORDER BY max(e.created_at) DESC LIMIT ${limit}`;
  return rows.map((r) => r.user_id);
}

async function askModel(client: LlmClient, userId: number, maxTokens: number): Promise<{ picks: Pick[]; tokens: number }> {
  const messages = buildPrompt(await tasteProfile(userId));
  const first = await client.complete(messages, { maxTokens });
  let tokens = first.tokens;
  let picks = parsePicks(first.text);
  if (!picks) {
    // One more chance, showing the model its own answer and the shape we need.
    const retry = await client.complete(
      [...messages, { role: "assistant", content: first.text.slice(0, 2000) }, { role: "user", content: 'That was not valid JSON of the shape {"picks": [{"title", "year", "reason"}]}. Answer again with that JSON only.' }],
      { maxTokens },
    );
    tokens += retry.tokens;
    picks = parsePicks(retry.text);
  }
  if (!picks) throw Object.assign(new Error("the model answered twice with malformed JSON"), { tokens });
  return { picks, tokens };
}

export async function picksForUser(client: LlmClient, runId: string, userId: number, maxTokens: number): Promise<UserOutcome> {
  const outcome: UserOutcome = { user_id: userId, status: "ok", matched: 0, unmatched: 0, dropped_seen: 0, tokens: 0 };
  try {
    const { picks, tokens } = await askModel(client, userId, maxTokens);
    outcome.tokens = tokens;
    const [rated, fb] = await Promise.all([
      prisma().rating.findMany({ where: { userId }, select: { itemId: true } }),
      prisma().feedback.findMany({ where: { userId }, select: { itemId: true, reaction: true, hidden: true } }),
    ]);
    const seen = new Set([...rated.map((r) => r.itemId), ...fb.filter((f) => f.reaction !== null || f.hidden).map((f) => f.itemId)]);
    const chosen = new Map<number, string>();
    for (const pick of picks) {
      const item = await matchTitle(pick);
      if (!item) outcome.unmatched++;
      else if (seen.has(item.id) || chosen.has(item.id)) outcome.dropped_seen++;
      else chosen.set(item.id, pick.reason);
    }
    outcome.matched = chosen.size;
    await prisma().$transaction([
      prisma().llmPick.deleteMany({ where: { userId } }),
      prisma().llmPick.createMany({ data: [...chosen].map(([itemId, reason], rank) => ({ userId, itemId, rank, reason, runId })) }),
      prisma().llmUserRun.upsert({
        where: { userId_runId: { userId, runId } },
        create: { userId, runId, status: "ok", matched: outcome.matched, unmatched: outcome.unmatched, droppedSeen: outcome.dropped_seen, tokens: outcome.tokens },
        update: {},
      }),
    ]);
    await invalidateUserRecs(userId);
  } catch (err) {
    outcome.status = "failed";
    outcome.error = (err as Error).message.slice(0, 300);
    outcome.tokens = Math.max(outcome.tokens, (err as { tokens?: number }).tokens ?? 0);
    log.warn({ userId, err: outcome.error }, "LLM picks failed for a user");
    await prisma().llmUserRun.upsert({
      where: { userId_runId: { userId, runId } },
      create: { userId, runId, status: "failed", tokens: outcome.tokens, error: outcome.error },
      update: {},
    });
  }
  return outcome;
}

export const llmPicksJob = defineJob({
  kind: "llm-picks",
  title: "AI picks",
  description: "Asks the language model for films per user with new feedback and matches them to the catalog.",
  payload: z.object({ user_ids: z.array(z.number().int().positive()).max(1000).optional() }),
  retries: 2,
  concurrency: 1,
  cron: process.env.LLM_CRON || "0 * * * *",
  startableBy: "admin",
  timeoutSeconds: 60 * 60,
  async run({ jobId, payload, step, progress }) {
    const client = await llmClient();
    // The jobs list shows the summary: say why nothing ran rather than "Done".
    if (!client) {
      const status = llmStatus();
      return { skipped: "No language model is configured", summary: `Skipped: no language model is configured (${status.enabled ? "it could not be reached" : status.reason})` };
    }
    const limits = llmLimits();
    const users = await step.run("select-users", async () => payload.user_ids ?? (await usersWithNewFeedback(limits.maxUsers)));
    const outcomes: UserOutcome[] = [];
    let tokens = 0;
    for (let i = 0; i < users.length; i += limits.concurrency) {
      const chunk = users.slice(i, i + limits.concurrency);
      if (tokens >= limits.maxTokensPerRun) {
        outcomes.push(...chunk.map((u) => ({ user_id: u, status: "skipped" as const, matched: 0, unmatched: 0, dropped_seen: 0, tokens: 0, error: "token budget for this run used up" })));
        continue;
      }
      const done = await Promise.all(chunk.map((u) => step.run(`user-${u}`, async () => (await picksForUser(client, jobId, u, limits.maxTokensPerAnswer)) as unknown as Json)));
      for (const o of done as unknown as UserOutcome[]) {
        outcomes.push(o);
        tokens += o.tokens;
      }
      await progress(Math.round(((i + chunk.length) / users.length) * 100), `Asked the model for ${i + chunk.length} of ${users.length} users · ${tokens.toLocaleString("en")} tokens`);
    }
    const sum = (f: (o: UserOutcome) => number) => outcomes.reduce((s, o) => s + f(o), 0);
    const matched = sum((o) => o.matched);
    return {
      summary: `${users.length} users · ${tokens.toLocaleString("en")} tokens · ${matched} matched · ${sum((o) => o.unmatched)} unmatched · ${sum((o) => o.dropped_seen)} already seen · ${outcomes.filter((o) => o.status === "failed").length} failed`,
      provider: client.provider,
      model: client.model,
      users: users.length,
      ok: outcomes.filter((o) => o.status === "ok").length,
      failed: outcomes.filter((o) => o.status === "failed").length,
      skipped: outcomes.filter((o) => o.status === "skipped").length,
      tokens,
      matched,
      unmatched: sum((o) => o.unmatched),
      dropped_seen: sum((o) => o.dropped_seen),
      outcomes,
    } as unknown as Json;
  },
});
