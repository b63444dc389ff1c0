import { seededRandom } from "../random";
import { transpose, type Csr } from "./matrix";

// Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008), solved with a few conjugate-gradient
// steps per row (Takács et al. 2011) instead of a k×k inverse, so a training pass costs O(nnz·k).
// The matrix values are confidences c_ui >= 1 for observed (user, item) pairs; unobserved pairs have c = 1, p = 0.

export type AlsModel = { factors: number; userFactors: Float32Array; itemFactors: Float32Array };
export type AlsOptions = { factors?: number; regularization?: number; iterations?: number; cgSteps?: number; seed?: number; onIteration?: (i: number) => void };

export function trainAls(userItems: Csr, opts: AlsOptions = {}): AlsModel {
  const f = opts.factors ?? 32;
  const reg = opts.regularization ?? 0.1;
  const iterations = opts.iterations ?? 10;
  const cgSteps = opts.cgSteps ?? 3;
  const rnd = seededRandom(opts.seed ?? 7);
  const itemUsers = transpose(userItems);
  const X = new Float32Array(userItems.rows * f);
  const Y = new Float32Array(userItems.cols * f);
  for (let i = 0; i < X.length; i++) X[i] = (rnd.next() - 0.5) * 0.01;
  for (let i = 0; i < Y.length; i++) Y[i] = (rnd.next() - 0.5) * 0.01;
  for (let it = 0; it < iterations; it++) {
    leastSquaresCg(userItems, X, Y, f, reg, cgSteps);
    leastSquaresCg(itemUsers, Y, X, f, reg, cgSteps);
    opts.onIteration?.(it);
  }
  return { factors: f, userFactors: X, itemFactors: Y };
}

function gramian(Y: Float32Array, f: number, reg: number): Float64Array {
  const G = new Float64Array(f * f);
  const n = Y.length / f;
  for (let i = 0; i < n; i++) {
    const o = i * f;
    for (let a = 0; a < f; a++) {
      const ya = Y[o + a];
      if (ya === 0) continue;
      for (let b = a; b < f; b++) G[a * f + b] += ya * Y[o + b];
    }
  }
  for (let a = 0; a < f; a++) {
    for (let b = 0; b < a; b++) G[a * f + b] = G[b * f + a];
    G[a * f + a] += reg;
  }
  return G;
}

function leastSquaresCg(C: Csr, X: Float32Array, Y: Float32Array, f: number, reg: number, steps: number): void {
  const YtY = gramian(Y, f, reg);
  const x = new Float64Array(f);
  const r = new Float64Array(f);
  const p = new Float64Array(f);
  const Ap = new Float64Array(f);
  for (let u = 0; u < C.rows; u++) {
    const start = C.rowPtr[u];
    const end = C.rowPtr[u + 1];
    for (let a = 0; a < f; a++) x[a] = X[u * f + a];
    solveRow(C, start, end, Y, f, YtY, x, r, p, Ap, steps);
    for (let a = 0; a < f; a++) X[u * f + a] = x[a];
  }
}

function solveRow(
  C: Csr,
  start: number,
  end: number,
  Y: Float32Array,
  f: number,
  YtY: Float64Array,
  x: Float64Array,
  r: Float64Array,
  p: Float64Array,
  Ap: Float64Array,
  steps: number,
): void {
  // r = Yᵀ C p - (YᵀY + Yᵀ(C - I)Y) x, computed without forming the matrices
  for (let a = 0; a < f; a++) {
    let s = 0;
    for (let b = 0; b < f; b++) s += YtY[a * f + b] * x[b];
    r[a] = -s;
  }
  for (let k = start; k < end; k++) {
    const i = C.colIdx[k];
    const conf = C.values[k];
    const o = i * f;
    let yx = 0;
    for (let a = 0; a < f; a++) yx += Y[o + a] * x[a];
    const w = conf - (conf - 1) * yx;
    for (let a = 0; a < f; a++) r[a] += w * Y[o + a];
  }
  for (let a = 0; a < f; a++) p[a] = r[a];
  let rsOld = 0;
  for (let a = 0; a < f; a++) rsOld += r[a] * r[a];
  if (rsOld < 1e-20) return;
  for (let step = 0; step < steps; step++) {
    for (let a = 0; a < f; a++) {
      let s = 0;
      for (let b = 0; b < f; b++) s += YtY[a * f + b] * p[b];
      Ap[a] = s;
    }
    for (let k = start; k < end; k++) {
      const i = C.colIdx[k];
      const conf = C.values[k];
      const o = i * f;
      let yp = 0;
      for (let a = 0; a < f; a++) yp += Y[o + a] * p[a];
      const w = (conf - 1) * yp;
      for (let a = 0; a < f; a++) Ap[a] += w * Y[o + a];
    }
    let pAp = 0;
    for (let a = 0; a < f; a++) pAp += p[a] * Ap[a];
    if (pAp <= 0) break;
    const alpha = rsOld / pAp;
    let rsNew = 0;
    for (let a = 0; a < f; a++) {
      x[a] += alpha * p[a];
      r[a] -= alpha * Ap[a];
      rsNew += r[a] * r[a];
    }
    if (rsNew < 1e-20) break;
    const beta = rsNew / rsOld;
    for (let a = 0; a < f; a++) p[a] = r[a] + beta * p[a];
    rsOld = rsNew;
  }
}

/** A user vector for someone the model has not seen (or whose feedback changed since training). */
export function foldInUser(model: AlsModel, items: { item: number; confidence: number }[], opts: { regularization?: number; steps?: number; gramian?: Float64Array } = {}): Float64Array {
  const f = model.factors;
  const YtY = opts.gramian ?? gramian(model.itemFactors, f, opts.regularization ?? 0.1);
  const C: Csr = {
    rows: 1,
    cols: model.itemFactors.length / f,
    rowPtr: Int32Array.from([0, items.length]),
    colIdx: Int32Array.from(items.map((i) => i.item)),
    values: Float32Array.from(items.map((i) => i.confidence)),
  };
  const x = new Float64Array(f);
  solveRow(C, 0, items.length, model.itemFactors, f, YtY, x, new Float64Array(f), new Float64Array(f), new Float64Array(f), opts.steps ?? 20);
  return x;
}

export function itemGramian(model: AlsModel, regularization = 0.1): Float64Array {
  return gramian(model.itemFactors, model.factors, regularization);
}

/** Every item's score for a user vector; with `candidates`, only theirs (the rest stay 0). */
export function alsScores(model: AlsModel, userVector: Float64Array | Float32Array, candidates?: ArrayLike<number>): Float32Array {
  const f = model.factors;
  const n = model.itemFactors.length / f;
  const out = new Float32Array(n);
  const Y = model.itemFactors;
  const m = candidates ? candidates.length : n;
  for (let c = 0; c < m; c++) {
    const i = candidates ? candidates[c] : c;
    let s = 0;
    const o = i * f;
    for (let a = 0; a < f; a++) s += Y[o + a] * userVector[a];
    out[i] = s;
  }
  return out;
}
