// Starts the embedded job runner with the server when no Inngest is configured.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { inngestEnabled } = await import("./lib/config");
  if (inngestEnabled() || !process.env.DATABASE_URL) return;
  const { startJobRunner, stopJobRunner } = await import("./lib/jobs/embedded");
  await startJobRunner(process.env.DATABASE_URL);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stopJobRunner().finally(() => process.exit(signal === "SIGINT" ? 130 : 0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
