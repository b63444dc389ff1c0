import { expect, test } from "@playwright/test";
import { rateFromOnboarding } from "./fixtures/feedback";
import { newPerson, signIn, signUp } from "./fixtures/users";

const ADMIN = { email: "admin@tastebud.test", password: "admin-password-e2e" };

test("an admin runs an offline evaluation of every recommender, watches it and reads the charts and table", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/experiments");
  await page.getByLabel("Name", { exact: true }).first().fill("e2e evaluation");
  await page.getByLabel("Max users").fill("300");
  await page.getByRole("button", { name: "Run evaluation" }).click();
  const bar = page.getByTestId("job-progress").getByRole("progressbar");
  await expect(bar).toBeVisible();
  await page.waitForURL(/\/experiments\/[0-9a-f-]{36}$/, { timeout: 90_000 });
  const table = page.getByTestId("metrics-table");
  await expect(table).toBeVisible({ timeout: 30_000 });
  for (const name of ["popularity", "content", "user_overlap", "item_knn", "als", "blend"]) await expect(table).toContainText(name);
  await expect(page.locator(".recharts-wrapper").first()).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  expect((await download).suggestedFilename()).toMatch(/^experiment-.*\.csv$/);
});

test("an admin cancels an evaluation midway", async ({ page, request }) => {
  const { token } = await (await request.post("/api/v1/auth/token", { data: { ...ADMIN, scopes: ["admin"] } })).json();
  const created = await request.post("/api/v1/experiments", {
    headers: { authorization: `Bearer ${token}` },
    data: { kind: "offline", name: "to cancel", split: "random", folds: 5, max_users: 3000, params: { factors: 48, iterations: 20 } },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/experiments");
  const row = page.locator(`[data-experiment-id="${id}"]`);
  await expect(row.getByRole("progressbar")).toBeVisible({ timeout: 30_000 });
  await row.getByRole("button", { name: "Cancel to cancel" }).click();
  await expect(row).toContainText("cancelled", { timeout: 30_000 });
  const legacy = await request.get(`/api/v1/get_result?task_id=${(await (await request.get(`/api/v1/experiments/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()).job.id}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect((await legacy.json()).status).toBe("REVOKED");
});

test("an A/B test counts the recommended cards a person's home page shows, and a card they open as a click", async ({ page, request }) => {
  test.setTimeout(90_000);
  const tokenOf = async (email: string, password: string, scopes: string[]) => {
    const res = await request.post("/api/v1/auth/token", { data: { email, password, scopes } });
    expect(res.status()).toBe(201);
    return { authorization: `Bearer ${(await res.json()).token}` };
  };
  const admin = await tokenOf(ADMIN.email, ADMIN.password, ["admin"]);
  const created = await request.post("/api/v1/experiments", {
    headers: admin,
    data: { kind: "ab", name: "e2e home page", variants: [{ name: "control", weights: {} }, { name: "knn-heavy", weights: { item_knn: 3 } }] },
  });
  expect(created.status()).toBe(201);
  const experiment = (await created.json()) as { id: string };
  try {
    await signUp(page, newPerson("ab"));
    await rateFromOnboarding(page);

    await page.goto("/");
    const recommended = page.locator("section").filter({ hasNot: page.getByRole("heading", { name: /^Popular in / }) }).getByTestId("movie-card");
    await expect(recommended.first()).toBeVisible();
    const shown = await recommended.count();
    type Result = { result: { variants: { variant: string; impressions: number; ctr: { count: number } }[] } };
    const variantsNow = async () => ((await (await request.get(`/api/v1/experiments/${experiment.id}`, { headers: admin })).json()) as Result).result.variants;
    const total = (vs: { impressions: number }[]) => vs.reduce((n, v) => n + v.impressions, 0);
    expect(total(await variantsNow())).toBe(shown);

    const clicked = page.waitForResponse((r) => r.url().endsWith("/api/v1/me/feedback") && r.request().method() === "POST" && r.request().postData()?.includes('"click"') === true);
    await recommended.first().getByRole("link").first().click();
    expect((await clicked).status()).toBe(200);
    await expect(page.getByRole("heading", { name: "More like this" })).toBeVisible();
    expect((await variantsNow()).reduce((n, v) => n + v.ctr.count, 0)).toBe(1);

    // One person sees one variant: the other has no rates yet, and the comparison says so instead of a p-value.
    const unseen = (await variantsNow()).find((v) => v.impressions === 0) as { variant: string };
    await page.goto(`/experiments/${experiment.id}`);
    const row = page.getByTestId("variants-table").getByRole("row").filter({ hasText: unseen.variant });
    await expect(row.getByText("no data yet")).toHaveCount(2);
    await expect(page.getByTestId("comparisons").getByText(`Not enough data yet: ${unseen.variant} has no impressions.`).first()).toBeVisible();
    await expect(page.getByTestId("comparisons")).not.toContainText("p = ");
  } finally {
    await request.post(`/api/v1/experiments/${experiment.id}/cancel`, { headers: admin });
  }
});

test("the A/B form says beside each field what is wrong and starts nothing", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/experiments");
  const before = await page.request.get("/api/v1/experiments?limit=100");
  const count = ((await before.json()) as { items: unknown[] }).items.length;
  await page.locator("#ab-variant-0-name").fill("");
  await page.locator("#ab-variant-1-name").fill("knn heavy!");
  await page.locator("#ab-variant-1-item_knn").fill("42");
  await page.getByRole("button", { name: "Start A/B test" }).click();
  await expect(page.locator("#ab-variant-0-name-error")).toHaveText("Give the variant a name.");
  await expect(page.locator("#ab-variant-1-name-error")).toHaveText("Use letters, digits, spaces, - and _.");
  await expect(page.locator("#ab-variant-1-item_knn-error")).toHaveText("A number from 0 to 10.");
  await expect(page.locator("#ab-variant-1-name")).toHaveAttribute("aria-invalid", "true");
  const after = await page.request.get("/api/v1/experiments?limit=100");
  expect(((await after.json()) as { items: unknown[] }).items.length).toBe(count);
});
