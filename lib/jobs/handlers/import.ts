import { statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { z } from "zod";
import { CATALOG_READERS, importCatalogFile, type CatalogFormat } from "../../catalog/import";
import { recomputeCatalogStats, refreshItemStats } from "../../catalog/stats";
import { inngestEnabled } from "../../config";
import { databaseUrl } from "../../db/client";
import { log } from "../../log";
import { RATING_FORMATS } from "../../ratings/formats";
import { invalidateAllRatings } from "../../ratings/history";
import { abandonImport, errorBudgetLeft, importRatingsBatch, TOUCHED_ITEMS_LIMIT, type BatchResult } from "../../ratings/import-ratings";
import { emptyReport, type ImportReport } from "../../ratings/report";
import { defineJob, failsForGood, JobCancelledError, type JobContext, type Json } from "../types";

export const IMPORT_FORMATS = ["ratings", "movietweetings-ratings", "movies", "links", "movies-metadata", "movietweetings-movies"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const RATINGS: Partial<Record<ImportFormat, keyof typeof RATING_FORMATS>> = { ratings: "movielens", "movietweetings-ratings": "movietweetings" };

export const ImportParamsSchema = z.object({ kind: z.enum(IMPORT_FORMATS, { message: `must be one of ${IMPORT_FORMATS.join(", ")}` }) });
export const ImportQuerySchema = z.object({ name: z.string().trim().min(1).max(200).optional() });

export const ImportPayloadSchema = z.object({
  format: z.enum(IMPORT_FORMATS),
  path: z.string().min(1),
  name: z.string().min(1).max(300),
  /** size:mtime of the file, so a re-run of the same file can find and resume its unfinished job. */
  fingerprint: z.string().optional(),
  batch_lines: z.number().int().min(1).max(5_000_000).default(250_000),
  /** Uploaded copies are removed once imported. */
  delete_after: z.boolean().default(false),
});

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1 << 30) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${(bytes / (1 << 30)).toFixed(2)} GB`;
}

const count = (n: number, noun: string) => `${n.toLocaleString("en")} ${n === 1 ? noun : `${noun}s`}`;

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "-";
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** "18.3 MB of 36.7 MB · 749,999 rows · 228,000 rows/s · ETA 8 s", the rates from this run's own work (`own`). */
function importPosition(rows: number, bytes: number, size: number, own: { bytes: number; rows: number; at: number } | null): string {
  const position = `${human(bytes)} of ${human(size)} · ${count(rows, "row")}`;
  const elapsed = own ? (Date.now() - own.at) / 1000 : 0;
  if (!own || elapsed <= 0 || bytes >= size) return position;
  const rowsRate = Math.round((rows - own.rows) / elapsed);
  const bytesRate = (bytes - own.bytes) / elapsed;
  return `${position} · ${rowsRate.toLocaleString("en")} rows/s · ETA ${eta(bytesRate > 0 ? (size - bytes) / bytesRate : NaN)}`;
}

type Payload = z.infer<typeof ImportPayloadSchema>;
type Context = Pick<JobContext<Payload>, "payload" | "step" | "progress" | "announce">;
/** How far the file got: bytes committed, and whether every batch is in. */
type Position = { bytes: number; loadedAll: boolean };

/**
 * The ratings, batch by batch; returns the films the batches named while 5,000 or fewer (their statistics are
 * refreshed alone), else null (the whole catalog's are).
 */
async function loadRatings({ payload, step, progress, announce }: Context, report: ImportReport, at: Position): Promise<Set<number> | null> {
  const format = RATING_FORMATS[RATINGS[payload.format] as keyof typeof RATING_FORMATS];
  const size = report.bytes;
  let touched: Set<number> | null = new Set();
  let line = 1;
  /** Where this run's own work began: a resumed import (or an Inngest replay) gets its finished batches back at once. */
  let own: { bytes: number; rows: number; at: number } | null = null;
  // A cancel or failure between steps leaves the batch started ahead uncommitted: roll it back at once.
  try {
    for (let k = 0; ; k++) {
      let ran = false;
      const batch = (await step.run(`batch-${k}`, async () => {
        ran = true;
        own ??= { bytes: at.bytes, rows: report.rows_read, at: Date.now() };
        // The first figures come after the first batch (seconds on a big database): say what runs until then.
        if (k === 0) await announce(0, `Reading ${payload.name} (${human(size)})`);
        const done = await importRatingsBatch(databaseUrl(), {
          path: payload.path,
          format,
          start: at.bytes,
          firstLine: line,
          maxLines: payload.batch_lines,
          errorBudget: errorBudgetLeft(report.errors.length),
          // On Inngest each step may run in another invocation: nothing may be left open between steps.
          overlap: !inngestEnabled(),
        });
        // The batch is committed: cached histories must not outlive it, whether or not the import finishes. (Loaded,
        // not changed: a batch re-run after a crash between its commit and this line changes nothing the second time.)
        if (done.loaded > 0) await invalidateAllRatings();
        return done as unknown as Json;
      })) as unknown as BatchResult;
      at.bytes = batch.next;
      at.loadedAll = batch.done;
      line = batch.nextLine;
      report.rows_read += batch.read;
      report.rows_loaded += batch.loaded;
      report.rows_rejected += batch.rejected;
      report.rows_changed += batch.changed;
      report.users_created += batch.usersCreated;
      report.items_created += batch.itemsCreated;
      report.errors.push(...batch.errors.slice(0, errorBudgetLeft(report.errors.length)));
      // A batch that loaded nothing touched no film; one stored by an older version lists none, so which it touched is unknown.
      const items = batch.loaded === 0 ? [] : (batch.items ?? null);
      if (touched && items) for (const id of items) touched.add(id);
      if (!items || (touched && touched.size > TOUCHED_ITEMS_LIMIT)) touched = null;
      // A batch given back from its stored step is not news: reporting it would set the bar back to that batch
      // while the next one runs.
      if (ran || batch.done) await progress(Math.min(95, Math.floor((at.bytes / Math.max(1, size)) * 95)), importPosition(report.rows_read, at.bytes, size, own));
      if (batch.done) break;
    }
  } finally {
    await abandonImport();
  }
  if (report.rows_read === 0 && size > 0) report.warnings.push("The file has a header but no ratings");
  if (report.items_created > 0) {
    // Films met first in a ratings file are placeholders, shown as "Unknown title (movielens 318)" until named.
    const names = format.userSource === "movietweetings" ? "MovieTweetings' movies.dat" : "movies.csv (or movies_metadata.csv with links.csv)";
    report.warnings.push(`${count(report.items_created, "film")} in this file had no title yet and ${report.items_created === 1 ? "is" : "are"} listed as "Unknown title": import ${names} to name them.`);
  }
  return touched;
}

/** A catalog file, in one step. */
async function loadCatalog({ payload, step, announce }: Context, report: ImportReport, at: Position): Promise<null> {
  const result = await step.run("catalog", async () => {
    await announce(5, `Reading ${payload.name}`);
    const done = await importCatalogFile(databaseUrl(), payload.format as CatalogFormat, payload.path);
    // Histories show titles and /rates the file's movie ids: both may have changed.
    await invalidateAllRatings();
    return done as unknown as Json;
  });
  const r = result as unknown as Awaited<ReturnType<typeof importCatalogFile>>;
  at.bytes = report.bytes;
  at.loadedAll = true;
  report.rows_read = r.read;
  report.rows_loaded = r.loaded;
  report.rows_rejected = r.rejected;
  report.items_created = r.itemsCreated;
  report.rows_changed = r.itemsUpdated + r.merged;
  report.errors = r.errors;
  if (r.merged) report.warnings.push(`${r.merged} duplicate items were merged into one`);
  return null;
}

/** What a cancelled import says: what is in, and what to do about the rest. */
function cancelledOutcome(report: ImportReport, at: Position): string {
  if (report.rows_read === 0) return "Cancelled before anything was loaded";
  // Finished batches stay (a re-run skips nothing and duplicates nothing).
  if (!at.loadedAll) {
    return `Cancelled after ${count(report.rows_loaded, "row")} loaded (${human(at.bytes)} of ${human(report.bytes)}); they stay in. Import the file again to finish it.`;
  }
  return `Cancelled after loading all ${count(report.rows_loaded, "row")}; the catalog statistics were not updated (the nightly statistics job will).`;
}

/** Removes an uploaded copy; a copy that cannot be removed is logged, and never changes how the import ended. */
async function removeUpload(file: string): Promise<void> {
  await rm(file, { force: true }).catch((err: unknown) => log.warn({ err: String(err), file }, "could not remove an uploaded import file"));
}

// Imports a ratings or catalog file. Ratings go in batches of `batch_lines` lines, each a durable step that
// commits on its own and returns the byte offset to continue from, so a killed import resumes after its last
// finished batch and never loads a line twice.
export const importJob = defineJob({
  kind: "import",
  title: "Import a data file",
  description: "Ratings (MovieLens, MovieTweetings) or catalog files (movies, links, metadata).",
  payload: ImportPayloadSchema,
  retries: 2,
  concurrency: 1,
  startableBy: "admin",
  timeoutSeconds: 60 * 60,
  async run(ctx) {
    const { payload, step, progress } = ctx;
    let size: number;
    try {
      size = statSync(payload.path).size;
    } catch {
      throw new Error(`The file ${payload.name} is no longer at ${payload.path}`);
    }
    const report: ImportReport = emptyReport(payload.name, payload.format, size);
    const started = Date.now();
    if (size === 0) report.warnings.push("The file is empty");
    const at: Position = { bytes: 0, loadedAll: false };
    try {
      const touched = RATINGS[payload.format] ? await loadRatings(ctx, report, at) : await loadCatalog(ctx, report, at);
      // A file of another kind (a movies.dat sent as ratings.csv) loads nothing: say so rather than only count rejects.
      if (report.rows_loaded === 0 && report.rows_rejected > 0 && report.rows_rejected === report.rows_read) {
        report.warnings.push(`None of the ${report.rows_read.toLocaleString("en")} lines could be read as "${payload.format}": is it the right kind of file? The reasons are below.`);
      }
      // A file that named a few films (an upload of a few lines) refreshes theirs in milliseconds; the whole catalog's
      // statistics take seconds on a large database (8-14 s on 26M ratings). A file that loaded no rating skips them.
      const few = touched ? [...touched] : null;
      if (!few || few.length > 0) {
        await progress(96, few ? `Updating the statistics of ${count(few.length, "film")}` : "Updating catalog statistics");
        await step.run("stats", async () => {
          if (few) await refreshItemStats(few);
          else await recomputeCatalogStats();
        });
      }
      // New and changed ratings have no current stored list: the rating-lists job builds them (until then a cache miss
      // of /rates aggregates the user's ratings, as fast as before lists). Not having it queued fails nothing here:
      // its half-hourly run builds them then.
      if (RATINGS[payload.format] && report.rows_changed > 0) {
        await step.run("rating-lists", async () => {
          // Loaded here: the dispatcher's registry lists this very module.
          const { enqueueJob } = await import("../dispatch");
          await enqueueJob("rating-lists", {}, { ownerId: null }).catch((err: Error) => log.warn({ err: err.message }, "could not queue the rating-lists job after an import"));
        });
      }
    } catch (err) {
      // A cancelled job, or a failed one with no retry to come, never runs again: its uploaded copy would only take
      // disk space.
      const over = err instanceof JobCancelledError || failsForGood(err, ctx.lastAttempt);
      if (over && payload.delete_after) await removeUpload(payload.path);
      if (!(err instanceof JobCancelledError)) throw err;
      throw new JobCancelledError(cancelledOutcome(report, at));
    }
    if (payload.delete_after) await removeUpload(payload.path);
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    report.rows_per_second = report.seconds > 0 ? Math.round(report.rows_read / report.seconds) : report.rows_read;
    const loaded = `Loaded ${count(report.rows_loaded, "row")}`;
    // The jobs list shows this line alone: a file that loaded nothing must not read as a plain success there.
    const nothing = report.rows_loaded === 0 && report.rows_rejected > 0 ? " (nothing loaded: see the import's report)" : "";
    const summary = `${loaded}, rejected ${report.rows_rejected.toLocaleString("en")}${nothing}`;
    await progress(100, summary);
    return { ...report, summary } as unknown as Json;
  },
});

export const isCatalogFormat = (f: string): f is CatalogFormat => f in CATALOG_READERS;
