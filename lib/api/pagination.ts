import { z } from "zod";
import { ApiError } from "./errors";

// Cursor pagination: `?limit=&cursor=` in, `{ items, next_cursor }` out. Cursors are opaque to clients.
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

export type Page<T> = { items: T[]; next_cursor: string | null };

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the error below
  }
  throw new ApiError(400, "invalid_cursor", "The cursor is not one this API issued; start again without it");
}

/** The cursor of a list newest first: the last row's time (ISO) and its integer id, which breaks ties. */
export const NewestFirstCursor = z.object({ t: z.iso.datetime(), i: z.number().int() });

/** Takes `limit + 1` rows and turns the extra one into the next cursor. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, cursorOf: (row: R) => unknown): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(map), next_cursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
