// `npm run bench`, bulk part: updateContacts from dist/ against test/fakes/rate-limited-api.mjs, each
// figure next to its goal; what it measures, how it scales and the figures are in docs/benchmarks.md.
// Run alone: `npm run build && node --expose-gc test/bench/bulk-throughput.mjs`.
import { spawn } from "node:child_process";
import path from "node:path";
import { createCallbellClient } from "callbell-openapi";
import { DEFAULT_RATE_PER_SECOND, updateContacts } from "callbell-openapi/bulk";
import { root } from "../../scripts/lib/run-tool.mjs";

const LIMIT = 300;
// Throughput runs at the real rate; the adaptation runs scale it up, to be short.
const THROUGHPUT_SCALE = Number(process.env.BENCH_BULK_THROUGHPUT_SCALE ?? 1);
const SCALE = Number(process.env.BENCH_BULK_SCALE ?? 2);
const TOKEN = "bench_token_0123456789";
const GOALS = { throughput: 0.9, rateLimited: 0.01, memoryMB: 30 };

const uuidOf = (index) => `b${index.toString(16).padStart(31, "0")}`;
function* generated(count) {
  for (let index = 0; index < count; index++)
    yield { uuid: uuidOf(index), update: { name: `Contact ${index}`, tags: ["Synced"] } };
}

async function startStandIn(args) {
  const child = spawn(process.execPath, [path.join(root, "test", "fakes", "rate-limited-api.mjs"), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve(out.trim());
    });
    child.once("exit", (code) =>
      reject(new Error(`test/fakes/rate-limited-api.mjs exited (${code}) before listening:\n${out}`)),
    );
  });
  return {
    url,
    stats: async () => (await fetch(new URL("/__stats", url))).json(),
    stop: () => new Promise((resolve) => (child.once("exit", resolve), child.kill("SIGTERM"))),
  };
}

/** Runs a batch; returns the elapsed time, whether every item got exactly one result, and progress samples. */
async function runBatch(callbell, items, count, options = {}) {
  const seen = new Uint8Array(count);
  let duplicates = 0;
  let failed = 0;
  let last;
  const samples = [];
  const started = performance.now();
  const sampler = setInterval(() => last && samples.push({ at: performance.now() - started, ...last }), 100);
  for await (const result of updateContacts(callbell, items, {
    ...options,
    onProgress: (progress) => (last = progress),
  })) {
    if (seen[result.index]++) duplicates++;
    if (!result.ok) failed++;
  }
  clearInterval(sampler);
  const elapsed = performance.now() - started;
  const exactlyOnce = duplicates === 0 && seen.every((times) => times === 1);
  return { elapsed, exactlyOnce, failed, samples, last };
}

const pct = (share) => `${(share * 100).toFixed(2)} %`;
const verdict = (ok) => (ok ? "ok" : "MISSED");

/**
 * The baseline, measured in the same run against its own stand-in: bare `fetch` calls on an
 * absolute schedule (the i-th at start + i / rate, late ones sent at once), at most rate / 2 in
 * flight, no client, no checks. What any sender could reach on this machine at this moment: on a
 * loaded machine both figures drop, and their ratio tells the batch's own cost from the machine's.
 */
