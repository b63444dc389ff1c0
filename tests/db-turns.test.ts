import { describe, expect, it } from "vitest";
import { Turns } from "../lib/db/raw";

// The turns taken at the plain pool (lib/db/raw.ts): never more queries at once than its size, the urgent line first.

/** A task that runs until `finish` is called, recording when it started. */
function gated(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { finish, task: async () => (log.push(name), await done, name) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("Turns", () => {
  it("runs at most its slots at once and lets the urgent line go first, each line in order", async () => {
    const turns = new Turns(2);
    const started: string[] = [];
    const tasks = Object.fromEntries(["a", "b", "c", "d", "u1", "u2"].map((n) => [n, gated(started, n)]));
    const results = ["a", "b", "c", "d", "u1", "u2"].map((n) => turns.run(n.startsWith("u"), tasks[n].task));
    await tick();
    expect(started).toEqual(["a", "b"]);
    tasks.a.finish();
    await tick();
    expect(started).toEqual(["a", "b", "u1"]);
    tasks.b.finish();
    await tick();
    expect(started).toEqual(["a", "b", "u1", "u2"]);
    tasks.u1.finish();
    tasks.u2.finish();
    await tick();
    expect(started).toEqual(["a", "b", "u1", "u2", "c", "d"]);
    tasks.c.finish();
    tasks.d.finish();
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d", "u1", "u2"]);
  });

  it("gives the turn on when a query fails, and passes the failure to its caller", async () => {
    const turns = new Turns(1);
    const failing = turns.run(false, async () => {
      throw new Error("connection lost");
    });
    const next = turns.run(false, async () => "ran");
    await expect(failing).rejects.toThrow("connection lost");
    expect(await next).toBe("ran");
    // and the slot is free again
    expect(await turns.run(true, async () => "again")).toBe("again");
  });
});
