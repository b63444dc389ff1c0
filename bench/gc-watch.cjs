// Loaded into the app server by a bench (`SERVER_NODE_FLAGS="--require ./bench/gc-watch.cjs"`): writes each garbage
// collection and each stall of the event loop over 10 ms, with its wall-clock time, to GC_WATCH_LOG
// (bench/.out/gc-watch.log), so the slow answers of a run (BENCH_LATENCY_LOG=1) can be lined up with them.
const fs = require("node:fs");
const path = require("node:path");
const { PerformanceObserver, constants } = require("node:perf_hooks");

const file = (process.env.GC_WATCH_LOG ?? path.resolve("bench/.out/gc-watch.log")).replace("%p", String(process.pid));
fs.mkdirSync(path.dirname(file), { recursive: true });
const out = fs.openSync(file, "w");
const at = (ms) => (performance.timeOrigin + ms).toFixed(1);
const kinds = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak-callbacks",
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) fs.writeSync(out, `${at(e.startTime)} gc-${kinds[e.detail.kind] ?? e.detail.kind} ${e.duration.toFixed(1)}\n`);
}).observe({ entryTypes: ["gc"] });

// A 5 ms timer that fires late by more than 10 ms: the event loop was held up that long.
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (now - last > 15) fs.writeSync(out, `${at(now)} stall ${(now - last - 5).toFixed(1)}\n`);
  last = now;
}, 5).unref();
