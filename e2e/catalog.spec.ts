import { expect, test } from "@playwright/test";
import { signUp } from "./fixtures/users";

test("a visitor browses, searches with a typo, filters and opens a movie", async ({ page }) => {
  await page.goto("/movies");
  await expect(page.getByTestId("movie-card")).toHaveCount(24);
  // The film's average is labelled as such, apart from the viewer's own stars.
  await expect(page.getByTestId("card-average").first()).toHaveText(/^★ \d\.\d avg \(\d+\)$/);
  const firstOnPageOne = await page.getByTestId("movie-card").first().locator("h3").textContent();
  await page.getByRole("button", { name: "Next page" }).or(page.getByRole("link", { name: "Next page" })).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.getByTestId("movie-card").first()).toBeVisible();
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page.getByRole("link", { name: "First page" })).toBeVisible();
  await page.getByRole("link", { name: "Previous page" }).click();
  // On page two again: no First page link beside Previous (that one is the first page).
  await expect(page.getByRole("link", { name: "First page" })).toHaveCount(0);
  await expect(page).toHaveURL(/cursor=/);
  await page.getByRole("link", { name: "Previous page" }).click();
  await expect(page).toHaveURL(/\/movies$/);
  await expect(page.getByTestId("movie-card").first().locator("h3")).toHaveText(firstOnPageOne ?? "");
  await expect(page.getByRole("link", { name: "Previous page" })).toHaveCount(0);

  await page.goto("/movies");
  await page.getByLabel("Search movies").fill("godfater");
  await page.getByRole("button", { name: "Go" }).click();
  await expect(page.getByTestId("movie-card").first()).toContainText("The Godfather");

  await page.goto("/movies");
  await page.getByLabel("Genre").selectOption("Western");
  await page.getByLabel("From year").fill("1960");
  await page.getByLabel("To year").fill("1969");
  await page.getByRole("button", { name: "Go" }).click();
  const cards = page.getByTestId("movie-card");
  await expect(cards.first()).toBeVisible();
  for (const text of await cards.allTextContents()) {
    expect(text).toContain("Western");
    expect(text).toMatch(/196\d/);
  }
  await cards.first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText("Weighted score")).toBeVisible();
});

test("an impossible year range gets a clear message", async ({ page }) => {
  await page.goto("/movies?year_from=2000&year_to=1990");
  await expect(page.getByText('"From year" must not be after "To year".')).toBeVisible();
});

test("a sort order the page does not offer (an old or edited link) lists movies in the default order", async ({ page }) => {
  await page.goto("/movies?sort=top");
  await expect(page.getByText(/Invalid option|sort order/)).toHaveCount(0);
  await expect(page.getByTestId("movie-card").first()).toBeVisible();
});

test("a film's counts follow a person's rating and like as they are saved, without a reload", async ({ page }) => {
  await signUp(page);
  await page.goto("/movies/2");
  const stats = page.getByRole("definition");
  const stat = (label: string) => page.locator("dt", { hasText: label }).locator("xpath=following-sibling::dd");
  await expect(stats.first()).toBeVisible();
  const number = async (label: string) => Number((await stat(label).textContent())?.replace(/,/g, ""));
  const [ratings, likes] = [await number("Ratings"), await number("Likes")];
  const mine = page.getByRole("region", { name: "Your feedback" });
  await mine.getByRole("button", { name: "Rate 5 stars", exact: true }).click();
  await expect(stat("Ratings")).toHaveText((ratings + 1).toLocaleString("en"));
  await mine.getByRole("button", { name: "Like", exact: true }).click();
  await expect(stat("Likes")).toHaveText(String(likes + 1));
  await mine.getByRole("button", { name: "Clear rating" }).click();
  await expect(stat("Ratings")).toHaveText(ratings.toLocaleString("en"));
  await mine.getByRole("button", { name: "Rate 4 stars", exact: true }).click();
  await expect(stat("Ratings")).toHaveText((ratings + 1).toLocaleString("en"));
  // The film's card in the catalog counts it too.
  const title = (await page.getByRole("heading", { level: 1 }).textContent())?.replace(/\s*\(\d{4}\)$/, "") ?? "";
  await page.goto(`/movies?q=${encodeURIComponent(title)}`);
  const card = page.getByTestId("movie-card").filter({ has: page.locator('a[href="/movies/2"]') }).first();
  await expect(card.getByTestId("card-average")).toContainText(`(${ratings + 1})`);
  // Rated or cleared on the card itself, the card's own count follows at once.
  await card.getByRole("button", { name: "Clear rating" }).click();
  await expect(card.getByTestId("card-average")).toContainText(`(${ratings})`);
  await card.getByRole("button", { name: "Rate 5 stars", exact: true }).click();
  await expect(card.getByTestId("card-average")).toContainText(`(${ratings + 1})`);
});

test("the API answers a method an endpoint does not take with a 405 that says which it takes", async ({ request }) => {
  const put = await request.put("/api/v1/items/1", { data: {} });
  expect(put.status()).toBe(405);
  expect(put.headers()["content-type"]).toContain("application/problem+json");
  expect(put.headers()["allow"]).toBe("GET, HEAD, OPTIONS");
  expect((await put.json()).code).toBe("method_not_allowed");
  const options = await request.fetch("/api/v1/items/1", { method: "OPTIONS" });
  expect(options.status()).toBe(204);
  expect(options.headers()["allow"]).toBe("GET, HEAD, OPTIONS");
  expect((await request.get("/api/v1/items/1")).status()).toBe(200);
});

test("a film that does not exist, and an admin page for someone who is not one, are titled Not found", async ({ page }) => {
  const missing = await page.goto("/movies/999999");
  expect(missing?.status()).toBe(404);
  await expect(page).toHaveTitle(/^Not found/);
  await signUp(page);
  await page.goto("/logs");
  await expect(page).toHaveTitle(/^Not found/);
  await page.goto("/movies/1");
  await expect(page).not.toHaveTitle(/^Not found/);
});
