import type { Instrumentation } from "next";

// Runs once per server start: Sentry when SENTRY_DSN is set (Node and edge), then, in Node, the embedded job runner
// when no Inngest is configured. Node-only code is imported inside the NEXT_RUNTIME check so the edge build drops it.
export async function register() {
  if (process.env.SENTRY_DSN) {
    const { initSentry } = await import("./lib/ops/sentry");
    await initSentry();
  }
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startJobsWithServer } = await import("./lib/jobs/server-start");
    await startJobsWithServer();
  }
}

// Errors Next catches itself (pages, server components, server actions, route handlers outside apiRoute).
export const onRequestError: Instrumentation.onRequestError = async (err, request, context) => {
  if (!process.env.SENTRY_DSN) return;
  const Sentry = await import("@sentry/nextjs");
  Sentry.captureRequestError(err, request, context);
};
