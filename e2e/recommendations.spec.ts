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
  // By the catalog rather than by title: an import earlier in the run may have renamed the demo films.
  const found = await page.request.get("/api/v1/items?q=Godfather&limit=50");
  const films = ((await found.json()) as { items: { id: number; title: string; year: number | null; series: string | null }[] }).items.filter((i) => i.series === "The Godfather");
  const part2 = films.find((f) => f.year === 1974);
  expect(part2).toBeDefined();
  const siblings = films.filter((f) => f.id !== part2?.id).sort((a, b) => (a.year ?? 0) - (b.year ?? 0));
  await page.goto(`/movies/${part2?.id}`);
  await expect(page.getByText("Part of The Godfather series")).toBeVisible();
  const similar = page.locator("section").filter({ has: page.getByRole("heading", { name: "More like this" }) }).getByTestId("movie-card");
  for (const [n, film] of siblings.slice(0, 2).entries()) {
    await expect(similar.nth(n).getByRole("heading")).toHaveText(film.title);
    await expect(similar.nth(n).getByTestId("rec-reason")).toHaveText("Also in The Godfather series");
  }
  await expect(similar.nth(siblings.length).getByTestId("rec-reason")).toHaveText(`Similar to ${part2?.title}`);
  // A neighbour the viewer likes moves behind the ones they have not seen yet.
  const neighbour = similar.nth(siblings.length);
  const liked = (await neighbour.getByRole("heading").first().textContent())?.trim() ?? "";
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/v1/me/feedback") && r.request().method() === "POST");
  await neighbour.getByRole("button", { name: "Like", exact: true }).click();
  expect((await saved).status()).toBe(200);
  await page.reload();
  await expect(similar.nth(siblings.length).getByRole("heading")).not.toHaveText(liked);
  const titles = await similar.getByRole("heading").allTextContents();
  const at = titles.findIndex((t) => t.trim() === liked);
  expect(at === -1 || at === titles.length - 1).toBe(true);
});
