import { z } from "zod";
import { CreateTokenSchema, RegisterSchema, TokenExchangeSchema } from "../auth/schemas";
import { ItemSearchSchema } from "../catalog/schemas";
import { CreateExperimentSchema, ExperimentIdParamSchema, ExperimentListQuerySchema } from "../experiments/schemas";
import { GetResultQuerySchema } from "../experiments/legacy";
import { LogsQuerySchema } from "../experiments/logs";
import { EventsBatchSchema, FeedbackStatesQuerySchema, MyFeedbackSchema } from "../feedback/schemas";
import { ImportParamsSchema, ImportQuerySchema } from "../jobs/handlers/import";
import { JobIdParamSchema, JobListQuerySchema, StartJobSchema } from "../jobs/schemas";
import { ConnectLastfmSchema } from "../lastfm/plays";
import { LegacyUidParamSchema, RatingHistoryQuerySchema, UserRefParamSchema } from "../ratings/schemas";
import { AddItemsSchema, InteractSchema, LegacyRecsParamsSchema } from "../recs/legacy";
import { ItemsBatchSchema, PopularQuerySchema, RecsQuerySchema, SimilarQuerySchema } from "../recs/schemas";
import { IdParamSchema } from "./handler";
import { PageQuerySchema } from "./pagination";

// The OpenAPI 3.1 document, built from the same zod schemas the route handlers parse with. A test fails when a
// route exists that is not listed here, or the other way round.

type Auth = "none" | "optional" | "required";
export type Operation = {
  method: "get" | "post" | "delete";
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  scope?: "read" | "write" | "admin";
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success status and what it returns. */
  ok: [number, string];
  legacy?: boolean;
  raw?: string;
};

const op = (o: Operation) => o;

