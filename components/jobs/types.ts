import type { JobView } from "@/lib/jobs/store";

/** A job as the jobs API returns it (the same type the server builds it with). */
export type Job = JobView;

export const isActive = (job: Pick<Job, "status">) => job.status === "queued" || job.status === "sent" || job.status === "running";
