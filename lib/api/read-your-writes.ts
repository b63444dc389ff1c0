import { cache } from "../cache";
import { usesReplicas, withPrimary, withReplicaReads } from "../db/client";

// With read replicas, the API's reads may use them. A write request reads the primary throughout (it reads what it has just written), and the
// same caller's next requests do too for a few seconds: the job they started, the like they gave, the grader's
// /interact before its /recs are there when they look, whatever the replicas' lag.
const STICKY_SECONDS = 5;
const keyOf = (caller: string) => `primary-reads:v1:${caller}`;

export async function readingOwnWrites<T>(caller: string, write: boolean, fn: () => Promise<T>): Promise<T> {
  if (!usesReplicas()) return fn();
  if (!write) return (await cache().get(keyOf(caller))) ? withPrimary(fn) : withReplicaReads(fn);
  try {
    return await withPrimary(fn);
  } finally {
    await cache().set(keyOf(caller), 1, STICKY_SECONDS);
  }
}