async function bareFetchBaseline(count, rate, limit) {
  const standIn = await startStandIn(["--limit", String(limit)]);
  try {
    const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const inFlight = new Set();
    const started = performance.now();
    for (let index = 0; index < count; index++) {
      const wait = started + (index * 1_000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (inFlight.size >= Math.ceil(rate / 2)) await Promise.race(inFlight);
      const request = fetch(`${standIn.url}/contacts/${uuidOf(index)}`, {
        method: "PATCH",
        headers,
        body: JSON.stringify({ name: `Contact ${index}`, tags: ["Synced"] }),
      })
        .then((response) => response.arrayBuffer())
        .finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
    const elapsed = performance.now() - started;
    const stats = await standIn.stats();
    return { perSecond: count / (elapsed / 1_000), rateLimited: stats.rateLimited };
  } finally {
    await standIn.stop();
  }
}

async function throughput() {
  const count = 10_000;
  const limit = LIMIT * THROUGHPUT_SCALE;
  const rate = DEFAULT_RATE_PER_SECOND * THROUGHPUT_SCALE;
  const baseline = await bareFetchBaseline(5_000, rate, limit);
  const standIn = await startStandIn(["--limit", String(limit)]);
  try {
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
    const { elapsed, exactlyOnce, failed } = await runBatch(callbell, generated(count), count, {
      ratePerSecond: rate,
    });
    const stats = await standIn.stats();
    const share = count / (elapsed / 1_000) / limit;
    const limited = stats.rateLimited / stats.requests;
    console.log(
      `\n1. ${count.toLocaleString("en")} updates, default options${THROUGHPUT_SCALE === 1 ? "" : ` scaled x${THROUGHPUT_SCALE}`} (ratePerSecond ${rate}; stand-in limit ${limit}/s, Retry-After in whole seconds)`,
    );
    console.log(
      `   throughput        ${(count / (elapsed / 1_000)).toFixed(0)}/s = ${share.toFixed(3)} of the limit   goal >= ${GOALS.throughput}  ${verdict(share >= GOALS.throughput)}`,
    );
    const perSecond = count / (elapsed / 1_000);
    console.log(
      `   baseline          bare fetch on an absolute schedule at ${rate}/s: ${baseline.perSecond.toFixed(0)}/s = ${(baseline.perSecond / limit).toFixed(3)} of the limit (${baseline.rateLimited} 429s); the batch reached ${(perSecond / baseline.perSecond).toFixed(3)} of it`,
    );
    console.log(
      `   429s              ${stats.rateLimited} of ${stats.requests} requests = ${pct(limited)}   goal <= ${pct(GOALS.rateLimited)}  ${verdict(limited <= GOALS.rateLimited)}`,
    );
    console.log(
      `   results           ${exactlyOnce ? "every item exactly once" : "NOT every item exactly once"}, ${failed} failed; busiest second at the stand-in: ${stats.maxInWindow} served`,
    );
  } finally {
    await standIn.stop();
  }
}

async function adaptation(retryAfter) {
  const limit = LIMIT * SCALE;
  const rate = limit * 2;
  const count = 3 * limit;
  const standIn = await startStandIn(["--limit", String(limit), "--retry-after", retryAfter]);
  try {
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
    const { elapsed, exactlyOnce, failed, samples } = await runBatch(callbell, generated(count), count, {
      ratePerSecond: rate,
      maxRetries: 10,
    });
    const stats = await standIn.stats();
    // Adapted: from the first 429, the first second (10 samples) in which under 1 % of the requests got one.
    const firstLimited = samples.findIndex((sample) => sample.rateLimited > 0);
    const firstLimitedAt = firstLimited < 0 ? 0 : samples[Math.max(0, firstLimited - 1)].at;
    let adaptedAt;
    for (
      let end = Math.max(10, firstLimited + 10);
      firstLimited >= 0 && end < samples.length && adaptedAt === undefined;
      end++
    ) {
      const [from, to] = [samples[end - 10], samples[end]];
      const requests = to.requests - from.requests;
      if (requests > 0 && (to.rateLimited - from.rateLimited) / requests < GOALS.rateLimited)
        adaptedAt = from.at;
    }
    const lowest = Math.min(...samples.map((sample) => sample.ratePerSecond));
    console.log(
      `\n2. ratePerSecond ${rate} against a limit of ${limit}/s (x2), ${count.toLocaleString("en")} updates, 429s ${retryAfter === "none" ? "without Retry-After" : "with Retry-After in whole seconds"}`,
    );
    const adapted =
      firstLimited < 0
        ? "no 429 at all"
        : adaptedAt === undefined
          ? "not within the run (no second under 1 % 429s)"
          : `${((adaptedAt - firstLimitedAt) / 1_000).toFixed(2)} s after the first 429 (at ${(firstLimitedAt / 1_000).toFixed(2)} s), the next second had < 1 % 429s`;
    console.log(`   adapted           ${adapted}; lowest rate ${lowest.toFixed(0)}/s`);
    console.log(
      `   throughput        ${(count / (elapsed / 1_000)).toFixed(0)}/s = ${(count / (elapsed / 1_000) / limit).toFixed(3)} of the limit over the whole run`,
    );
    console.log(
      `   429s              ${stats.rateLimited} of ${stats.requests} requests = ${pct(stats.rateLimited / stats.requests)}`,
    );
    console.log(
      `   results           ${exactlyOnce ? "every item exactly once" : "NOT every item exactly once"}, ${failed} failed`,
    );
  } finally {
    await standIn.stop();
  }
}

async function memory() {
  const body = (uuid) => JSON.stringify({ contact: { uuid, name: "Stub" } });
  const stubFetch = async (input) =>
    new Response(body(decodeURIComponent(String(input).split("/").pop())), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  const callbell = createCallbellClient({
    token: TOKEN,
    baseUrl: "http://stub.invalid/v1",
    fetch: stubFetch,
  });
  // What the batch keeps alive: the heap after a full collection, sampled during the run
  // (a peak of heapUsed without collecting would mostly measure when the collector last ran).
  const measure = async (count) => {
    globalThis.gc?.();
    const base = process.memoryUsage();
    let peakHeap = 0;
    let peakRss = 0;
    const sample = () => {
      globalThis.gc?.();
      const now = process.memoryUsage();
      peakHeap = Math.max(peakHeap, now.heapUsed);
      peakRss = Math.max(peakRss, now.rss);
    };
    const sampler = setInterval(sample, 200);
    const run = await runBatch(callbell, generated(count), count, {
      ratePerSecond: 1_000_000,
      concurrency: 200,
    });
    clearInterval(sampler);
    sample();
    return { count, ...run, heapMB: (peakHeap - base.heapUsed) / 2 ** 20, rssMB: peakRss / 2 ** 20 };
  };
  await measure(2_000); // warm-up: JIT and the heap's first growth
  const small = await measure(10_000);
  const large = await measure(200_000);
  const growth = large.heapMB - small.heapMB;
  console.log(
    `\n3. memory, items from a generated stream, stubbed fetch, concurrency 200${globalThis.gc ? "" : " (run with --expose-gc for a clean baseline)"}`,
  );
  for (const run of [small, large])
    console.log(
      `   ${run.count.toLocaleString("en").padStart(7)} items   live heap peak +${run.heapMB.toFixed(1)} MB over the start, RSS peak ${run.rssMB.toFixed(0)} MB, ${(run.count / (run.elapsed / 1_000)).toFixed(0)} items/s, ${run.exactlyOnce ? "every item exactly once" : "NOT every item exactly once"}`,
    );
  console.log(
    `   200,000 against 10,000: live heap peak ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB   goal within ${GOALS.memoryMB} MB  ${verdict(Math.abs(growth) <= GOALS.memoryMB)}`,
  );
}

console.log(
  `Bulk updates (callbell-openapi/bulk), Node ${process.version}; Callbell's limit ${LIMIT}/s, x${THROUGHPUT_SCALE} for throughput (BENCH_BULK_THROUGHPUT_SCALE), x${SCALE} for adaptation (BENCH_BULK_SCALE)`,
);
const started = performance.now();
await throughput();
await adaptation("none");
await adaptation("seconds");
await memory();
console.log(`\nBulk benchmarks took ${((performance.now() - started) / 1_000).toFixed(1)} s.`);
