import { z } from "zod";
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

export const GetResultQuerySchema = z
  .object({ task_id: z.string().trim().min(1).max(100).optional(), id: z.string().trim().min(1).max(100).optional() })
  .refine((q) => q.task_id || q.id, { message: "pass ?task_id= (or ?id=)", path: ["task_id"] });
