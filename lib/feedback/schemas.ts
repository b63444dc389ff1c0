import { z } from "zod";
import { userRefSchema } from "../ratings/schemas";

export const FEEDBACK_TYPES = ["like", "dislike", "unlike", "hide", "unhide", "rate", "unrate", "view", "click", "impression"] as const;
export type FeedbackType = (typeof FEEDBACK_TYPES)[number];

const timestamp = z
  .union([z.number().finite(), z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: "must be an ISO date or Unix seconds" })])
  .transform((v) => (typeof v === "number" ? new Date(v * 1000) : new Date(v)))
  .refine((d) => d.getTime() > Date.UTC(1990, 0, 1) && d.getTime() < Date.now() + 86_400_000, { message: "is not a plausible time" });

export const RATING_STEPS = z.number().min(0.5).max(5).refine((v) => Number.isInteger(v * 2), { message: "must be 0.5 to 5 in half stars" });

export const FeedbackEventSchema = z
  .object({
    user_id: z.union([z.number().int().positive().max(2_147_483_647), userRefSchema()]).optional(),
    item_id: z.number().int().positive().max(2_147_483_647),
    type: z.enum(FEEDBACK_TYPES),
    value: z.number().finite().optional(),
    timestamp: timestamp.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.type === "rate") {
      const ok = RATING_STEPS.safeParse(e.value);
      if (!ok.success) ctx.addIssue({ code: "custom", path: ["value"], message: "a rate event needs a value from 0.5 to 5 in half stars" });
    }
  });
export type FeedbackEvent = z.infer<typeof FeedbackEventSchema>;

export const EventsBatchSchema = z.union([
  z.array(FeedbackEventSchema).min(1).max(1000),
  z.object({ events: z.array(FeedbackEventSchema).min(1).max(1000) }).transform((v) => v.events),
]);

export const MyFeedbackSchema = z
  .object({ item_id: z.number().int().positive().max(2_147_483_647), type: z.enum(FEEDBACK_TYPES), value: z.number().finite().optional() })
  .superRefine((e, ctx) => {
    if (e.type === "rate" && !RATING_STEPS.safeParse(e.value).success) {
      ctx.addIssue({ code: "custom", path: ["value"], message: "a rating needs a value from 0.5 to 5 in half stars" });
    }
  });

export type FeedbackState = { item_id: number; reaction: "like" | "dislike" | null; hidden: boolean; rating: number | null };

export const FeedbackStatesQuerySchema = z.object({
  item_ids: z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,199}$/, { message: "must be up to 200 comma-separated item ids" })
    .transform((v) => [...new Set(v.split(",").map(Number))])
    .refine((ids) => ids.every((n) => n >= 1 && n <= 2_147_483_647), { message: "item ids must be between 1 and 2147483647" }),
});

/** Films a page of Settings > Hidden holds; "Show more" reads the next. */
export const HIDDEN_PAGE = 50;
