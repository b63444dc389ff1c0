import { describe, expect, it } from "vitest";
import { outcomeOf, statusLabel } from "../components/jobs/types";

describe("a job's status as the Jobs and Imports pages show it", () => {
  it("reads a job handed to the runner as dispatched, and every other status as its own word", () => {
    expect(statusLabel(outcomeOf({ status: "sent" }))).toBe("dispatched");
    for (const status of ["queued", "running", "failed", "cancelled"] as const) expect(statusLabel(outcomeOf({ status }))).toBe(status);
  });

  it("tells a succeeded job that did nothing or loaded nothing from one that did its work", () => {
    expect(statusLabel(outcomeOf({ status: "succeeded", result: { rows_loaded: 12 } }))).toBe("succeeded");
    expect(statusLabel(outcomeOf({ status: "succeeded", result: { rows_loaded: 0 } }))).toBe("nothing loaded");
    expect(statusLabel(outcomeOf({ status: "succeeded", result: { skipped: "No language model is set up" } }))).toBe("skipped");
    expect(statusLabel(outcomeOf({ status: "succeeded", result: null }))).toBe("succeeded");
  });
});
