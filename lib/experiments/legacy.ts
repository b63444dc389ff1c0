import type { JobStatus } from "../db/client";

// The analytics service's task statuses, as its old clients expect them.
export const LEGACY_STATUS: Record<JobStatus, "PENDING" | "SENT" | "STARTED" | "SUCCESS" | "FAILURE" | "REVOKED"> = {
  queued: "PENDING",
  sent: "SENT",
  running: "STARTED",
  succeeded: "SUCCESS",
  failed: "FAILURE",
  cancelled: "REVOKED",
};
