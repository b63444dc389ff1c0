import { expect, test } from "@playwright/test";
import { signUp } from "./fixtures/users";

test("a user creates a token, calls the API with it, and revokes it", async ({ page, request }) => {
  const person = await signUp(page);
  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill("my script");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token-value").textContent())?.trim() ?? "";
  expect(token).toMatch(/^tb_/);
  await expect(page.getByTestId("token-row")).toContainText("my script");

  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ email: person.email, scopes: ["read"] });
  const items = await request.get("/api/v1/items?q=matrix&limit=5", { headers: { authorization: `Bearer ${token}` } });
  expect(items.status()).toBe(200);
  expect((await items.json()).items[0].title).toContain("Matrix");

  // The token is shown once: after a reload only its prefix is listed.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.getByTestId("token-row")).toContainText(token.slice(0, 11));
  await expect(page.getByTestId("token-row")).toContainText("last used");

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("token-row")).toHaveCount(0);
  const after = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
  expect(after.headers()["content-type"]).toContain("application/problem+json");
});

test("the token form says beside each field what is missing, and empties itself once a token is made", async ({ page }) => {
  await signUp(page);
  await page.goto("/settings/tokens");
  await expect(page.getByText("No tokens yet.")).toBeVisible();
  await expect(page.getByRole("list")).toHaveCount(0);
  await page.getByLabel("read", { exact: false }).first().uncheck();
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("Give the token a name")).toBeVisible();
  await expect(page.getByText("Pick at least one scope")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(/Invalid body/)).toHaveCount(0);

  await page.getByLabel("Name").fill("nightly export");
  await page.getByLabel("read", { exact: false }).first().check();
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toBeVisible();
  await expect(page.getByText("Give the token a name")).toHaveCount(0);
  await expect(page.getByLabel("Name")).toHaveValue("");
  await expect(page.getByTestId("token-row")).toContainText("nightly export");
});

test("the API reference, linked from the tokens page, lists every operation even when its viewer's CDN is out of reach", async ({ page }) => {
  await page.route("https://cdn.jsdelivr.net/**", (route) => route.abort());
  await signUp(page);
  await page.goto("/settings/tokens");
  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.getByRole("heading", { name: "Tastebud API" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "/api/v1/rates/{uid}" })).toContainText("GET");
  await expect(page.getByRole("link", { name: "← Back to Tastebud" })).toHaveAttribute("href", "/");
  await page.getByRole("link", { name: "/api/v1/openapi.json" }).click();
  await expect(page.locator("body")).toContainText('"openapi":"3.1.0"');
});
