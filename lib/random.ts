// Seeded pseudo-random numbers, so demo data and benchmarks are the same on every machine.
export type Random = { next: () => number; normal: () => number; int: (maxExclusive: number) => number };

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { next, normal, int: (max) => Math.floor(next() * max) };
}
