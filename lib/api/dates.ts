import { z } from "zod";

/** 2024-02-30 parses in JavaScript (as March 1st); it is still not a date. */
export function realCalendarDay(ymd: string): boolean {
  const d = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === ymd;
}

const dateText = z
  .string()
  .trim()
  .refine((v) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)) && realCalendarDay(v.slice(0, 10)), {
    message: "must be a date like 2024-01-31 or 2024-01-31T12:00:00Z",
  });

/** A query-string date: `2024-01-31` (midnight UTC) or a full ISO time such as `2024-01-31T12:00:00Z`. */
export const DateParamSchema = dateText.transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v));

/**
 * A query-string upper bound (`to`, `to_date`) as the first instant past it, for `time < bound`: a bare day
 * includes the whole of that day (UTC), a full time includes that millisecond.
 */
export const DateUpperBoundSchema = dateText.transform((v) => new Date(v.length === 10 ? Date.parse(`${v}T00:00:00Z`) + 86_400_000 : Date.parse(v) + 1));
