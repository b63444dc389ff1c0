import { apiRoute } from "@/lib/api/handler";
import { listSchedules } from "@/lib/jobs/dispatch";
import { jobDefinitions } from "@/lib/jobs/registry";

export const GET = apiRoute({ scope: "read" }, async ({ principal }) => ({
  items: await listSchedules(principal.user),
  startable: jobDefinitions()
    .filter((d) => d.startableBy === "user" || principal.scopes.includes("admin"))
    .map((d) => ({ kind: d.kind, title: d.title, description: d.description })),
  engine: process.env.INNGEST_EVENT_KEY || process.env.INNGEST_DEV || process.env.INNGEST_BASE_URL ? "inngest" : "embedded",
  next_cursor: null,
}));
