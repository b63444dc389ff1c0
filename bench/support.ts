import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** Runs a command, sampling its peak resident memory (VmHWM) from /proc while it runs. */
export async function runMeasured(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; peakRssMb: number; stdout: string; code: number }> {
  const started = performance.now();
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // the process has exited
    }
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  clearInterval(timer);
  return { ms: performance.now() - started, peakRssMb: Math.round(peak), stdout, code };
}

export const fmt = (n: number) => Math.round(n).toLocaleString("en");

/**
 * Starts the production server as `npm start` does (scripts/serve.ts: Next.js plus the fast lane) on 127.0.0.1:port,
 * building the app first if there is no build, and resolves once it answers. Kill the returned process to stop it.
 * SERVER_NODE_FLAGS passes flags to the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a run.
 */
export async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  if (!existsSync(".next/BUILD_ID")) spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit" });
  const app = spawn(process.execPath, [...(process.env.SERVER_NODE_FLAGS?.split(" ").filter(Boolean) ?? []), "scripts/run.mjs", "serve", "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...process.env, NODE_ENV: "production" as const, NEXTAUTH_SECRET: "bench", AUTH_TRUST_HOST: "true", LOG_LEVEL: "warn", INNGEST_DEV: "", ...env },
    stdio: "ignore",
  });
  for (let i = 0; i < 240; i++) {
    if (await fetch(`http://127.0.0.1:${port}/api/v1/healthcheck`).then((r) => r.ok, () => false)) return app;
    if (app.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  app.kill("SIGTERM");
  throw new Error(`the server on port ${port} did not come up`);
}
