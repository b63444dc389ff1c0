import { describe, expect, it } from "vitest";
import { Batcher } from "../lib/db/batch";

// Reads gathered into one call while earlier ones run (lib/db/batch.ts).

const tick = () => new Promise((r) => setImmediate(r));

/** A load whose calls each wait until released, recording the keys each was given. */
function gatedLoad() {
  const calls: { keys: number[]; release: (fail?: Error) => void }[] = [];
  const load = (keys: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ keys, release: (fail) => (fail ? reject(fail) : resolve(keys.map((k) => `v${k}`))) });
    });
  return { calls, load };
}

describe("Batcher", () => {
  it("sends a lone read at once, by itself", async () => {
    const { calls, load } = gatedLoad();
    const batcher = new Batcher(load, { concurrency: 2, maxBatch: 16 });
    const value = batcher.get(7);
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([[7]]);
    calls[0].release();
    expect(await value).toBe("v7");
  });

  it("gathers the reads asked for while `concurrency` loads run, in order and up to maxBatch, each caller getting its own value", async () => {
    const { calls, load } = gatedLoad();
    const batcher = new Batcher(load, { concurrency: 2, maxBatch: 3 });
    const values = [1, 2, 3, 4, 5, 4, 6].map((k) => batcher.get(k));
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([[1], [2]]);
    calls[1].release();
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([[1], [2], [3, 4, 5]]);
    calls[0].release();
    await tick();
    expect(calls.map((c) => c.keys)).toEqual([[1], [2], [3, 4, 5], [4, 6]]);
    calls[2].release();
    calls[3].release();
    expect(await Promise.all(values)).toEqual(["v1", "v2", "v3", "v4", "v5", "v4", "v6"]);
  });

  it("fails only the reads of a load that failed, and goes on with the next", async () => {
    const { calls, load } = gatedLoad();
    const batcher = new Batcher(load, { concurrency: 1, maxBatch: 16 });
    const first = batcher.get(1);
    const gathered = [batcher.get(2), batcher.get(3)];
    await tick();
    calls[0].release(new Error("connection lost"));
    await expect(first).rejects.toThrow("connection lost");
    await tick();
    expect(calls[1].keys).toEqual([2, 3]);
    calls[1].release();
    expect(await Promise.all(gathered)).toEqual(["v2", "v3"]);
  });

  it("fails a batch whose load answers the wrong number of values, and one that throws before it awaits", async () => {
    const short = new Batcher(async (keys: number[]) => keys.slice(1), { concurrency: 1, maxBatch: 16 });
    await expect(short.get(1)).rejects.toThrow("a batch of 1 keys was answered with 0 values");
    const throwing = new Batcher<number, number>(
      (keys) => {
        if (keys.includes(13)) throw new Error("unlucky");
        return Promise.resolve(keys);
      },
      { concurrency: 1, maxBatch: 16 },
    );
    await expect(throwing.get(13)).rejects.toThrow("unlucky");
    expect(await throwing.get(12)).toBe(12);
  });

  it("hands a key's value over as soon as the load answers it, before the rest of its batch; the final values do not replace it", async () => {
    let finish: () => void = () => undefined;
    const batcher = new Batcher<number, string>(
      (keys, answer) =>
        new Promise((resolve) => {
          if (keys.length > 1) answer(1, "early");
          finish = () => resolve(keys.map((k) => `late${k}`));
        }),
      { concurrency: 1, maxBatch: 16 },
    );
    const first = batcher.get(1);
    const [a, b] = [batcher.get(2), batcher.get(3)];
    await tick();
    finish(); // the lone first batch
    expect(await first).toBe("late1");
    await tick();
    let settled: string | null = null;
    void a.then((v) => (settled = v));
    expect(await b).toBe("early");
    await tick();
    expect(settled).toBeNull();
    finish();
    expect(await a).toBe("late2");
    expect(await b).toBe("early");
  });

  it("fails the keys not yet answered when a load answers a key it was not given", async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const batcher = new Batcher<number, string>(
      async (keys, answer) => {
        if (keys[0] === 0) return gate.then(() => ["zero"]);
        answer(0, "ok");
        answer(keys.length, "nobody asked");
        return keys.map(String);
      },
      { concurrency: 1, maxBatch: 16 },
    );
    const zero = batcher.get(0);
    const [first, second] = [batcher.get(1), batcher.get(2)];
    open();
    expect(await zero).toBe("zero");
    expect(await first).toBe("ok");
    await expect(second).rejects.toThrow("answer for key 2 of a batch of 2");
  });
});
