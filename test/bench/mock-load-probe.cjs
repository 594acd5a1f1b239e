// Loaded into the mock's Prism process by test/bench/mock-load.mjs (through NODE_OPTIONS, so the
// mock starts exactly as startMock starts it otherwise): appends, every 250 ms, the process's
// RSS and the V8 heap in use just after the last full (mark-compact) garbage collection, the
// memory that is really held, as one JSON line to the file named by CALLBELL_BENCH_PROBE_FILE.
const file = process.env.CALLBELL_BENCH_PROBE_FILE;
if (file && process.argv.some((arg) => arg.includes("prism-cli"))) {
  const { appendFileSync } = require("node:fs");
  const { PerformanceObserver, constants } = require("node:perf_hooks");
  let heapAfterFullGc = null;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        heapAfterFullGc = process.memoryUsage().heapUsed;
  }).observe({ entryTypes: ["gc"] });
  setInterval(() => {
    appendFileSync(file, `${JSON.stringify({ rss: process.memoryUsage.rss(), heapAfterFullGc })}\n`);
  }, 250).unref();
}
