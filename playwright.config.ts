import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const LASTFM_PORT = Number(process.env.E2E_LASTFM_PORT ?? 3199);
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"], ["json", { outputFile: ".test-results/playwright.json" }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download cannot run on these machines.
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
    },
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], channel: undefined } },
    { name: "phone", use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, testMatch: /shell\.spec\.ts/ },
  ],
  webServer: [
    {
      // A stand-in for the Last.fm API (its real JSON shapes), slowed a little so progress can be watched.
      command: `node e2e/support/fake-lastfm.mjs ${LASTFM_PORT}`,
      port: LASTFM_PORT,
      reuseExistingServer: false,
      env: { FAKE_LASTFM_DELAY_MS: "150" },
    },
    {
    command: "node e2e/support/server.mjs",
    url: `http://localhost:${PORT}/api/v1/healthcheck`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      DATA_DIR: ".data-e2e",
      DEMO_USERS: "500",
      ADMIN_EMAIL: "admin@tastebud.test",
      ADMIN_PASSWORD: "admin-password-e2e",
      LOG_LEVEL: "warn",
      LASTFM_API_URL: `http://127.0.0.1:${LASTFM_PORT}/2.0/`,
      LASTFM_API_KEY: "test-key",
      LASTFM_MIN_INTERVAL_MS: "0",
    },
    },
  ],
});
