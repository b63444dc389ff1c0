import type { Csr } from "./matrix";
import { modelFromParts, type RecModel } from "./model";

// A trained model as one binary blob: a JSON header naming each typed array's type, offset and length, then the
// arrays themselves, 8-byte aligned.

type ArrayKind = "i32" | "f32" | "f64";
type Typed = Int32Array | Float32Array | Float64Array;
const CTORS = { i32: Int32Array, f32: Float32Array, f64: Float64Array } as const;
const kindOf = (a: Typed): ArrayKind => (a instanceof Int32Array ? "i32" : a instanceof Float32Array ? "f32" : "f64");

export function serializeModel(model: RecModel): Buffer {
  const arrays: Record<string, Typed> = {
    userIds: model.userIds,
    itemIds: model.itemIds,
    popScores: model.popularity.scores,
    popCounts: model.popularity.counts,
    knnNeighbors: model.knn.neighbors,
    knnSims: model.knn.sims,
    userFactors: model.als.userFactors,
    itemFactors: model.als.itemFactors,
    implicitPtr: model.implicit.rowPtr,
    implicitCols: model.implicit.colIdx,
    implicitValues: model.implicit.values,
  };
  const meta = {
    v: 1,
    trainedAt: model.trainedAt,
    knnK: model.knn.k,
    factors: model.als.factors,
    implicit: { rows: model.implicit.rows, cols: model.implicit.cols },
    itemSeries: model.itemSeries,
    itemGenres: model.genres.itemGenres.map((gs) => Array.from(gs, (g) => model.genres.genres[g])),
    arrays: {} as Record<string, { kind: ArrayKind; offset: number; length: number }>,
  };
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    meta.arrays[name] = { kind: kindOf(a), offset, length: a.length };
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = Buffer.from(JSON.stringify(meta));
  const headerLen = Math.ceil((header.length + 4) / 8) * 8;
  const out = Buffer.alloc(headerLen + offset);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  for (const [name, a] of Object.entries(arrays)) {
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, headerLen + meta.arrays[name].offset);
  }
  return out;
}

export function deserializeModel(buf: Buffer): RecModel {
  const len = buf.readUInt32LE(0);
  const meta = JSON.parse(buf.toString("utf8", 4, 4 + len));
  const headerLen = Math.ceil((len + 4) / 8) * 8;
  // Copy into an aligned buffer: typed arrays need their offset to be a multiple of the element size.
  const body = new ArrayBuffer(buf.length - headerLen);
  new Uint8Array(body).set(buf.subarray(headerLen));
  const get = (name: string): Typed => {
    const a = meta.arrays[name] as { kind: ArrayKind; offset: number; length: number };
    return new CTORS[a.kind](body, a.offset, a.length);
  };
  const implicit: Csr = {
    rows: meta.implicit.rows,
    cols: meta.implicit.cols,
    rowPtr: get("implicitPtr") as Int32Array,
    colIdx: get("implicitCols") as Int32Array,
    values: get("implicitValues") as Float32Array,
  };
  return modelFromParts(
    { userIds: get("userIds") as Int32Array, itemIds: get("itemIds") as Int32Array, itemGenres: meta.itemGenres, itemSeries: meta.itemSeries, implicit },
    {
      trainedAt: meta.trainedAt,
      popularity: { scores: get("popScores") as Float32Array, counts: get("popCounts") as Int32Array },
      knn: { k: meta.knnK, neighbors: get("knnNeighbors") as Int32Array, sims: get("knnSims") as Float32Array },
      als: { factors: meta.factors, userFactors: get("userFactors") as Float32Array, itemFactors: get("itemFactors") as Float32Array },
    },
  );
}

/**
 * Covers items added to the catalog after training: they get no collaborative signal yet (zero factors, no
 * neighbours, the prior as popularity) but their genres, so the content recommender can place them at once.
 */
export function extendModel(model: RecModel, catalog: { id: number; genres: string[]; series: string | null }[]): RecModel {
  const fresh = catalog.filter((c) => !model.itemIndex.has(c.id));
  const known = new Map(catalog.map((c) => [c.id, c]));
  if (fresh.length === 0) return model;
  const n = model.itemIds.length;
  const m = n + fresh.length;
  const f = model.als.factors;
  const k = model.knn.k;
  const grow = <T extends Typed>(a: T, size: number, fill = 0): T => {
    const out = new (a.constructor as new (n: number) => T)(size);
    out.fill(fill);
    out.set(a);
    return out;
  };
  let prior = 0;
  for (const s of model.popularity.scores) prior += s;
  prior = n ? prior / n : 0;
  const pop = grow(model.popularity.scores, m);
  pop.fill(prior * 0.9, n);
  const itemGenres = [...model.genres.itemGenres.map((gs, i) => {
    const id = model.itemIds[i];
    return known.get(id)?.genres ?? Array.from(gs, (g) => model.genres.genres[g]);
  }), ...fresh.map((c) => c.genres)];
  const implicit = { ...model.implicit, cols: m };
  const extended = modelFromParts(
    {
      userIds: model.userIds,
      itemIds: Int32Array.from([...model.itemIds, ...fresh.map((c) => c.id)]),
      itemGenres,
      itemSeries: [...model.itemSeries, ...fresh.map((c) => c.series)],
      implicit,
    },
    {
      trainedAt: model.trainedAt,
      popularity: { scores: pop, counts: grow(model.popularity.counts, m) },
      knn: { k, neighbors: grow(model.knn.neighbors, m * k, -1), sims: grow(model.knn.sims, m * k) },
      als: { factors: f, userFactors: model.als.userFactors, itemFactors: grow(model.als.itemFactors, m * f) },
    },
  );
  return extended;
}
