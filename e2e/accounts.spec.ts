import { expect, test } from "@playwright/test";
import { newPerson, signIn, signOut, signUp } from "./fixtures/users";

test("a visitor signs up, starts by rating a dozen films, signs out and signs back in", async ({ page }) => {
  const person = await signUp(page);
  await expect(page).toHaveURL(/\/onboarding$/);
  await expect(page.getByRole("heading", { name: "Rate a dozen movies" })).toBeVisible();
  await signOut(page);
  await signIn(page, person.email, person.password);
  await expect(page.getByTestId("signed-in-user")).toContainText(person.name);
});

test("sign-up and sign-in explain what is wrong", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Password must be at least 8 characters")).toBeVisible();

  const person = await signUp(page, newPerson("dup"));
  await signOut(page);
  await page.goto("/signup");
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByLabel("Confirm password").fill(person.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByText("An account with this email already exists")).toBeVisible();

  await signIn(page, person.email, "wrong password", { expectFailure: true });
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
});

test("a protected page sends a signed-out visitor to sign in and back", async ({ page }) => {
  const person = await signUp(page);
  await signOut(page);
  await page.goto("/settings/tokens");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fsettings%2Ftokens/);
  await expect(page.getByTestId("signin-reason")).toHaveText("Sign in to manage your API tokens.");
  await signIn(page, person.email, person.password, { navigate: false });
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
});
