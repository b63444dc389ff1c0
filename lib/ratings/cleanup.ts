import type { Prisma } from "../db/client";
import { raiseRatingsVersions } from "./lists";

// `ratings` has no foreign keys (bulk COPY speed), so whoever deletes users or items deletes their ratings too,
// in the same transaction, and with them what is derived from them: the stored rating lists (lib/ratings/lists.ts) of
// the users deleted, and, for the users who rated a deleted item, their ratings version (which makes their lists stale).
export async function deleteRatingsOf(tx: Prisma.TransactionClient, where: { userIds?: number[]; itemIds?: number[] }): Promise<number> {
  let n = 0;
  if (where.userIds?.length) {
    n += await tx.$executeRaw`DELETE FROM ratings WHERE user_id = ANY(${where.userIds}::int[])`;
    await tx.$executeRaw`DELETE FROM rating_lists WHERE user_id = ANY(${where.userIds}::int[])`;
  }
  if (where.itemIds?.length) {
    await tx.$executeRawUnsafe(raiseRatingsVersions("SELECT user_id FROM ratings WHERE item_id = ANY($1::int[])"), where.itemIds);
    n += await tx.$executeRaw`DELETE FROM ratings WHERE item_id = ANY(${where.itemIds}::int[])`;
  }
  return n;
}
