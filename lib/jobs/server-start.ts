import { inngestEnabled } from "../config";
import { startJobRunner, stopJobRunnerOnSignals } from "./embedded";

/**
 * Starts the embedded job runner inside the web server when no Inngest is configured; stops it on SIGTERM/SIGINT.
 * `JOB_RUNNER=off` keeps it out of this process: jobs are still queued here and run by another process on the same
 * database (`npm run jobs`), so a copy that serves traffic never shares its CPU with a retrain. The benches use it,
 * so that a scheduled job (the retrain at 15 past every sixth hour) cannot run inside the server they measure.
 */
export async function startJobsWithServer(): Promise<void> {
  if (inngestEnabled() || !process.env.DATABASE_URL || process.env.JOB_RUNNER === "off") return;
  await startJobRunner(process.env.DATABASE_URL);
  stopJobRunnerOnSignals();
}
