import { createHash } from "node:crypto";
import { prisma } from "../db/client";
import type { Weights } from "../recs/recommend";
import type { AbConfig } from "./schemas";

// Online A/B tests: each user lands in one variant for good (a hash of experiment and user), sees that variant's
// blend, and every impression, click and like is counted against it.

export type Assignment = { experiment_id: string; name: string; weights: Partial<Weights> };

type Running = { id: string; config: AbConfig };
// On globalThis, so that starting or stopping a test is seen at once by both copies of this module in the production
// server (Next's bundle and the fast lane's, lib/http/fast-lane.ts).
const memo = globalThis as unknown as { tastebudAbTest?: { value: Running | null; at: number } | null };

/** The A/B test now running, if any (re-read at most every few seconds). */
export async function runningAbTest(): Promise<Running | null> {
  const checked = memo.tastebudAbTest;
  if (checked && Date.now() - checked.at < 5000) return checked.value;
  const exp = await prisma().experiment.findFirst({ where: { kind: "ab", status: "running" }, orderBy: { createdAt: "desc" } });
  memo.tastebudAbTest = { value: exp ? { id: exp.id, config: exp.config as unknown as AbConfig } : null, at: Date.now() };
  return memo.tastebudAbTest.value;
}

export function forgetRunningAbTest(): void {
  memo.tastebudAbTest = null;
}

export function assignVariant(experimentId: string, userId: number, variants: AbConfig["variants"]): AbConfig["variants"][number] {
  const h = createHash("sha256").update(`${experimentId}:${userId}`).digest();
  return variants[h.readUInt32BE(0) % variants.length];
}

export async function assignmentFor(userId: number): Promise<Assignment | null> {
  const test = await runningAbTest();
  if (!test) return null;
  const v = assignVariant(test.id, userId, test.config.variants);
  return { experiment_id: test.id, name: v.name, weights: v.weights };
}

export async function logImpressions(a: Pick<Assignment, "experiment_id" | "name">, userId: number, itemIds: number[]): Promise<void> {
  if (itemIds.length === 0) return;
  await prisma().abEvent.createMany({ data: itemIds.map((itemId) => ({ experimentId: a.experiment_id, variant: a.name, userId, itemId, type: "impression" })) });
}

/** A click or like on an item the user was shown in the running test counts for the variant that showed it. */
export async function logOutcome(userId: number, itemId: number, type: "click" | "like"): Promise<void> {
  const test = await runningAbTest();
  if (!test) return;
  const shown = await prisma().abEvent.findFirst({ where: { experimentId: test.id, userId, itemId, type: "impression" }, orderBy: { id: "desc" } });
  if (!shown) return;
  await prisma().abEvent.create({ data: { experimentId: test.id, variant: shown.variant, userId, itemId, type } });
}

export type Rate = { count: number; rate: number; low: number; high: number };
export type VariantResult = { variant: string; users: number; impressions: number; ctr: Rate; like_rate: Rate };
export type Comparison = { metric: "ctr" | "like_rate"; variant: string; against: string; difference: number; z: number; p_value: number; significant: boolean };

/** Wilson score interval at 95%. */
export function wilson(successes: number, trials: number): { rate: number; low: number; high: number } {
  if (trials === 0) return { rate: 0, low: 0, high: 0 };
  const z = 1.959964;
  const p = successes / trials;
  const denom = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denom;
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function normalCdf(x: number): number {
  // Abramowitz & Stegun 7.1.26
  const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Two-proportion z-test, two-sided. */
export function twoProportionTest(s1: number, n1: number, s2: number, n2: number): { z: number; p: number } {
  if (n1 === 0 || n2 === 0) return { z: 0, p: 1 };
  const pooled = (s1 + s2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (s2 / n2 - s1 / n1) / se;
  return { z, p: 2 * (1 - normalCdf(Math.abs(z))) };
}

export async function abResults(experimentId: string, config: AbConfig): Promise<{ variants: VariantResult[]; comparisons: Comparison[] }> {
  const rows = await prisma().$queryRaw<{ variant: string; type: string; n: number; users: number }[]>`
    SELECT variant, type, count(*)::int AS n, count(DISTINCT user_id)::int AS users FROM ab_events WHERE experiment_id = ${experimentId}::uuid GROUP BY variant, type`;
  const get = (v: string, t: string) => rows.find((r) => r.variant === v && r.type === t);
  const variants = config.variants.map((v) => {
    const impressions = get(v.name, "impression")?.n ?? 0;
    const clicks = get(v.name, "click")?.n ?? 0;
    const likes = get(v.name, "like")?.n ?? 0;
    return {
      variant: v.name,
      users: get(v.name, "impression")?.users ?? 0,
      impressions,
      ctr: { count: clicks, ...wilson(clicks, impressions) },
      like_rate: { count: likes, ...wilson(likes, impressions) },
    };
  });
  const control = variants[0];
  const comparisons: Comparison[] = [];
  for (const v of variants.slice(1)) {
    for (const metric of ["ctr", "like_rate"] as const) {
      const t = twoProportionTest(control[metric].count, control.impressions, v[metric].count, v.impressions);
      comparisons.push({ metric, variant: v.variant, against: control.variant, difference: v[metric].rate - control[metric].rate, z: t.z, p_value: t.p, significant: t.p < 0.05 });
    }
  }
  return { variants, comparisons };
}
