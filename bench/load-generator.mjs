// autocannon in a process of its own, driven by bench/support.ts (loadPaths): the load generator's garbage collections
// then never stall the process that measures against it (the bare baseline server), nor are they counted as the app's
// latency. One process serves every run of a bench, so its code is compiled and warm after the first (a fresh process
// per run had the first answers of a run wait up to 150 ms on it). Takes one order a line on stdin:
// { url, paths, connections, amount?, duration?, skip?, logLatency? }; for each, writes `LAT <epoch ms> <latency ms>`
// per answer when logLatency is set, then one line `RESULT <json>`. Exits when stdin closes.
//
// skip: the first `skip` answers warm the run up and are left out of its figures (latency percentiles, requests a
// second, `total`), which then count the answers after them, on connections the warm-up opened; their latencies come
// back too (`latencies`, sorted, to a tenth of a millisecond), for percentiles over several runs. A warm-up as a run of
// its own closed its connections, and the measured run opened 32 new ones at once on a server that accepts one a turn
// of its event loop (strace: one accept4 per epoll wakeup, however many wait): in four of seven such runs of 2,111
// misses, most of the slowest 1% were first requests of a connection.
import { createInterface } from "node:readline";
import autocannon from "autocannon";

function runOrder({ url, paths, connections, amount, duration, skip = 0, logLatency }) {
  return new Promise((resolve, reject) => {
    let i = 0;
    const lat = [];
    /** Latencies of the answers after the first `skip`. */
    const kept = [];
    let answers = 0;
    // CPU from here on: what the load costs the generator.
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let lastAnswer = started;
    /** When the last skipped answer came: the measured answers' requests a second count from there. */
    let measuredFrom = started;
    const run = autocannon(
      { url, connections, ...(amount ? { amount } : { duration }), requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }] },
      (err, r) => {
        if (err) return reject(err);
        const cpu = process.cpuUsage(cpu0);
        // Requests over the time to the last answer: autocannon's own figures count whole seconds (a run of a fixed
        // number of requests ends at its next one-second tick), so 2,207 misses in 2.4 s read as 736 a second.
        const perSecond = (n, from) => (lastAnswer > from ? n / ((lastAnswer - from) / 1000) : 0);
        const common = { errors: r.errors + r.non2xx, requests: r.requests.total, clientCpuMs: (cpu.user + cpu.system) / 1000 };
        if (!skip) return resolve({ lat, result: { rps: perSecond(r.requests.total, started), p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, ...common } });
        if (kept.length === 0) return reject(new Error(`a run of ${answers} answers has none after the ${skip} skipped`));
        const latencies = kept.map((ms) => Math.round(ms * 10) / 10).sort((a, b) => a - b);
        // Nearest rank: the smallest latency that at least that share of answers met.
        const at = (share) => latencies[Math.ceil(share * latencies.length) - 1];
        resolve({ lat, result: { rps: perSecond(kept.length, measuredFrom), p50: at(0.5), p99: at(0.99), total: kept.length, p99WithSkipped: r.latency.p99, latencies, ...common } });
      },
    );
    run.on("response", (_client, _status, _bytes, ms) => {
      lastAnswer = performance.now();
      answers++;
      if (answers === skip) measuredFrom = lastAnswer;
      else if (skip && answers > skip) kept.push(ms);
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
