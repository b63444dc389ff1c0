import { commonSentryOptions } from "./lib/ops/sentry-scrub";

// Browser errors to Sentry, only when the build was given a DSN (next.config.mjs exposes SENTRY_DSN as
// NEXT_PUBLIC_SENTRY_DSN, and nothing else); without one the SDK is not even downloaded.
const dsn = process.env.NEXT_PUBLIC_SENTRY_DSN;
if (dsn) {
  void import("@sentry/nextjs").then((Sentry) => Sentry.init({ ...commonSentryOptions(dsn), tracesSampleRate: 0 }));
}