export const OPERATIONS: Operation[] = [
  op({ method: "post", path: "/auth/register", summary: "Create an account", tag: "Accounts", auth: "none", body: RegisterSchema, ok: [201, "The new account"] }),
  op({ method: "post", path: "/auth/token", summary: "Exchange email and password for a personal token", tag: "Accounts", auth: "none", body: TokenExchangeSchema, ok: [201, "The token, shown once"] }),
  op({ method: "get", path: "/me", summary: "Who this token or session is", tag: "Accounts", auth: "required", scope: "read", ok: [200, "The account and its scopes"] }),
  op({ method: "get", path: "/tokens", summary: "List your personal tokens", tag: "Accounts", auth: "required", scope: "read", query: PageQuerySchema, ok: [200, "A page of tokens (prefix, scopes, last use), newest first"] }),
  op({ method: "post", path: "/tokens", summary: "Create a personal token", tag: "Accounts", auth: "required", scope: "write", body: CreateTokenSchema, ok: [201, "The token, shown once"] }),
  op({ method: "delete", path: "/tokens/{id}", summary: "Revoke a token", tag: "Accounts", auth: "required", scope: "write", params: IdParamSchema, ok: [204, "Revoked"] }),
  op({ method: "get", path: "/items", summary: "Search the catalog", tag: "Catalog", auth: "optional", scope: "read", query: ItemSearchSchema, ok: [200, "A page of items"] }),
  op({ method: "post", path: "/items", summary: "Upsert items by (source, external_id)", tag: "Catalog", auth: "required", scope: "admin", body: ItemsBatchSchema, ok: [200, "Counts and ids"] }),
  op({ method: "get", path: "/items/{id}", summary: "One item with statistics", tag: "Catalog", auth: "optional", scope: "read", params: IdParamSchema, ok: [200, "The item"] }),
  op({ method: "get", path: "/items/{id}/similar", summary: "More like this", tag: "Recommendations", auth: "optional", scope: "read", params: IdParamSchema, query: SimilarQuerySchema, ok: [200, "Similar items with reasons"] }),
  op({ method: "get", path: "/popular", summary: "Top rated by weighted mean", tag: "Recommendations", auth: "optional", scope: "read", query: PopularQuerySchema, ok: [200, "A page of items"] }),
  op({ method: "get", path: "/users/{id}/recommendations", summary: "A user's recommendations with reasons", tag: "Recommendations", auth: "optional", scope: "read", params: UserRefParamSchema, query: RecsQuerySchema, ok: [200, "Items with score, reason, source"] }),
  op({ method: "get", path: "/users/{id}/llm-picks", summary: "A user's AI picks", tag: "Recommendations", auth: "optional", scope: "read", params: UserRefParamSchema, ok: [200, "Picks with the model's reasons"] }),
  op({ method: "post", path: "/me/llm-picks/refresh", summary: "Ask the language model for fresh picks now", tag: "Recommendations", auth: "required", scope: "write", ok: [202, "The job"] }),
  op({ method: "get", path: "/users/{id}/ratings", summary: "Rating history, newest first", tag: "Ratings", auth: "optional", scope: "read", params: UserRefParamSchema, query: RatingHistoryQuerySchema, ok: [200, "A page of ratings (X-Cache: HIT|MISS)"] }),
  op({ method: "get", path: "/users/{id}/profile", summary: "Rating profile", tag: "Ratings", auth: "optional", scope: "read", params: UserRefParamSchema, ok: [200, "Counts, mean, top genres, first and last rating"] }),
  op({ method: "get", path: "/users/{id}/plays", summary: "Last.fm plays, newest first", tag: "Music", auth: "optional", scope: "read", params: UserRefParamSchema, query: PageQuerySchema, ok: [200, "A page of plays"] }),
  op({ method: "post", path: "/imports/lastfm", summary: "Import a Last.fm listening history", tag: "Music", auth: "required", scope: "write", body: ConnectLastfmSchema, ok: [202, "The import job"] }),
  op({ method: "post", path: "/imports/{kind}", summary: "Upload a ratings or catalog file", tag: "Ratings", auth: "required", scope: "admin", params: ImportParamsSchema, query: ImportQuerySchema, raw: "The file as the body (text/csv or application/octet-stream), or multipart/form-data with a `file` field", ok: [202, "The import job"] }),
  op({ method: "post", path: "/events", summary: "Feedback events in batches", tag: "Feedback", auth: "required", scope: "write", body: EventsBatchSchema, ok: [202, "Accepted count"] }),
  op({ method: "get", path: "/me/feedback", summary: "Your reactions to items", tag: "Feedback", auth: "required", scope: "read", query: FeedbackStatesQuerySchema, ok: [200, "States"] }),
  op({ method: "post", path: "/me/feedback", summary: "React to one item", tag: "Feedback", auth: "required", scope: "write", body: MyFeedbackSchema, ok: [200, "The item's new state"] }),
  op({ method: "get", path: "/me/hidden", summary: "Your hidden items", tag: "Feedback", auth: "required", scope: "read", query: PageQuerySchema, ok: [200, "A page of hidden items, most recently hidden first"] }),
  op({ method: "get", path: "/jobs", summary: "List jobs", tag: "Jobs", auth: "required", scope: "read", query: JobListQuerySchema, ok: [200, "A page of jobs"] }),
  op({ method: "post", path: "/jobs", summary: "Start a job", tag: "Jobs", auth: "required", scope: "write", body: StartJobSchema, ok: [202, "The job"] }),
  op({ method: "get", path: "/jobs/schedules", summary: "Scheduled jobs and the kinds you can start", tag: "Jobs", auth: "required", scope: "read", ok: [200, "Schedules"] }),
  op({ method: "get", path: "/jobs/{id}", summary: "One job", tag: "Jobs", auth: "required", scope: "read", params: JobIdParamSchema, ok: [200, "The job"] }),
  op({ method: "post", path: "/jobs/{id}/cancel", summary: "Cancel a job", tag: "Jobs", auth: "required", scope: "write", params: JobIdParamSchema, ok: [200, "The job"] }),
  op({ method: "get", path: "/experiments", summary: "List experiments", tag: "Experiments", auth: "required", scope: "read", query: ExperimentListQuerySchema, ok: [200, "A page of experiments"] }),
  op({ method: "post", path: "/experiments", summary: "Start an offline evaluation or an A/B test", tag: "Experiments", auth: "required", scope: "write", body: CreateExperimentSchema, ok: [201, "The experiment"] }),
  op({ method: "get", path: "/experiments/{id}", summary: "One experiment with its results", tag: "Experiments", auth: "required", scope: "read", params: ExperimentIdParamSchema, ok: [200, "The experiment"] }),
  op({ method: "post", path: "/experiments/{id}/cancel", summary: "Cancel an evaluation or stop an A/B test", tag: "Experiments", auth: "required", scope: "write", params: ExperimentIdParamSchema, ok: [200, "The experiment"] }),
  op({ method: "get", path: "/logs", summary: "Rows of a logged table by date and user", tag: "Experiments", auth: "required", scope: "admin", query: LogsQuerySchema, ok: [200, "A page of rows"] }),
  op({ method: "get", path: "/health", summary: "Database, each read replica, cache and jobs with their latency", tag: "Operations", auth: "none", ok: [200, "Health"] }),
  op({ method: "get", path: "/openapi.json", summary: "This document", tag: "Operations", auth: "none", ok: [200, "OpenAPI 3.1"] }),
  op({ method: "get", path: "/healthcheck", summary: "Liveness for the grader", tag: "legacy", auth: "none", ok: [200, "ok"], legacy: true }),
  op({ method: "get", path: "/ping", summary: "Ping for the rating service's clients", tag: "legacy", auth: "none", ok: [200, "pong"], legacy: true }),
  op({ method: "get", path: "/cleanup", summary: "Reset the grader's items, users and caches", tag: "legacy", auth: "required", scope: "admin", ok: [200, "Removed counts"], legacy: true }),
  op({ method: "post", path: "/cleanup", summary: "Reset the grader's items, users and caches", tag: "legacy", auth: "required", scope: "admin", ok: [200, "Removed counts"], legacy: true }),
  op({ method: "post", path: "/add_items", summary: "Add items by the caller's ids with genres", tag: "legacy", auth: "optional", scope: "write", body: AddItemsSchema, ok: [200, "Added count"], legacy: true }),
  op({ method: "post", path: "/interact", summary: "Likes and dislikes by the caller's ids", tag: "legacy", auth: "optional", scope: "write", body: InteractSchema, ok: [200, "Accepted count"], legacy: true }),
  op({ method: "get", path: "/recs/{user_id}", summary: "Top 100 in the caller's ids", tag: "legacy", auth: "optional", scope: "read", params: LegacyRecsParamsSchema, ok: [200, '{"item_ids": [...]}'], legacy: true }),
  op({ method: "get", path: "/rates/{uid}", summary: "Every rating of a user from ratings.csv", tag: "legacy", auth: "optional", scope: "read", params: LegacyUidParamSchema, ok: [200, '[{"movie_id", "rating", "timestamp"}]'], legacy: true }),
  op({ method: "get", path: "/user/profile/{uid}", summary: "Rating profile by ratings.csv id", tag: "legacy", auth: "optional", scope: "read", params: LegacyUidParamSchema, ok: [200, "Profile"], legacy: true }),
  op({ method: "post", path: "/launch", summary: "Start an evaluation (empty body: the default one)", tag: "legacy", auth: "required", scope: "write", body: CreateExperimentSchema.optional(), ok: [202, '{"task_id"}'], legacy: true }),
  op({ method: "get", path: "/get_result", summary: "A task's status, progress and result", tag: "legacy", auth: "required", scope: "read", query: GetResultQuerySchema, ok: [200, '{"status", "progress", "result"?}'], legacy: true }),
];

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;

