import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Server-only guards are for Next's bundler; tests run lib/ code directly.
      "server-only": path.resolve(import.meta.dirname, "tests/support/empty.ts"),
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests call the API far faster than people do; tests/rate-limit.test.ts sets its own limits.
    env: { NODE_ENV: "test", LOG_LEVEL: "silent", RATE_LIMIT_SIGNIN_PER_MINUTE: "100000", RATE_LIMIT_PER_MINUTE: "100000", RATE_LIMIT_ANONYMOUS_PER_MINUTE: "100000" },
  },
});
