export type Job = {
  id: string;
  kind: string;
  owner_id: number | null;
  status: "queued" | "sent" | "running" | "succeeded" | "failed" | "cancelled";
  progress: number;
  message: string | null;
  result: unknown;
  error: string | null;
  attempts: number;
  max_attempts: number;
  cancel_requested: boolean;
  scheduled: boolean;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
};

export const isActive = (job: Pick<Job, "status">) => job.status === "queued" || job.status === "sent" || job.status === "running";