function parameters(schema: z.ZodType | undefined, where: "path" | "query") {
  if (!schema) return [];
  const s = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({ name, in: where, required: where === "path" || (s.required ?? []).includes(name), schema: prop }));
}

const isWrite = (o: Operation) => o.method !== "get";

const IDEMPOTENCY_KEY = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Makes a retry safe: the first answer under this key is stored (per user, or per client IP without one) and sent again with `Idempotent-Replayed: true`. The same key with a different request gets 422, and while the first request is still running 409. A failed request frees its key.",
  schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,200}$" },
};

const PROBLEM = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string" },
    instance: { type: "string" },
    errors: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
  },
};

export function openApiDocument(serverUrl = "/api/v1") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const o of OPERATIONS) {
    const problems: Record<string, unknown> = {};
    const errorStatuses = [
      "400",
      ...(o.auth === "required" || o.auth === "optional" ? ["401"] : []),
      ...(o.scope ? ["403"] : []),
      ...(o.params ? ["404"] : []),
      ...(isWrite(o) ? ["409"] : []),
      ...(o.body ? ["413", "415"] : []),
      ...(o.body || isWrite(o) ? ["422"] : []),
    ];
    for (const s of errorStatuses) problems[s] = { $ref: "#/components/responses/Problem" };
    paths[o.path] ??= {};
    paths[o.path][o.method] = {
      operationId: `${o.method}${o.path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      summary: o.summary,
      tags: [o.tag],
      ...(o.legacy ? { description: "Kept with its old shape for the systems Tastebud replaced." } : {}),
      security: o.auth === "none" ? [] : o.auth === "optional" ? [{}, { bearer: [] }] : [{ bearer: [] }],
      ...(o.scope ? { "x-scope": o.scope } : {}),
      parameters: [...parameters(o.params, "path"), ...parameters(o.query, "query"), ...(isWrite(o) ? [{ $ref: "#/components/parameters/IdempotencyKey" }] : [])],
      ...(o.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(o.body) } } } } : {}),
      ...(o.raw ? { requestBody: { required: true, description: o.raw, content: { "text/csv": { schema: { type: "string" } }, "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } } } } } } } : {}),
      responses: { [String(o.ok[0])]: { description: o.ok[1], ...(isWrite(o) ? { headers: { "Idempotent-Replayed": { $ref: "#/components/headers/IdempotentReplayed" } } } : {}) }, ...problems },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Tastebud API", version: "1.0.0", description: "Recommendations that say why. Send `Authorization: Bearer <token>` (scopes read, write, admin). Lists take `?limit=&cursor=` and answer `{items, next_cursor}`; errors are RFC 9457 problem+json. Every write takes an `Idempotency-Key` header for safe retries." },
    servers: [{ url: serverUrl }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name, ...(name === "legacy" ? { description: "Endpoints of the older systems, in their old shapes" } : {}) })),
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A personal token from /settings/tokens or POST /auth/token" } },
      schemas: { Problem: PROBLEM },
      parameters: { IdempotencyKey: IDEMPOTENCY_KEY },
      headers: { IdempotentReplayed: { description: "`true` when this is the stored answer to an earlier request with the same Idempotency-Key", schema: { type: "string", enum: ["true"] } } },
      responses: { Problem: { description: "RFC 9457 problem details", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } } },
    },
  };
}
