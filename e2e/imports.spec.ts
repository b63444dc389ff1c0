import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures/users";

const ADMIN = { email: "admin@tastebud.test", password: "admin-password-e2e" };
const MT = path.resolve("../shared/data/movietweetings-100k");

test("an admin uploads the MovieTweetings set and the legacy rates API serves it", async ({ page, request }) => {
  test.setTimeout(120_000);
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/admin/imports");
  await page.getByLabel("File kind").selectOption("movietweetings-movies");
  await page.getByLabel("File", { exact: true }).setInputFiles(path.join(MT, "movies.dat"));
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page.getByTestId("import-report")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("report-loaded")).toHaveText("10,506");

  await page.getByLabel("File kind").selectOption("movietweetings-ratings");
  await page.getByLabel("File", { exact: true }).setInputFiles(path.join(MT, "ratings.dat"));
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page.getByTestId("job-progress").getByRole("progressbar")).toBeVisible();
  // A second upload would only queue behind this one: the button waits for the import, not just the upload.
  await expect(page.getByRole("button", { name: "Importing..." })).toBeDisabled();
  await expect(page.getByTestId("report-loaded")).toHaveText("100,000", { timeout: 60_000 });
  await expect(page.getByTestId("report-rejected")).toHaveText("0");
  await expect(page.getByRole("button", { name: "Upload and import" })).toBeEnabled();
  // Back on the page later, the latest import is still there with its report.
  await page.reload();
  await expect(page.getByText("Latest import: ratings.dat")).toBeVisible();
  await expect(page.getByTestId("report-loaded")).toHaveText("100,000");

  const res = await request.get("/api/v1/rates/1");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual([
    { movie_id: 1074638, rating: 7, timestamp: "2013-04-03 22:45:07" },
    { movie_id: 1853728, rating: 8, timestamp: "2013-04-21 20:37:19" },
  ]);
  expect(res.headers()["x-cache"]).toBe("MISS");
  expect((await request.get("/api/v1/rates/1")).headers()["x-cache"]).toBe("HIT");

  // The import ran inside Next; the read above went through the server's fast lane (scripts/serve.ts) with its own
  // copy of lib/. One more rating for this user must reach that read at once, not after the cache entry expires.
  const file = path.join(mkdtempSync(path.join(tmpdir(), "e2e-import-")), "ratings.dat");
  writeFileSync(file, "1::0110912::9::1400000000\n");
  await page.getByLabel("File kind").selectOption("movietweetings-ratings");
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page.getByTestId("report-loaded")).toHaveText("1", { timeout: 60_000 });
  const after = await request.get("/api/v1/rates/1");
  expect(after.headers()["x-cache"]).toBe("MISS");
  expect(await after.json()).toEqual([
    { movie_id: 1074638, rating: 7, timestamp: "2013-04-03 22:45:07" },
    { movie_id: 1853728, rating: 8, timestamp: "2013-04-21 20:37:19" },
    { movie_id: 110912, rating: 9, timestamp: "2014-05-13 16:53:20" },
  ]);
});

test("a malformed upload shows each rejected line and loads the rest", async ({ page }) => {
  const dir = mkdtempSync(path.join(tmpdir(), "e2e-import-"));
  const file = path.join(dir, "bad-ratings.csv");
  writeFileSync(file, "userId,movieId,rating,timestamp\n90001,1,4,1500000000\n90001,2,nine,1500000000\n90001,3\n");
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/admin/imports");
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page.getByTestId("report-loaded")).toHaveText("1", { timeout: 30_000 });
  await expect(page.getByTestId("import-error")).toHaveCount(2);
  await expect(page.getByTestId("import-error").first()).toContainText('rating "nine" is not a number');
  await expect(page.getByTestId("import-error").nth(1)).toContainText("expected 4 columns, found 2");
  await expect(page.getByRole("columnheader", { name: "Text" })).toBeVisible();
  // On a phone each line's text sits under its reason, and no column is cut off.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("columnheader", { name: "Text" })).toBeHidden();
  await expect(page.getByTestId("import-error").first().getByText("90001,2,nine,1500000000").filter({ visible: true })).toHaveCount(1);
  const table = await page.getByRole("table").boundingBox();
  expect(table && table.x + table.width).toBeLessThanOrEqual(390);
  await page.screenshot({ path: ".test-results/imports-phone.png", fullPage: true });
});

test("a file that loads nothing says so, not that the import finished", async ({ page }) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "e2e-import-")), "movies.dat");
  writeFileSync(file, "1::Edison Kinetoscopic Record of a Sneeze (1894)::Documentary|Short\n");
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/admin/imports");
  await page.getByLabel("File kind").selectOption("ratings");
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page.getByRole("heading", { name: "Nothing was loaded" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("alert").filter({ hasText: "is it the right kind of file?" })).toBeVisible();
  // The Jobs page shows the same report in the job's details.
  await page.goto("/jobs");
  const row = page.locator('[data-kind="import"]').first();
  await expect(row.getByTestId("job-subject")).toHaveText("movies.dat (ratings)");
  await row.locator("summary").click();
  await expect(row.getByRole("heading", { name: "Nothing was loaded" })).toBeVisible();
  await expect(row.getByTestId("report-rejected")).toHaveText("1");
  // Its badge says so too, not a green "succeeded".
  await expect(row.getByTestId("job-status")).toHaveText("nothing loaded");
});
