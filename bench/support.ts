import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

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
