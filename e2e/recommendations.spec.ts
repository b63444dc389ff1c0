import { expect, test } from "@playwright/test";
import { rateFromOnboarding } from "./fixtures/feedback";
import { signUp } from "./fixtures/users";

test("a new user rates a dozen movies, gets explained recommendations, hides one and undoes it, and opens more like this", async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page);
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Rate a dozen movies to get recommendations" })).toBeVisible();
  await page.getByRole("link", { name: "Rate a dozen movies to get recommendations" }).click();
  await expect(page.getByRole("heading", { name: "Rate a dozen movies" })).toBeVisible();
  const cards = page.getByTestId("movie-card");
  for (let i = 0; i < 12; i++) {
    await cards.nth(i).getByRole("button", { name: i % 3 === 0 ? "Rate 4 stars" : "Rate 5 stars", exact: true }).click();
  }
  await expect(page.getByText("12 of 12 rated")).toBeVisible();
  await page.waitForLoadState("networkidle");

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "For you" })).toBeVisible();
  const reasons = page.getByTestId("rec-reason");
  await expect(reasons.first()).toBeVisible();
  const texts = await reasons.allTextContents();
  expect(texts.some((t) => /^Because you liked |^People with your taste liked it$|^Because you like /.test(t))).toBe(true);

  // With no language model configured, people see no AI picks section; how to turn it on is for administrators.
  await expect(page.getByRole("heading", { name: "For you" })).toBeVisible();
  await expect(page.getByTestId("ai-picks-off")).toHaveCount(0);
  const forYou = page.locator("section").filter({ has: page.getByRole("heading", { name: "For you" }) });
  const first = forYou.getByTestId("movie-card").first();
  const title = (await first.getByRole("heading").first().textContent())?.trim() ?? "";
  await first.getByRole("button", { name: "Hide", exact: true }).click();
  await expect(forYou.getByTestId("movie-card").filter({ hasText: title })).toHaveCount(0);
  await forYou.getByRole("button", { name: "Undo" }).first().click();
  await expect(forYou.getByTestId("movie-card").filter({ hasText: title })).toHaveCount(1);

  await forYou.getByTestId("movie-card").first().getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "More like this" })).toBeVisible();
  const similar = page.locator("section").filter({ has: page.getByRole("heading", { name: "More like this" }) }).getByTestId("movie-card");
  await expect(similar.first()).toBeVisible();
});

test("a movie hidden from the recommendations is listed in settings and can be restored", async ({ page }) => {
  await signUp(page);
  await rateFromOnboarding(page);
  await page.goto("/");
  const forYou = page.locator("section").filter({ has: page.getByRole("heading", { name: "For you" }) });
  const card = forYou.getByTestId("movie-card").first();
  const title = (await card.getByRole("heading").first().textContent())?.trim() ?? "";
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/v1/me/feedback") && r.request().method() === "POST");
  await card.getByRole("button", { name: "Hide", exact: true }).click();
  expect((await saved).status()).toBe(200);
  await page.goto("/settings/hidden");
  await expect(page.getByRole("heading", { name: "Hidden movies" })).toBeVisible();
  await expect(page.getByText(title)).toBeVisible();
  await page.getByRole("button", { name: "Unhide" }).first().press("Enter");
  await expect(page.getByText("Nothing hidden.")).toBeVisible();
  // Keyboard focus stays where the list was, not on the page's body.
  await expect(page.getByText("Nothing hidden.")).toBeFocused();
});

test("more like this shows the other films of the series first, in order, and films the viewer has not seen before ones they rated", async ({ page }) => {
  await signUp(page);
  await page.goto("/movies?q=The%20Godfather%20Part%20II");
  await page.getByRole("link", { name: /^The Godfather Part II/ }).first().click();
  await expect(page.getByText("Part of The Godfather series")).toBeVisible();
  const similar = page.locator("section").filter({ has: page.getByRole("heading", { name: "More like this" }) }).getByTestId("movie-card");
  await expect(similar.nth(0).getByRole("heading")).toHaveText(/The Godfather\b(?! Part)/);
  await expect(similar.nth(1).getByRole("heading")).toHaveText(/The Godfather Part III/);
  await expect(similar.nth(0).getByTestId("rec-reason")).toHaveText("Also in The Godfather series");
  await expect(similar.nth(2).getByTestId("rec-reason")).toHaveText("Similar to The Godfather Part II");
  // A neighbour the viewer likes moves behind the ones they have not seen yet.
  const liked = (await similar.nth(2).getByRole("heading").first().textContent())?.trim() ?? "";
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/v1/me/feedback") && r.request().method() === "POST");
  await similar.nth(2).getByRole("button", { name: "Like", exact: true }).click();
  expect((await saved).status()).toBe(200);
  await page.reload();
  await expect(similar.nth(2).getByRole("heading")).not.toHaveText(liked);
  const titles = await similar.getByRole("heading").allTextContents();
  const at = titles.findIndex((t) => t.trim() === liked);
  expect(at === -1 || at === titles.length - 1).toBe(true);
});
