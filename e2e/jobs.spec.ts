import { expect, test } from "@playwright/test";
import { signIn } from "./fixtures/users";

const ADMIN = { email: "admin@tastebud.test", password: "admin-password-e2e" };

test("an admin runs the statistics job, watches it reach 100% and reads the result", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/jobs");
  await expect(page.getByTestId("schedule-row").filter({ hasText: "Recompute catalog statistics" })).toContainText("0 3 * * *");
  await page.getByRole("button", { name: "Run now: Recompute catalog statistics" }).click();
  const row = page.locator('[data-testid="job-row"][data-kind="catalog-stats"]').first();
  await expect(row.getByText("Recompute catalog statistics", { exact: true })).toBeVisible();
  await expect(row.getByTestId("job-status")).toHaveText("succeeded", { timeout: 30_000 });
  await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
  await row.locator("summary").click();
  await expect(row.getByTestId("job-result")).toContainText('"items": ');
});

test("a job that had nothing to do for want of its set-up says it was skipped, not that it succeeded", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/jobs");
  await page.getByRole("button", { name: "Run now: AI picks" }).click();
  const row = page.locator('[data-testid="job-row"][data-kind="llm-picks"]').first();
  await expect(row.getByTestId("job-status")).toHaveText("skipped", { timeout: 30_000 });
  await expect(row.getByTestId("job-message")).toContainText("no language model is configured");
  await expect(page.getByTestId("schedule-row").filter({ hasText: "AI picks" })).toContainText("(skipped)");
});

test("an admin cancels a running job midway", async ({ page, request }) => {
  const tokenRes = await request.post("/api/v1/auth/token", { data: { ...ADMIN, scopes: ["admin"] } });
  const { token } = await tokenRes.json();
  const started = await request.post("/api/v1/jobs", {
    headers: { authorization: `Bearer ${token}` },
    data: { kind: "catalog-stats", payload: { throttle_ms: 800 } },
  });
  expect(started.status()).toBe(202);
  const { id } = await started.json();

  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/jobs");
  const row = page.locator(`[data-job-id="${id}"]`);
  await expect(row.getByTestId("job-status")).toHaveText("running", { timeout: 15_000 });
  await expect.poll(async () => Number(await row.getByRole("progressbar").getAttribute("aria-valuenow")), { timeout: 15_000 }).toBeGreaterThan(5);
  await row.getByRole("button", { name: "Cancel" }).click();
  await expect(row.getByTestId("job-status")).toHaveText("cancelled", { timeout: 15_000 });
  const percent = Number(await row.getByRole("progressbar").getAttribute("aria-valuenow"));
  expect(percent).toBeLessThan(100);

  const view = await request.get(`/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } });
  expect(await view.json()).toMatchObject({ status: "cancelled", cancel_requested: true });
  const unknown = await request.get("/api/v1/jobs/00000000-0000-4000-8000-000000000000", { headers: { authorization: `Bearer ${token}` } });
  expect(unknown.status()).toBe(404);
});
