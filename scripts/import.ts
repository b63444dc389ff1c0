// `npm run import -- <kind> <file>`: imports a data file with the same job the admin UI runs, printing progress.
// Kinds: ratings, movies, links, movies-metadata, movietweetings-ratings, movietweetings-movies,
// and `movietweetings <dir>` (movies.dat, then ratings.dat).
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { openDatabase } from "../lib/db/bootstrap";
import { prisma } from "../lib/db/client";
import { stopJobRunner } from "../lib/jobs/embedded";
import { executeJob } from "../lib/jobs/execute";
import { IMPORT_FORMATS, importJob, type ImportFormat } from "../lib/jobs/handlers/import";
import { createJobRecord } from "../lib/jobs/store";
import type { ImportReport } from "../lib/ratings/report";

const USAGE = `Usage: npm run import -- <kind> <file>
  kinds: ${IMPORT_FORMATS.join(", ")}
         movietweetings <dir>   (imports <dir>/movies.dat, then <dir>/ratings.dat)`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function importOne(format: ImportFormat, file: string): Promise<boolean> {
  const full = path.resolve(file);
  if (!existsSync(full) || !statSync(full).isFile()) fail(`No such file: ${file}`);
  const stat = statSync(full);
  const fingerprint = `${stat.size}:${stat.mtimeMs}`;
  // A run of the same file that did not finish is resumed from its last committed batch.
  const unfinished = await prisma().job.findFirst({
    where: { kind: "import", status: { in: ["queued", "sent", "running", "failed"] }, payload: { path: ["fingerprint"], equals: fingerprint } },
    orderBy: { createdAt: "desc" },
  });
  const samePath = unfinished && (unfinished.payload as { path?: string }).path === full ? unfinished : null;
  if (samePath && samePath.status === "failed") {
    await prisma().job.update({ where: { id: samePath.id }, data: { status: "queued", finishedAt: null, error: null } });
  }
  const job =
    samePath ??
    (await createJobRecord({
      kind: "import",
      ownerId: null,
      payload: { format, path: full, name: path.basename(full), fingerprint, ...(process.env.IMPORT_BATCH_LINES ? { batch_lines: Number(process.env.IMPORT_BATCH_LINES) } : {}) },
      maxAttempts: 1,
    }));
  console.log(`${samePath ? "Resuming" : "Importing"} ${path.basename(full)} as ${format} (job ${job.id})`);
  let last = "";
  const outcome = await executeJob(job.id, {
    attempt: 0,
    maxAttempts: 1,
    onProgress: (percent, message) => {
      const line = `  ${String(percent).padStart(3)}%  ${message ?? ""}`;
      if (line !== last) process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
      last = line;
    },
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  if (outcome.status !== "succeeded") {
    console.error(outcome.status === "cancelled" ? (outcome.message ?? "Import cancelled") : `Import ${outcome.status}: ${outcome.error ?? ""}`);
    return false;
  }
  const report = outcome.result as unknown as ImportReport;
  console.log(
    `Loaded ${report.rows_loaded.toLocaleString("en")} rows, rejected ${report.rows_rejected.toLocaleString("en")}, changed ${report.rows_changed.toLocaleString("en")} ` +
      `(${report.users_created} new users, ${report.items_created} new items) in ${report.seconds} s, ${report.rows_per_second.toLocaleString("en")} rows/s`,
  );
  for (const w of report.warnings) console.log(`Warning: ${w}`);
  for (const e of report.errors.slice(0, 20)) console.log(`  line ${e.line}: ${e.reason}${e.text ? `  | ${e.text}` : ""}`);
  if (report.rows_rejected > 20) console.log(`  ... ${report.rows_rejected - 20} more rejected lines (the job result lists the first 100)`);
  return true;
}

async function main() {
  const [kind, target] = process.argv.slice(2);
  if (!kind || !target) fail(USAGE);
  const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
  const db = await openDatabase({ dataDir, shareRunning: true });
  process.env.DATABASE_URL = db.url;
  void importJob;
  let ok = true;
  try {
    if (kind === "movietweetings") {
      ok = (await importOne("movietweetings-movies", path.join(target, "movies.dat"))) && (await importOne("movietweetings-ratings", path.join(target, "ratings.dat")));
    } else if ((IMPORT_FORMATS as readonly string[]).includes(kind)) {
      ok = await importOne(kind as ImportFormat, target);
    } else fail(`Unknown kind "${kind}".\n${USAGE}`);
  } finally {
    // A ratings import queues the rating-lists job, which started the queue's client in this process.
    await stopJobRunner();
    await prisma().$disconnect();
    await db.embedded?.stop();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
