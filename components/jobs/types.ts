import type { JobView } from "@/lib/jobs/store";

/** A job as the jobs API returns it (the same type the server builds it with). */
export type Job = JobView;

/**
 * What a finished job did, as shown: "skipped" for one that succeeded without doing anything because something it
 * needs is not set up (the AI picks without a language model, the Last.fm crawl without an API key), "nothing loaded"
 * for an import that ran to the end of its file and loaded no row (an empty file, or every line rejected), else its
 * status.
 */
export const outcomeOf = (job: Pick<Job, "status"> & { result?: unknown }): Job["status"] | "skipped" | "nothing loaded" => {
  if (job.status !== "succeeded") return job.status;
  const result = job.result as { skipped?: unknown; rows_loaded?: unknown } | null | undefined;
  if (typeof result?.skipped === "string") return "skipped";
  return result?.rows_loaded === 0 ? "nothing loaded" : "succeeded";
};

/**
 * A status or outcome as people read it: "sent" (handed to the job runner, no worker has taken it yet) is the API's
 * word for it and reads as jargon on a page; the others are plain words already.
 */
export const statusLabel = (status: string): string => (status === "sent" ? "dispatched" : status);

export const isActive = (job: Pick<Job, "status">) => job.status === "queued" || job.status === "sent" || job.status === "running";
