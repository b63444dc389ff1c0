import { expect, test } from "@playwright/test";
import { signUp } from "./fixtures/users";

test("My ratings pages through 30 ratings, sorts them, and says when a page is past the end", async ({ page, request }) => {
  const person = await signUp(page);
  const token = await request.post("/api/v1/auth/token", { data: { email: person.email, password: person.password, scopes: ["read", "write"] } });
  expect(token.status()).toBe(201);
  const bearer = { authorization: `Bearer ${(await token.json()).token}` };
  // Ratings 0.5-5 on films 1-30, an hour apart, film 30 the newest.
  const events = Array.from({ length: 30 }, (_, i) => ({
    item_id: i + 1,
    type: "rate",
    value: ((i % 10) + 1) / 2,
    timestamp: Math.floor(Date.now() / 1000) - (30 - i) * 3600,
  }));
  const sent = await request.post("/api/v1/events", { headers: bearer, data: events });
  expect(sent.status()).toBe(202);

  await page.getByRole("link", { name: "My ratings" }).first().click();
  await expect(page.getByRole("heading", { name: "My ratings" })).toBeVisible();
  const rows = page.getByTestId("rating-row");
  await expect(rows).toHaveCount(25);
  await expect(page.getByText("Page 1 of 2", { exact: true })).toBeVisible();
  await expect(page.getByTestId("ratings-summary")).toHaveText("30 films rated · average ★ 2.75");
  await expect(page.getByRole("link", { name: "Previous page" })).toHaveCount(0);
  await expect(rows.first().getByLabel("Rated 5")).toBeVisible(); // film 30, rated 5, is the newest

  await page.getByRole("link", { name: "Next page" }).click();
  await expect(rows).toHaveCount(5);
  await expect(page.getByText("Page 2 of 2", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Previous page" }).click();
  await expect(page).toHaveURL(/\/ratings\?sort=newest$/);
  await expect(rows).toHaveCount(25);

  await page.getByRole("link", { name: "Lowest" }).click();
  await expect(rows.first().getByLabel("Rated 0.5")).toBeVisible();
  await page.getByRole("link", { name: "Highest" }).click();
  await expect(rows.first().getByLabel("Rated 5")).toBeVisible();

  const pastTheEnd = Buffer.from(JSON.stringify({ o: 500 })).toString("base64url");
  await page.goto(`/ratings?sort=newest&cursor=${pastTheEnd}`);
  await expect(page.getByText("This page is past the end of your ratings.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Previous page" })).toHaveCount(0);
  await page.getByRole("link", { name: "Back to the first page" }).click();
  await expect(rows).toHaveCount(25);

  // A cursor that is not ours, or one out of range, is a page that does not exist (not an error page); an unknown
  // order is newest first.
  for (const cursor of ["garbage", Buffer.from(JSON.stringify({ o: -5 })).toString("base64url")]) {
    await page.goto(`/ratings?cursor=${cursor}`);
    await expect(page.getByText("That page of ratings does not exist.")).toBeVisible();
  }
  await page.getByRole("link", { name: "Start again" }).click();
  await expect(rows).toHaveCount(25);
  await page.goto("/ratings?sort=bogus");
  await expect(page.getByRole("link", { name: "Newest" })).toHaveAttribute("aria-current", "page");
  await expect(rows.first().getByLabel("Rated 5")).toBeVisible();
});

test("a person clears a rating on a film's page and it stays cleared, gone from My ratings", async ({ page }) => {
  await signUp(page);
  await page.goto("/movies/1");
  const mine = page.getByRole("region", { name: "Your feedback" });
  const saved = () => page.waitForResponse((r) => r.url().endsWith("/api/v1/me/feedback") && r.request().method() === "POST" && r.ok());
  let done = saved();
  await mine.getByRole("button", { name: "Rate 4 stars", exact: true }).click();
  await done;
  await expect(mine.getByText("You rated it 4 of 5")).toBeVisible();
  await page.goto("/ratings");
  await expect(page.getByTestId("rating-row")).toHaveCount(1);

  await page.goto("/movies/1");
  done = saved();
  await mine.getByRole("button", { name: "Clear rating" }).click();
  await done;
  await expect(mine.getByText("Not rated yet")).toBeVisible();
  await expect(mine.getByRole("button", { name: "Clear rating" })).toHaveCount(0);
  await page.reload();
  await expect(mine.getByText("Not rated yet")).toBeVisible();
  await page.goto("/ratings");
  await expect(page.getByText("You have not rated anything yet.")).toBeVisible();

  // From the keyboard, focus goes to the Undo that takes the button's place, not back to the top of the page.
  await page.goto("/movies/1");
  done = saved();
  await mine.getByRole("button", { name: "Rate 3 stars", exact: true }).click();
  await done;
  await mine.getByRole("button", { name: "Clear rating" }).focus();
  done = saved();
  await page.keyboard.press("Enter");
  await done;
  await expect(mine.getByText("Not rated yet")).toBeVisible();
  await expect(mine.getByRole("button", { name: "Undo" })).toBeFocused();
  // A clear by mistake is one Undo away.
  done = saved();
  await page.keyboard.press("Enter");
  await done;
  await expect(mine.getByText("You rated it 3 of 5")).toBeVisible();
  await page.reload();
  await expect(mine.getByText("You rated it 3 of 5")).toBeVisible();
  // The onboarding counter counts it, whether or not the film is among the ones it lists.
  await page.goto("/onboarding");
  await expect(page.getByTestId("rated-count")).toHaveText("1 of 12 rated");
});
