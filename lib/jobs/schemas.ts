import { z } from "zod";
import { PageQuerySchema } from "../api/pagination";

export const JOB_STATUSES = ["queued", "sent", "running", "succeeded", "failed", "cancelled"] as const;

export const JobListQuerySchema = PageQuerySchema.extend({
  status: z.enum(JOB_STATUSES).optional(),
  kind: z.string().trim().min(1).max(60).optional(),
  mine: z.enum(["true", "false"]).optional(),
});

export const StartJobSchema = z.object({
  kind: z.string().trim().min(1).max(60),
  payload: z.record(z.string(), z.unknown()).default({}),
});

export const JobIdParamSchema = z.object({ id: z.string().min(1).max(100) });
