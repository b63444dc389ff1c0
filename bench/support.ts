import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { buildIsCurrent } from "../scripts/build-state";

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
 * building the app first if there is none or its sources changed since, and resolves once it answers. Kill the returned process to stop it.
 * SERVER_NODE_FLAGS passes flags to the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a run;
 * SERVER_OUTPUT=inherit shows what the server prints (`--trace-gc`'s lines, say).
 */
export async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  // Built again when the sources changed since, as `npm start` does: the server's Next half (instrumentation, so the
  // job runner, and every route not in the fast lane) runs the build, and a stale one measured old code.
  if (!buildIsCurrent(process.cwd())) {
    spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit" });
    // The build leaves ~90 MB of dirty pages that the kernel writes out 30 s later, in the middle of the measured runs:
    // out now. Of three first runs after a build, two had miss p99 of 169 and 346 ms (runs after them 25-56); with the
    // sync, two gave 40 and 60 ms (README, "Rating history API").
    spawnSync("sync");
  }
  const app = spawn(process.execPath, [...(process.env.SERVER_NODE_FLAGS?.split(" ").filter(Boolean) ?? []), "scripts/run.mjs", "serve", "-p", String(port), "-H", "127.0.0.1"], {
    // JOB_RUNNER=off: no scheduled job (the 26M-rating retrain at 15 past every sixth hour) runs inside the server measured.
    env: { ...process.env, NODE_ENV: "production" as const, NEXTAUTH_SECRET: "bench", AUTH_TRUST_HOST: "true", LOG_LEVEL: "warn", INNGEST_DEV: "", JOB_RUNNER: "off", ...env },
    stdio: process.env.SERVER_OUTPUT === "inherit" ? "inherit" : "ignore",
  });
  for (let i = 0; i < 240; i++) {
    if (await fetch(`http://127.0.0.1:${port}/api/v1/healthcheck`).then((r) => r.ok, () => false)) return app;
    if (app.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  app.kill("SIGTERM");
  throw new Error(`the server on port ${port} did not come up`);
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * The fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces): the parent
 * pid is [1], utime and stime are [11] and [12]. Null once the process has gone.
 */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** CPU time (user + system, ms) a process has used so far; 0 once it has gone. */
function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND : 0;
}

/** The PostgreSQL server's processes: the postmaster (first line of postmaster.pid) and its children. */
function postgresPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);
  const children = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry) && Number(statFields(entry)?.[1]) === postmaster);
  return [postmaster, ...children.map(Number)];
}

/** CPU ms: the app server, PostgreSQL and this process (the bare baseline server when it runs). */
export type CpuSplit = { server: number; postgres: number; bench: number };

/**
 * CPU used between start() and the function it returns, per process group: the app server, PostgreSQL (every
 * backend alive at the end: the pools keep theirs), and this process (the bare baseline server when it runs here);
 * the load generator's own is in its LoadResult. Latency under load is mostly queueing; CPU per request is what the
 * code costs.
 */
export function cpuMeter(serverPid: number, pgDataDir: string): () => CpuSplit {
  const before = (pids: number[]) => new Map(pids.map((p) => [p, processCpuMs(p)]));
  const pg0 = before(postgresPids(pgDataDir));
  const server0 = processCpuMs(serverPid);
  const bench0 = process.cpuUsage();
  return () => {
    const bench = process.cpuUsage(bench0);
    let postgres = 0;
    for (const pid of postgresPids(pgDataDir)) postgres += processCpuMs(pid) - (pg0.get(pid) ?? 0);
    return { server: processCpuMs(serverPid) - server0, postgres, bench: (bench.user + bench.system) / 1000 };
  };
}

/**
 * A load run's figures: latencies, requests a second and `total` over the answers measured (those after `skip`),
 * `requests` and `errors` over the whole run (`p99WithSkipped` too, and the measured answers' sorted `latencies`, when
 * some were skipped); `clientCpuMs` is the CPU the load generator's own process used.
 */
