import { envNumber } from "../config";
import { log } from "../log";
import { commonSentryOptions } from "./sentry-scrub";

// Error reporting to Sentry, on only when SENTRY_DSN is set. The SDK is loaded lazily, so a server without a DSN
// never loads it. `instrumentation.ts` calls initSentry() at server start (Node and edge alike).

const sentryDsn = () => process.env.SENTRY_DSN?.trim() || undefined;

/** Starts the Sentry SDK for this runtime when SENTRY_DSN is set; false (and nothing loaded) otherwise. */
export async function initSentry(): Promise<boolean> {
  const dsn = sentryDsn();
  if (!dsn) return false;
  const Sentry = await import("@sentry/nextjs");
  Sentry.init({
    ...commonSentryOptions(dsn),
    // Errors only unless asked: tracing every request costs more than it tells for a small deployment.
    tracesSampleRate: envNumber("SENTRY_TRACES_SAMPLE_RATE", 0),
  });
  return true;
}

/** Reports an unexpected server error (an API 500) with its request id as a tag; a no-op without SENTRY_DSN. */
export async function reportServerError(err: unknown, context: { requestId: string; req: Request }): Promise<void> {
  if (!sentryDsn()) return;
  try {
    const Sentry = await import("@sentry/nextjs");
    if (!Sentry.isInitialized()) return;
    const { req, requestId } = context;
    Sentry.withScope((scope) => {
      scope.setTag("request_id", requestId);
      // Headers go through beforeSend, which filters credentials out of them.
      scope.addEventProcessor((event) => ({ ...event, request: { method: req.method, url: req.url, headers: Object.fromEntries(req.headers) } }));
      Sentry.captureException(err);
    });
    // A Vercel function can be frozen once it has answered, so send the report first there.
    if (process.env.VERCEL) await Sentry.flush(2000);
  } catch (reportErr) {
    // Reporting must never turn one error into another; the error itself is already in the log.
    log.warn({ err: reportErr }, "could not report an error to Sentry");
  }
}
