import { transpose, type Csr } from "./matrix";

// Item-to-item similarity: cosine over who liked what (co-occurrence / sqrt(n_i · n_j)), with shrinkage so
// pairs seen together by few people count less. Keeps the k nearest neighbours per item; powers
// "more like this" and "because you liked X".

export type ItemKnnModel = { k: number; neighbors: Int32Array; sims: Float32Array };

export function trainItemKnn(implicit: Csr, opts: { k?: number; shrink?: number; maxPerUser?: number } = {}): ItemKnnModel {
  const k = opts.k ?? 50;
  const shrink = opts.shrink ?? 10;
  const maxPerUser = opts.maxPerUser ?? 300;
  const nItems = implicit.cols;
  // Very active users add little signal per pair and a quadratic cost: keep their strongest items only.
  const capped = capRows(implicit, maxPerUser);
  const itemUsers = transpose(capped);
  const degree = new Float32Array(nItems);
  for (let i = 0; i < nItems; i++) degree[i] = itemUsers.rowPtr[i + 1] - itemUsers.rowPtr[i];
  const neighbors = new Int32Array(nItems * k).fill(-1);
  const sims = new Float32Array(nItems * k);
  const co = new Float32Array(nItems);
  const touched = new Int32Array(nItems);
  const heapIdx = new Int32Array(k);
  const heapVal = new Float32Array(k);
  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let a = itemUsers.rowPtr[i]; a < itemUsers.rowPtr[i + 1]; a++) {
      const u = itemUsers.colIdx[a];
      for (let b = capped.rowPtr[u]; b < capped.rowPtr[u + 1]; b++) {
        const j = capped.colIdx[b];
        if (j === i) continue;
        if (co[j] === 0) touched[nTouched++] = j;
        co[j] += 1;
      }
    }
    // top-k by similarity with a small min-heap
    let size = 0;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t];
      const s = co[j] / (Math.sqrt(degree[i] * degree[j]) + shrink);
      co[j] = 0;
      if (size < k) {
        heapIdx[size] = j;
        heapVal[size] = s;
        size++;
        for (let c = size - 1; c > 0; ) {
          const p = (c - 1) >> 1;
          if (heapVal[p] <= heapVal[c]) break;
          swap(heapIdx, heapVal, p, c);
          c = p;
        }
      } else if (s > heapVal[0]) {
        heapIdx[0] = j;
        heapVal[0] = s;
        for (let c = 0; ; ) {
          const l = 2 * c + 1;
          const r = l + 1;
          let m = c;
          if (l < size && heapVal[l] < heapVal[m]) m = l;
          if (r < size && heapVal[r] < heapVal[m]) m = r;
          if (m === c) break;
          swap(heapIdx, heapVal, c, m);
          c = m;
        }
      }
    }
    const order = Array.from({ length: size }, (_, x) => x).sort((x, y) => heapVal[y] - heapVal[x] || heapIdx[x] - heapIdx[y]);
    order.forEach((x, rank) => {
      neighbors[i * k + rank] = heapIdx[x];
      sims[i * k + rank] = heapVal[x];
    });
  }
  return { k, neighbors, sims };
}

function swap(idx: Int32Array, val: Float32Array, a: number, b: number) {
  const ti = idx[a];
  idx[a] = idx[b];
  idx[b] = ti;
  const tv = val[a];
  val[a] = val[b];
  val[b] = tv;
}

function capRows(m: Csr, cap: number): Csr {
  let over = false;
  for (let r = 0; r < m.rows && !over; r++) over = m.rowPtr[r + 1] - m.rowPtr[r] > cap;
  if (!over) return m;
  const rowPtr = new Int32Array(m.rows + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    const start = m.rowPtr[r];
    const end = m.rowPtr[r + 1];
    let picks = Array.from({ length: end - start }, (_, x) => start + x);
    if (picks.length > cap) picks = picks.sort((a, b) => m.values[b] - m.values[a] || a - b).slice(0, cap).sort((a, b) => m.colIdx[a] - m.colIdx[b]);
    for (const k of picks) {
      cols.push(m.colIdx[k]);
      vals.push(m.values[k]);
    }
    rowPtr[r + 1] = cols.length;
  }
  return { rows: m.rows, cols: m.cols, rowPtr, colIdx: Int32Array.from(cols), values: Float32Array.from(vals) };
}

/** Items like this one, best first. */
export function similarItems(model: ItemKnnModel, item: number, limit: number): { item: number; score: number }[] {
  const out: { item: number; score: number }[] = [];
  for (let r = 0; r < model.k && out.length < limit; r++) {
    const j = model.neighbors[item * model.k + r];
    if (j < 0) break;
    out.push({ item: j, score: model.sims[item * model.k + r] });
  }
  return out;
}

/** Scores for one user from the items they liked (weighted), remembering which liked item contributed most. */
export function itemKnnScores(model: ItemKnnModel, liked: { item: number; weight: number }[], nItems: number): { scores: Float32Array; because: Int32Array } {
  const scores = new Float32Array(nItems);
  const best = new Float32Array(nItems);
  const because = new Int32Array(nItems).fill(-1);
  for (const { item, weight } of liked) {
    for (let r = 0; r < model.k; r++) {
      const j = model.neighbors[item * model.k + r];
      if (j < 0) break;
      const contribution = weight * model.sims[item * model.k + r];
      scores[j] += contribution;
      if (contribution > best[j]) {
        best[j] = contribution;
        because[j] = item;
      }
    }
  }
  return { scores, because };
}
