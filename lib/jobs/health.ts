import { inngestEnabled } from "../config";
import { prisma } from "../db/client";

/** Which engine runs jobs, and whether it is reachable. */
export async function jobsHealth(): Promise<string> {
  if (inngestEnabled()) return "inngest";
  const rows = await prisma().$queryRaw<{ ok: boolean }[]>`SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`;
  if (!rows[0]?.ok) throw new Error("the embedded job runner has not started yet");
  return "embedded";
}
