// The security headers every response carries, in one place: next.config.mjs sends them through Next, and the
// production server's fast lane (lib/http/fast-lane.ts) adds the same ones to the reads it answers itself.
// Plain JavaScript because next.config.mjs imports it.

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

const common = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/** Headers for every path but the API reference page. */
export const securityHeaders = [...common, { key: "Content-Security-Policy", value: csp() }];

/** The API reference page's: Scalar's viewer and fonts come from their CDN. */
export const apiReferenceHeaders = [...common, { key: "Content-Security-Policy", value: csp(" https://cdn.jsdelivr.net https://fonts.scalar.com") }];

/** The browser's Sentry DSN, when one is set at build time (public by design). */
export { clientSentryDsn };
