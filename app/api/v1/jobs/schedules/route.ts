import { apiRoute, methodsNotAllowed } from "@/lib/api/handler";
import { inngestEnabled } from "@/lib/config";
import { listSchedules } from "@/lib/jobs/dispatch";
import { jobDefinitions } from "@/lib/jobs/registry";

export const GET = apiRoute({ scope: "read" }, async ({ principal }) => ({
  items: await listSchedules(principal.user),
  startable: jobDefinitions()
    // Only jobs that need no input can be started with one button (imports and evaluations have their own pages).
    .filter((d) => (d.startableBy === "user" || principal.scopes.includes("admin")) && d.kind !== "import" && d.payload.safeParse({}).success)
    .map((d) => ({ kind: d.kind, title: d.title, description: d.description })),
  /** Every job kind's name for people, for lists that show jobs ("catalog-stats" is "Recompute catalog statistics"). */
  titles: Object.fromEntries(jobDefinitions().map((d) => [d.kind, d.title])),
  engine: inngestEnabled() ? "inngest" : "embedded",
  next_cursor: null,
}));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("GET");
