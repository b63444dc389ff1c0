// Runs one job record in its own process (so a test can kill it midway).
import "../../lib/jobs/registry";
import { executeJob } from "../../lib/jobs/execute";

await executeJob(process.argv[2], { attempt: 0, maxAttempts: 3 });
process.exit(0);
