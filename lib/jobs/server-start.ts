import { inngestEnabled } from "../config";
import { startJobRunner, stopJobRunner } from "./embedded";

/** Starts the embedded job runner inside the web server when no Inngest is configured; stops it on SIGTERM/SIGINT. */
export async function startJobsWithServer(): Promise<void> {
  if (inngestEnabled() || !process.env.DATABASE_URL) return;
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
