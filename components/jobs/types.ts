import type { JobView } from "@/lib/jobs/store";

/** A job as the jobs API returns it (the same type the server builds it with). */
export type Job = JobView;

/**
 * What a finished job did, as shown: "skipped" for one that succeeded without doing anything because something it
 * needs is not set up (the AI picks without a language model, the Last.fm crawl without an API key), else its status.
 */
export const outcomeOf = (job: Pick<Job, "status"> & { result?: unknown }): Job["status"] | "skipped" =>
  job.status === "succeeded" && typeof (job.result as { skipped?: unknown } | null | undefined)?.skipped === "string" ? "skipped" : job.status;

export const isActive = (job: Pick<Job, "status">) => job.status === "queued" || job.status === "sent" || job.status === "running";
