import type { Prisma } from "../db/client";

// `ratings` has no foreign keys (bulk COPY speed), so whoever deletes users or items deletes their ratings too,
// in the same transaction.
export async function deleteRatingsOf(tx: Prisma.TransactionClient, where: { userIds?: number[]; itemIds?: number[] }): Promise<number> {
  let n = 0;
  if (where.userIds?.length) n += await tx.$executeRaw`DELETE FROM ratings WHERE user_id = ANY(${where.userIds}::int[])`;
  if (where.itemIds?.length) n += await tx.$executeRaw`DELETE FROM ratings WHERE item_id = ANY(${where.itemIds}::int[])`;
  return n;
}
