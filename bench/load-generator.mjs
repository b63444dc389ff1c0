// autocannon in a process of its own, driven by bench/support.ts (loadPaths): the load generator's garbage collections
// then never stall the process that measures against it (the bare baseline server), nor are they counted as the app's
// latency. One process serves every run of a bench, so its code is compiled and warm after the first (a fresh process
// per run had the first answers of a run wait up to 150 ms on it). Takes one order a line on stdin:
// { url, paths, connections, amount?, duration?, logLatency? }; for each, writes `LAT <epoch ms> <latency ms>` per
// answer when logLatency is set, then one line `RESULT <json>`. Exits when stdin closes.
import { createInterface } from "node:readline";
import autocannon from "autocannon";

function runOrder({ url, paths, connections, amount, duration, logLatency }) {
  return new Promise((resolve, reject) => {
    let i = 0;
    const lat = [];
    // CPU from here on: what the load costs the generator.
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let lastAnswer = started;
    const run = autocannon(
      { url, connections, ...(amount ? { amount } : { duration }), requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }] },
      (err, r) => {
        if (err) return reject(err);
        const cpu = process.cpuUsage(cpu0);
        // Requests over the time to the last answer: autocannon's own figures count whole seconds (a run of a fixed
        // number of requests ends at its next one-second tick), so 2,207 misses in 2.4 s read as 736 a second.
        const rps = lastAnswer > started ? r.requests.total / ((lastAnswer - started) / 1000) : 0;
        resolve({ lat, result: { rps, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, total: r.requests.total, clientCpuMs: (cpu.user + cpu.system) / 1000 } });
      },
    );
    run.on("response", (_client, _status, _bytes, ms) => {
      lastAnswer = performance.now();
      // Kept and written at the end: printing during the run would cost the generator time while it measures.
      if (logLatency) lat.push(`LAT ${(performance.timeOrigin + lastAnswer).toFixed(1)} ${ms.toFixed(1)}\n`);
    });
  });
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    const { lat, result } = await runOrder(JSON.parse(line));
    process.stdout.write(`${lat.join("")}RESULT ${JSON.stringify(result)}\n`);
  } catch (err) {
    process.stdout.write(`FAILED ${JSON.stringify(String(err))}\n`);
  }
}
