import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { LogsQuerySchema, queryLogs } from "@/lib/experiments/logs";

// Rows of a registered table (ratings, events, jobs) by date range and user, newest first. Operators only.
export const GET = apiRoute({ scope: "admin", query: LogsQuerySchema }, async ({ query }) => queryLogs(query));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