export type LoadResult = { rps: number; p50: number; p99: number; errors: number; total: number; requests: number; p99WithSkipped?: number; latencies?: number[]; clientCpuMs: number };

/**
 * autocannon against `url`, each request taking the next of `paths`: for `duration` seconds (10 by default) or for
 * `amount` requests, on `connections` (32), the first `skip` answers left out of the figures (a warm-up on the same
 * connections: bench/load-generator.mjs). Errors count failed requests and answers other than 2xx. It runs in a
 * process of its own (bench/load-generator.mjs), one for the whole bench: in this one, its garbage collections (a full
 * one every ~120 ms while 64 KB answers came in, after the bare baseline had filled this heap) stalled it for 7-21 ms
 * at a time, and those stalls were counted as the app's latency.
 * BENCH_LATENCY_LOG=1 prints `LAT <epoch ms> <latency ms>` per answer, to line the slow ones up with what the server
 * was doing then (its GC, say).
 */
export function loadPaths(url: string, paths: string[], opts: { duration?: number; amount?: number; connections?: number; skip?: number }): Promise<LoadResult> {
  const orders = { url, paths, connections: opts.connections ?? 32, amount: opts.amount, duration: opts.duration ?? 10, skip: opts.skip ?? 0, logLatency: Boolean(process.env.BENCH_LATENCY_LOG) };
  const run = (generator ??= startLoadGenerator()).then((g) => g.run(JSON.stringify(orders)));
  return run.then(({ lat, line }) => {
    for (const l of lat) console.log(l);
    return JSON.parse(line) as LoadResult;
  });
}

type LoadGenerator = { run: (orders: string) => Promise<{ lat: string[]; line: string }> };
let generator: Promise<LoadGenerator> | null = null;

/** The one load-generator process of this bench: runs go to it one after another; it ends with this process. */
async function startLoadGenerator(): Promise<LoadGenerator> {
  // LOADGEN_NODE_FLAGS passes flags to its node, as SERVER_NODE_FLAGS does to the server's (`--trace-gc`, say).
  const flags = process.env.LOADGEN_NODE_FLAGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...flags, "bench/load-generator.mjs"], { stdio: ["pipe", "pipe", "inherit"] });
  // Neither the process nor its pipes keep this one alive: when the bench ends, its stdin closes and it exits.
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  (child.stdout as unknown as { unref(): void }).unref();
  const lines = createInterface({ input: child.stdout });
  let queue = Promise.resolve();
  let lat: string[] = [];
  let waiting: { resolve: (v: { lat: string[]; line: string }) => void; reject: (e: Error) => void } | null = null;
  lines.on("line", (line) => {
    if (line.startsWith("LAT ")) lat.push(line);
    else if (!line.startsWith("RESULT ") && !line.startsWith("FAILED ")) console.log(`[load generator] ${line}`);
    else if (waiting) {
      const w = waiting;
      waiting = null;
      if (line.startsWith("RESULT ")) w.resolve({ lat, line: line.slice("RESULT ".length) });
      else w.reject(new Error(`the load generator failed: ${line.slice("FAILED ".length)}`));
      lat = [];
    }
  });
  let gone: Error | null = null;
  const end = (err: Error) => {
    gone = err;
    generator = null; // the next run starts a new one
    waiting?.reject(err);
    waiting = null;
  };
  child.on("exit", (code) => end(new Error(`the load generator exited with ${code}`)));
  child.on("error", end);
  return {
    run: (orders) => {
      const done = queue.then(
        () =>
          new Promise<{ lat: string[]; line: string }>((resolve, reject) => {
            if (gone) return reject(gone);
            waiting = { resolve, reject };
            child.stdin.write(`${orders}\n`);
          }),
      );
      queue = done.then(
        () => undefined,
        () => undefined,
      );
      return done;
    },
  };
}
