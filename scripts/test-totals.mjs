// Prints `N passed, N failed` over every suite from the JSON reports; exits non-zero when anything failed.
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, "utf8")) : null);

const vitest = read(".test-results/vitest.json");
if (!vitest) failed += 1;
else {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  if (!vitest.success && vitest.numFailedTests === 0) failed += Math.max(1, vitest.numFailedTestSuites);
}

const playwright = read(".test-results/playwright.json");
if (!playwright) failed += 1;
else {
  passed += (playwright.stats?.expected ?? 0) + (playwright.stats?.flaky ?? 0);
  failed += (playwright.stats?.unexpected ?? 0) + (playwright.errors?.length ?? 0);
}
if (existsSync(".test-results/build-failed")) failed += 1;

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
