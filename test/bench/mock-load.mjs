// `npm run bench` (part 3): the mock under a consumer's load. Starts the mock as a consumer does
// (startMock from dist/, Prism 5.14.2 with the preloaded fixes), drives it with autocannon (50
// connections, valid updates and invalid ones in turn), and after every 25,000 requests prints the
// requests per second, p50 and p99 latency of that batch, and the resident memory (RSS) of the
// Prism process, up to 200,000 requests. The target: RSS flat within 50 MB from 50,000 to 200,000.
// Usage: node test/bench/mock-load.mjs [--quick] [--total 200000] [--step 25000] [--connections 50]
//   --quick: 50,000 requests in steps of 10,000 (a look, not the figure the target is judged on).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startMock } from "../../scripts/dev/run-mock.mjs";
import { root } from "../../scripts/lib/run-tool.mjs";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    total: { type: "string" },
    step: { type: "string" },
    connections: { type: "string", default: "50" },
  },
});
const total = Number(values.total ?? (values.quick ? 50_000 : 200_000));
const step = Number(values.step ?? (values.quick ? 10_000 : 25_000));
const connections = Number(values.connections);
const FLAT_FROM = Math.min(50_000, step * 2);
const FLAT_WITHIN_MB = 50;

const UUID = "414a6d692bd645ed803f2e7ce360d4c8";
const headers = {
  Authorization: "Bearer bench_token_0123456789",
  "Content-Type": "application/json",
  Accept: "application/json",
};
// The seed's request (valid: 200), then two the contract refuses (422): an unknown field, a bad enum.
const requests = [
  {
    method: "PATCH",
    path: `/contacts/${UUID}`,
    headers,
    body: JSON.stringify({ name: "Joe Doe NEW", custom_fields: { orderNumber: "123", zipCode: "98765430" } }),
  },
  {
    method: "PATCH",
    path: `/contacts/${UUID}`,
    headers,
    body: JSON.stringify({ name: "Joe", phone_number: "+3912345" }),
  },
  { method: "PATCH", path: `/contacts/${UUID}`, headers, body: JSON.stringify({ tags: ["VIP"] }) },
  { method: "PATCH", path: `/contacts/${UUID}`, headers, body: JSON.stringify({ bot_status: "paused" }) },
];

/** The Prism process startMock started: this process's child running prism-cli. */
function prismPid() {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("prism-cli"))
        return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(
    "Found no Prism process started by this benchmark (this benchmark reads /proc, so it runs on Linux only).",
  );
}

const rssMb = (pid) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

// The probe (bench-mock-probe.cjs) reports Prism's RSS peaks between our readings and the heap
// held after each full GC; it reaches Prism through NODE_OPTIONS, which startMock passes on.
const probeDir = mkdtempSync(path.join(tmpdir(), "callbell-bench-mock-"));
const probeFile = path.join(probeDir, "probe.jsonl");
process.env.CALLBELL_BENCH_PROBE_FILE = probeFile;
process.env.NODE_OPTIONS =
  `${process.env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(path.join(root, "test", "bench", "mock-load-probe.cjs"))}`.trim();
let probeLinesRead = 0;
/** The probe's samples since the last call. */
function probeSamples() {
  let lines;
  try {
    lines = readFileSync(probeFile, "utf8").trim().split("\n");
  } catch {
    return [];
  }
  const fresh = lines
    .slice(probeLinesRead)
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  probeLinesRead = lines.length;
  return fresh;
}
const MB = 1024 * 1024;

console.log(`callbell-openapi bench-mock: node ${process.version}, ${availableParallelism()} cores`);
const mock = await startMock({ port: 0 });
const pid = prismPid();
const rows = [];
try {
  console.log(
    `\nThe mock under load: Prism 5.14.2 via startMock, ${connections} connections, valid and invalid updates in turn (half valid: 200; half refused: 422), ${total.toLocaleString("en")} requests`,
  );
  console.log(`  Prism's RSS before the first request: ${rssMb(pid).toFixed(0)} MB`);
  const header = [
    "requests",
    "req/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "errors+5xx",
    "RSS MB",
    "peak RSS MB",
    "heap held MB",
    "load avg",
  ];
  console.log(`  ${header.map((cell, i) => (i === 0 ? cell.padEnd(9) : cell.padStart(13))).join("")}`);
  for (let done = 0; done < total;) {
    const amount = Math.min(step, total - done);
    const result = await autocannon({ url: mock.url, connections, amount, requests, timeout: 30 });
    done += amount;
    const unexpected = result.errors + result.timeouts + (result["5xx"] ?? 0);
    const row = {
      requests: done,
      rps: result.requests.total / (result.duration || 1),
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      unexpected,
      rss: rssMb(pid),
    };
    const samples = probeSamples();
    row.peak = Math.max(row.rss, ...samples.map((sample) => sample.rss / MB));
    row.held = (samples.findLast((sample) => sample.heapAfterFullGc !== null)?.heapAfterFullGc ?? NaN) / MB;
    row.load = loadavg()[0];
    rows.push(row);
    const cells = [
      row.requests.toLocaleString("en"),
      row.rps.toFixed(0),
      row.p50.toFixed(0),
      row.p99.toFixed(0),
      row.max.toFixed(0),
      String(row.unexpected),
      row.rss.toFixed(0),
      row.peak.toFixed(0),
      row.held.toFixed(0),
      row.load.toFixed(1),
    ];
    console.log(`  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(9) : cell.padStart(13))).join("")}`);
  }
} finally {
  await mock.stop();
  rmSync(probeDir, { recursive: true, force: true });
}

// RSS at one instant swings with V8's collection cycle (the heap grows until a full GC, then is
// reused), so the target compares the peaks of the batches, which a leak would raise, and the heap
// still held after a full GC, which is what a leak is.
const window = rows.filter((row) => row.requests >= FLAT_FROM);
const first = window[0] ?? rows[0];
const peakGrowth = Math.max(...window.map((row) => row.peak)) - first.peak;
const heldGrowth = window.at(-1).held - first.held;
const signed = (value) => `${value >= 0 ? "+" : ""}${value.toFixed(0)} MB`;
console.log(`
  RSS: at the end of the batch; peak RSS: the highest of the batch (sampled every 250 ms in Prism);
  heap held: V8's heap in use just after its last full garbage collection (live data).
Target: Prism's memory flat within ${FLAT_WITHIN_MB} MB from ${first.requests.toLocaleString("en")} to ${window.at(-1).requests.toLocaleString("en")} requests:
  peak RSS ${signed(peakGrowth)} (highest peak against the first), heap held ${signed(heldGrowth)}: ${peakGrowth <= FLAT_WITHIN_MB && heldGrowth <= FLAT_WITHIN_MB ? "met" : "MISSED"}${values.quick ? " (a --quick run; the target is judged on the full 200,000)" : ""}`);
