// Whether the production build in .next is older than the sources it was made from: `npm start` (scripts/start.ts)
// builds again when it is, and so do the benches (bench/support.ts), whose servers otherwise ran a stale build.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** The newest modification time under the folders the build reads, to tell a stale build from a fresh one. */
function newestSourceMtime(root: string): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "generated" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of ["app", "components", "lib", "public"]) if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
  for (const file of ["next.config.mjs", "package.json", "postcss.config.mjs"]) {
    if (existsSync(path.join(root, file))) newest = Math.max(newest, statSync(path.join(root, file)).mtimeMs);
  }
  return newest;
}

export function buildIsCurrent(root: string): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  return existsSync(buildId) && statSync(buildId).mtimeMs >= newestSourceMtime(root);
}
