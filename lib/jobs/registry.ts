import { ApiError } from "../api/errors";
import { catalogStatsJob } from "./handlers/catalog-stats";
import { expireIdempotencyKeysJob } from "./handlers/expire-idempotency-keys";
import { importJob } from "./handlers/import";
import { ratingListsJob } from "./handlers/rating-lists";
import { retrainJob } from "./handlers/retrain";
import { evaluationJob } from "../experiments/offline";
import { llmPicksJob } from "../llm/job";
import { lastfmCrawlJob, lastfmImportJob } from "../lastfm/import";
import type { JobDefinition } from "./types";

// Every job Tastebud knows, in one place: both engines and the Jobs page read this list.
const definitions = new Map<string, JobDefinition<never>>();

export function registerJob(def: JobDefinition<never> | JobDefinition<unknown>): void {
  definitions.set(def.kind, def as JobDefinition<never>);
}

export function jobDefinition(kind: string): JobDefinition<unknown> | undefined {
  return definitions.get(kind) as JobDefinition<unknown> | undefined;
}

/** The definition of a kind a caller asked for, or the 400 that lists the kinds there are. */
export function requestedJobDefinition(kind: string): JobDefinition<unknown> {
  const def = jobDefinition(kind);
  if (def) return def;
  const kinds = jobDefinitions().map((d) => d.kind).sort();
  throw new ApiError(400, "validation_failed", `There is no job kind "${kind}"; the kinds are ${kinds.join(", ")}`, { errors: [{ path: "body.kind", message: `must be one of ${kinds.join(", ")}` }] });
}

export function jobDefinitions(): JobDefinition<unknown>[] {
  return [...definitions.values()] as JobDefinition<unknown>[];
}

registerJob(catalogStatsJob);
registerJob(importJob);
registerJob(retrainJob);
registerJob(ratingListsJob);
registerJob(evaluationJob);
registerJob(llmPicksJob);
registerJob(lastfmImportJob);
registerJob(lastfmCrawlJob);
registerJob(expireIdempotencyKeysJob);
