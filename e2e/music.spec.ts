import { expect, test } from "@playwright/test";
import { signUp } from "./fixtures/users";

const ADMIN = { email: "admin@tastebud.test", password: "admin-password-e2e" };

test("a listener connects Last.fm, watches the import, and sees plays and track recommendations", async ({ page, request }) => {
  test.setTimeout(90_000);
  // Grow the music catalog first (the weekly crawl), so there are tracks the listener has not played.
  const { token } = await (await request.post("/api/v1/auth/token", { data: { ...ADMIN, scopes: ["admin"] } })).json();
  const crawl = await request.post("/api/v1/jobs", { headers: { authorization: `Bearer ${token}` }, data: { kind: "lastfm-crawl" } });
  expect(crawl.status()).toBe(202);
  const crawlId = (await crawl.json()).id;
  await expect.poll(async () => (await (await request.get(`/api/v1/jobs/${crawlId}`, { headers: { authorization: `Bearer ${token}` } })).json()).status, { timeout: 30_000 }).toBe("succeeded");

  await signUp(page);
  await page.goto("/music");
  await page.getByLabel("Last.fm username").fill("tastebud-fan");
  await page.getByRole("button", { name: "Connect Last.fm" }).click();
  const bar = page.getByTestId("job-progress").getByRole("progressbar");
  await expect(bar).toBeVisible();
  await expect(page.getByTestId("job-progress")).toContainText(/Page \d+ of 13/);
  await expect(page.getByTestId("lastfm-account")).toContainText("tastebud-fan", { timeout: 60_000 });
  await expect(page.getByTestId("play-row")).toHaveCount(20);
  await expect(page.getByRole("heading", { name: "Tracks for you" })).toBeVisible();
  await expect(page.getByTestId("movie-card").first()).toBeVisible();
  await expect(page.getByTestId("rec-reason").first()).not.toBeEmpty();
});

test("an unknown Last.fm user ends the import with a message a person can act on", async ({ page }) => {
  await signUp(page);
  await page.goto("/music");
  await page.getByLabel("Last.fm username").fill("nobody-here");
  await page.getByRole("button", { name: "Connect Last.fm" }).click();
  await expect(page.getByText('Last.fm has no user named "nobody-here" (check the spelling)').first()).toBeVisible({ timeout: 30_000 });
});
