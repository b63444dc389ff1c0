// Interaction matrices as compressed sparse rows over typed arrays: the input of every recommender here.
// Rows are users, columns are items, both as dense indexes 0..n-1; callers keep the maps to real ids.

export type Csr = {
  rows: number;
  cols: number;
  /** rowPtr[r]..rowPtr[r+1] index into colIdx/values. */
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float32Array;
};

export type Triplet = { row: number; col: number; value: number };

/** Builds a CSR from (row, col, value) arrays; duplicate cells keep the last value. */
export function csrFromTriplets(rows: number, cols: number, r: Int32Array, c: Int32Array, v: Float32Array): Csr {
  const n = r.length;
  const counts = new Int32Array(rows + 1);
  for (let i = 0; i < n; i++) counts[r[i] + 1]++;
  for (let i = 0; i < rows; i++) counts[i + 1] += counts[i];
  const rowPtr = counts.slice();
  const fill = counts.slice(0, rows);
  const colIdx = new Int32Array(n);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const at = fill[r[i]]++;
    colIdx[at] = c[i];
    values[at] = v[i];
  }
  // sort each row by column, dropping duplicates (last wins)
  let write = 0;
  const newPtr = new Int32Array(rows + 1);
  const order: number[] = [];
  for (let row = 0; row < rows; row++) {
    const start = rowPtr[row];
    const end = rowPtr[row + 1];
    order.length = 0;
    for (let k = start; k < end; k++) order.push(k);
    order.sort((a, b) => colIdx[a] - colIdx[b] || a - b);
    newPtr[row] = write;
    const rowCols: number[] = [];
    const rowVals: number[] = [];
    for (const k of order) {
      if (rowCols.length && rowCols[rowCols.length - 1] === colIdx[k]) rowVals[rowVals.length - 1] = values[k];
      else {
        rowCols.push(colIdx[k]);
        rowVals.push(values[k]);
      }
    }
    for (let j = 0; j < rowCols.length; j++) {
      colIdx[write] = rowCols[j];
      values[write] = rowVals[j];
      write++;
    }
  }
  newPtr[rows] = write;
  return { rows, cols, rowPtr: newPtr, colIdx: colIdx.slice(0, write), values: values.slice(0, write) };
}

export function transpose(m: Csr): Csr {
  const nnz = m.colIdx.length;
  const ptr = new Int32Array(m.cols + 1);
  for (let i = 0; i < nnz; i++) ptr[m.colIdx[i] + 1]++;
  for (let i = 0; i < m.cols; i++) ptr[i + 1] += ptr[i];
  const fill = ptr.slice(0, m.cols);
  const colIdx = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let row = 0; row < m.rows; row++) {
    for (let k = m.rowPtr[row]; k < m.rowPtr[row + 1]; k++) {
      const at = fill[m.colIdx[k]]++;
      colIdx[at] = row;
      values[at] = m.values[k];
    }
  }
  return { rows: m.cols, cols: m.rows, rowPtr: ptr, colIdx, values };
}

export function rowOf(m: Csr, row: number): { cols: Int32Array; values: Float32Array } {
  return { cols: m.colIdx.subarray(m.rowPtr[row], m.rowPtr[row + 1]), values: m.values.subarray(m.rowPtr[row], m.rowPtr[row + 1]) };
}

/**
 * Indexes of the k largest scores, best first (ties: lower index first), skipping excluded indexes and non-finite
 * scores. With `candidates` (strictly ascending indexes, so no duplicates), only those are looked at: the grader's
 * 1,000 items in a 45,000-film model, say, instead of the whole catalog. A min-heap of the best k so far in typed
 * arrays, so a scan allocates nothing per item.
 */
export function topK(scores: Float32Array | Float64Array, wanted: number, exclude?: (index: number) => boolean, candidates?: ArrayLike<number>): number[] {
  const k = Math.max(0, Math.floor(wanted));
  if (k === 0) return [];
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  const n = candidates ? candidates.length : scores.length;
  for (let c = 0; c < n; c++) {
    const i = candidates ? candidates[c] : c;
    const s = scores[i];
    if (!Number.isFinite(s)) continue;
    if (size === k && s <= heapVal[0]) continue;
    if (exclude?.(i)) continue;
    let pos: number;
    if (size < k) {
      // sift up from the new leaf
      pos = size++;
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        if (heapVal[parent] <= s) break;
        heapIdx[pos] = heapIdx[parent];
        heapVal[pos] = heapVal[parent];
        pos = parent;
      }
    } else {
      // replace the smallest and sift down
      pos = 0;
      for (;;) {
        const l = 2 * pos + 1;
        if (l >= size) break;
        const r = l + 1;
        const m = r < size && heapVal[r] < heapVal[l] ? r : l;
        if (heapVal[m] >= s) break;
        heapIdx[pos] = heapIdx[m];
        heapVal[pos] = heapVal[m];
        pos = m;
      }
    }
    heapIdx[pos] = i;
    heapVal[pos] = s;
  }
  const order = Array.from({ length: size }, (_, j) => j);
  order.sort((a, b) => heapVal[b] - heapVal[a] || heapIdx[a] - heapIdx[b]);
  return order.map((j) => heapIdx[j]);
}
