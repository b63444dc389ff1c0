import { z } from "zod";
import { ApiError } from "../api/errors";
import { decodeCursor, encodeCursor, type Page } from "../api/pagination";
import { prisma, Prisma } from "../db/client";
import { PageQuerySchema } from "../api/pagination";
import { DateParamSchema, DateUpperBoundSchema } from "../api/dates";
import { resolveUserRef } from "../ratings/history";
import { userRefSchema } from "../ratings/schemas";

// Event logs over any registered table. Adding a table to the logs API is one entry here: its time column, the
// column naming the user, the key that orders rows with the same time, and the columns to return.

type LogTable = { table: string; time: string; user: string; key: string[]; columns: string[] };

/** Columns besides each table's own time column that hold times. */
const TIME_COLUMNS = new Set(["created_at", "started_at", "finished_at", "rated_at", "played_at"]);

export const LOG_TABLES: Record<string, LogTable> = {
  ratings: { table: "ratings", time: "rated_at", user: "user_id", key: ["user_id", "item_id"], columns: ["user_id", "item_id", "rating", "rated_at"] },
  events: { table: "events", time: "created_at", user: "user_id", key: ["id"], columns: ["id", "user_id", "item_id", "type", "value", "created_at"] },
  plays: { table: "plays", time: "played_at", user: "user_id", key: ["id"], columns: ["id", "user_id", "item_id", "played_at", "source"] },
  jobs: { table: "jobs", time: "created_at", user: "owner_id", key: ["id"], columns: ["id", "kind", "owner_id", "status", "progress", "message", "attempts", "created_at", "started_at", "finished_at"] },
};

export function registerLogTable(name: string, table: LogTable): void {
  LOG_TABLES[name] = table;
}

export const LogsQuerySchema = PageQuerySchema.extend({
  table: z.string().trim().min(1).max(40).optional(),
  table_name: z.string().trim().min(1).max(40).optional(),
  from_date: DateParamSchema.optional(),
  to_date: DateUpperBoundSchema.optional(),
  /** Tastebud's numeric id or `<source>:<id>`, as everywhere in the API. */
  user_id: userRefSchema().optional(),
})
  .transform((q) => ({ ...q, table: q.table ?? q.table_name }))
  .refine((q) => q.table !== undefined, { message: "name a table with ?table= (or the old ?table_name=)", path: ["table"] })
  .refine((q) => !q.from_date || !q.to_date || q.from_date < q.to_date, { message: "from_date must not be after to_date", path: ["from_date"] });

export async function queryLogs(q: z.infer<typeof LogsQuerySchema>): Promise<Page<Record<string, unknown>> & { table: string }> {
  const name = q.table as string;
  const t = LOG_TABLES[name];
  if (!t) throw new ApiError(400, "validation_failed", `Unknown table "${name}"; the logs cover ${Object.keys(LOG_TABLES).join(", ")}`, { errors: [{ path: "query.table", message: "unknown table" }] });
  const ident = (c: string) => Prisma.raw(`"${c}"`);
  const order = [t.time, ...t.key];
  const where: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (q.from_date) where.push(Prisma.sql`${ident(t.time)} >= ${q.from_date}`);
  if (q.to_date) where.push(Prisma.sql`${ident(t.time)} < ${q.to_date}`);
  if (q.user_id !== undefined) {
    const userId = /^\d+$/.test(q.user_id) ? Number(q.user_id) : (await resolveUserRef(q.user_id)).id;
    where.push(Prisma.sql`${ident(t.user)} = ${userId}`);
  }
  const after = decodeCursor(q.cursor, z.array(z.union([z.string(), z.number()])).length(order.length));
  if (after) {
    const values = after.map((v, i) => (i === 0 ? Prisma.sql`${new Date(String(v))}` : Prisma.sql`${v}`));
    where.push(Prisma.sql`(${Prisma.join(order.map(ident), ", ")}) < (${Prisma.join(values, ", ")})`);
  }
  // Times as the rest of the API writes them (2026-12-03T10:45:40.090Z), not as json_build_object does (+00:00).
  const column = (c: string) => (c === t.time || TIME_COLUMNS.has(c) ? Prisma.sql`to_char(${ident(c)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : ident(c));
  const rows = await prisma().$queryRaw<{ row: Record<string, unknown>; t: Date; k: (string | number)[] }[]>`
    SELECT json_build_object(${Prisma.join(t.columns.map((c) => Prisma.sql`${c}::text, ${column(c)}`), ", ")}) AS row,
           ${ident(t.time)} AS t, json_build_array(${Prisma.join(t.key.map((c) => Prisma.sql`${ident(c)}`), ", ")}) AS k
    FROM ${Prisma.raw(`"${t.table}"`)} WHERE ${Prisma.join(where, " AND ")}
    ORDER BY ${Prisma.join(order.map((c) => Prisma.sql`${ident(c)} DESC`), ", ")} LIMIT ${q.limit + 1}`;
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  const next = rows.length > q.limit && last ? encodeCursor([last.t.toISOString(), ...last.k]) : null;
  return { table: name, items: items.map((r) => r.row), next_cursor: next };
}
