import type { Csr } from "./matrix";

// The legacy music service's algorithm: find the users who share the most liked items with you, then count
// what they liked that you have not seen, weighted by how much they share with you.

export function userOverlapScores(
  userItems: Csr,
  itemUsers: Csr,
  liked: number[],
  opts: { neighbors?: number; self?: number; maxLikersPerItem?: number } = {},
): { scores: Float32Array; neighbors: number } {
  const overlap = new Map<number, number>();
  const cap = opts.maxLikersPerItem ?? 5000;
  for (const item of liked) {
    const start = itemUsers.rowPtr[item];
    const end = Math.min(itemUsers.rowPtr[item + 1], start + cap);
    for (let a = start; a < end; a++) {
      const v = itemUsers.colIdx[a];
      if (v === opts.self) continue;
      overlap.set(v, (overlap.get(v) ?? 0) + 1);
    }
  }
  const top = [...overlap.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, opts.neighbors ?? 50);
  const scores = new Float32Array(userItems.cols);
  for (const [v, shared] of top) {
    for (let b = userItems.rowPtr[v]; b < userItems.rowPtr[v + 1]; b++) scores[userItems.colIdx[b]] += shared;
  }
  return { scores, neighbors: top.length };
}
