import { expect, test } from "@playwright/test";
import { signIn, signUp } from "./fixtures/users";

test("the header works at this screen width, signed out and signed in", async ({ page, isMobile }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  if (isMobile) {
    await page.getByText("Menu").click();
    await page.locator("details").getByRole("link", { name: "Movies", exact: true }).click();
    await expect(page).toHaveURL(/\/movies$/);
    await page.getByText("Menu").click();
    await expect(page.locator("details").getByRole("link", { name: "Movies", exact: true })).toHaveAttribute("aria-current", "page");
    await page.getByText("Menu").click();
    // The header stays across the navigation; its menu does not stay open over the new page.
    await expect(page.locator("details").getByRole("link", { name: "Movies", exact: true })).toBeHidden();
    await page.getByText("Menu").click();
    await expect(page.locator("details").getByRole("link", { name: "Home", exact: true })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.locator("details").getByRole("link", { name: "Home", exact: true })).toBeHidden();
    await page.getByText("Menu").click();
    await page.getByRole("heading", { level: 1 }).click();
    await expect(page.locator("details").getByRole("link", { name: "Home", exact: true })).toBeHidden();
    // Tabbing past its last entry closes it too.
    await page.getByText("Menu").click();
    await page.locator("details").getByRole("link", { name: "Sign up" }).focus();
    await page.keyboard.press("Tab");
    await expect(page.locator("details").getByRole("link", { name: "Home", exact: true })).toBeHidden();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    return;
  }
  await signUp(page);
  await expect(page.getByRole("link", { name: "API tokens" })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API tokens" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Movies" })).not.toHaveAttribute("aria-current", "page");
});

test("the header stays on one line at every width: the links where they fit, the menu where they do not", async ({ page, isMobile }) => {
  test.skip(isMobile, "the widths are set here");
  await signUp(page);
  for (const width of [768, 900, 1024, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    const height = await page.locator("header").evaluate((h) => h.getBoundingClientRect().height);
    expect(height, `header height at ${width} px`).toBeLessThanOrEqual(64);
    const menu = page.locator("header details");
    await expect(width >= 1024 ? page.getByTestId("signed-in-user") : menu).toBeVisible();
  }
});

test("on a phone the Jobs page's schedules fit the screen without scrolling sideways", async ({ page, isMobile }) => {
  test.skip(!isMobile, "a phone-width check");
  await signIn(page, "admin@tastebud.test", "admin-password-e2e");
  await page.goto("/jobs");
  await expect(page.getByTestId("schedule-row").first()).toBeVisible();
  const schedules = page.getByTestId("schedule-row").first().locator("xpath=ancestor::table");
  const sideways = await schedules.evaluate((t) => t.scrollWidth - (t.parentElement?.clientWidth ?? 0));
  expect(sideways).toBeLessThanOrEqual(0);
  // The jobs come before the cards that start one.
  const jobs = await page.getByRole("heading", { name: "All jobs" }).boundingBox();
  const start = await page.getByRole("heading", { name: "Start a job" }).boundingBox();
  expect(jobs && start && jobs.y < start.y).toBe(true);
});
