// A separate process running the embedded job runner, so a test can kill it mid-job and start it again.
import "./test-jobs";
import { startJobRunner } from "../../lib/jobs/embedded";

await startJobRunner(process.env.DATABASE_URL as string);
console.log("worker ready");
setInterval(() => undefined, 1 << 30);
