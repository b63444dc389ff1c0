import { expect, test } from "@playwright/test";
import { signUp } from "./fixtures/users";

test("the header works at this screen width, signed out and signed in", async ({ page, isMobile }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  if (isMobile) {
    await page.getByText("Menu").click();
    await page.locator("details").getByRole("link", { name: "Movies", exact: true }).click();
    await expect(page).toHaveURL(/\/movies$/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    return;
  }
  await signUp(page);
  await expect(page.getByRole("link", { name: "API tokens" })).toBeVisible();
});
