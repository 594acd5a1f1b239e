// `npm run bench`, part 3: what the reflecting layer (src/mock/reflect-answers.cjs) costs per request,
// against plain Prism (`reflect: false`) measured in the same run. Three mocks from dist/ (the
// shipped code) serve the same valid update: plain, reflecting (the default) and stateful. Blocks
// of requests go to each in turn, rotating who goes first, so all three run under the same
// background load. Two figures per mock:
//   - CPU per request of the mock's own process (/proc/<pid>/stat), which is what the layer adds
//     and what a single-threaded server's throughput is the inverse of; other processes' load
//     does not count in it;
//   - requests per second, 8 at a time over keep-alive, the throughput a test suite sees.
// Both swing by ±10 % on a busy shared machine, so a third figure times the layer's own work
// (reflect() of src/mock/reflect-answers.cjs on plain Prism's real answer) in this process, against
// plain Prism's CPU per request.
// Target: the reflecting mock's throughput at least 80 % of plain Prism's (a cost under 20 %).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { startMock } from "../../scripts/dev/run-mock.mjs";

const { reflect } = createRequire(import.meta.url)("../../src/mock/reflect-answers.cjs");

const TARGET_COST = 0.2;
const CONCURRENCY = 8;
const REQUESTS_PER_BLOCK = 25; // short blocks: the three meet the same load
const WARMUP_SECONDS = Number(process.env.BENCH_MOCK_WARMUP ?? 3);
const SECONDS = Number(process.env.BENCH_MOCK_SECONDS ?? 20);
const MIN_BLOCKS = 40;
const UUID = "c0ffee0000000000000000000000beef";
// A typical update: a rename, tags, custom fields and a note.
const BODY = JSON.stringify({
  name: "Zed",
  tags: ["A", "VIP"],
  custom_fields: { orderNumber: "42", Preferences: ["Dark Mode"] },
  note: "n",
});
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds the process has used so far, or undefined where /proc is not there. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
  } catch {
    return undefined;
  }
}

async function request(url) {
  const response = await fetch(`${url}/contacts/${UUID}`, {
    method: "PATCH",
    headers: {
      Authorization: "Bearer bench_token",
      "Content-Type": "application/json",
      Accept: "application/json",
    },
    body: BODY,
  });
  if (response.status !== 200)
    throw new Error(`The mock answered ${response.status}: ${await response.text()}`);
  return response.json();
}

async function block(mock) {
  let left = REQUESTS_PER_BLOCK;
  const cpuAtStart = cpuSeconds(mock.pid);
  const wallAtStart = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await request(mock.url);
    }),
  );
  const cpuAtEnd = cpuSeconds(mock.pid);
  return {
    wall: (performance.now() - wallAtStart) / 1000,
    cpu: cpuAtStart === undefined || cpuAtEnd === undefined ? undefined : cpuAtEnd - cpuAtStart,
  };
}

const mocks = {};
try {
  // Slow to start on a busy machine; whichever started is stopped below even if another did not.
  const options = { "plain Prism": { reflect: false }, reflecting: {}, stateful: { stateful: true } };
  const started = await Promise.allSettled(
    Object.values(options).map((option) => startMock({ port: 0, timeoutMs: 120_000, ...option })),
  );
  Object.keys(options).forEach(
    (name, i) => started[i].status === "fulfilled" && (mocks[name] = started[i].value),
  );
  const failed = started.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  // The layer really is on where it should be, and off where it should not.
  const names = await Promise.all(
    Object.values(mocks).map(async (mock) => (await request(mock.url)).contact.name),
  );
  if (names.join() !== "Joe Doe NEW,Zed,Zed")
    throw new Error(
      `The mocks answered names ${names.join(", ")}; expected plain Prism's canned one, then the sent one twice.`,
    );

  const order = Object.keys(mocks);
  const totals = Object.fromEntries(
    order.map((name) => [name, { wall: 0, cpu: 0, requests: 0, cpuKnown: true }]),
  );
  for (const [phase, seconds] of [
    ["warmup", WARMUP_SECONDS],
    ["timed", SECONDS],
  ]) {
    const until = performance.now() + seconds * 1000;
    for (let round = 0; performance.now() < until || (phase === "timed" && round < MIN_BLOCKS); round++)
      for (const name of order.map((_, i) => order[(i + round) % order.length])) {
        const result = await block(mocks[name]);
        if (phase !== "timed") continue;
        totals[name].wall += result.wall;
        totals[name].requests += REQUESTS_PER_BLOCK;
        if (result.cpu === undefined) totals[name].cpuKnown = false;
        else totals[name].cpu += result.cpu;
      }
  }

  // The layer's own work: parse both bodies, check the update, apply it, check the Contact, write it.
  const answer = JSON.stringify(await request(mocks["plain Prism"].url));
  const layerRuns = 20_000;
  for (let i = 0; i < layerRuns / 10; i++) reflect(UUID, BODY, answer);
  const layerStart = process.cpuUsage();
  for (let i = 0; i < layerRuns; i++)
    if (reflect(UUID, BODY, answer)?.status !== 200) throw new Error("reflect() did not reflect the update");
  const layerCpu = process.cpuUsage(layerStart);
  const layerMicros = (layerCpu.user + layerCpu.system) / layerRuns;

  const base = totals["plain Prism"];
  const perSecond = (t) => t.requests / t.wall;
  const cpuPerRequest = (t) => (t.cpu / t.requests) * 1e6;
  console.log(
    `\nThe mock: reflecting answers against plain Prism (${CONCURRENCY} requests at a time, ${base.requests} requests each, interleaved)`,
  );
  const rows = order.map((name) => {
    const t = totals[name];
    const cpu = t.cpuKnown
      ? `${cpuPerRequest(t).toFixed(0)} µs (${(cpuPerRequest(t) / cpuPerRequest(base)).toFixed(2)}x)`
      : "n/a";
    return [name, `${perSecond(t).toFixed(0)}/s (${(perSecond(t) / perSecond(base)).toFixed(2)}x)`, cpu];
  });
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((row) => row[i].length), ["mock", "throughput", "mock CPU per request"][i].length),
  );
  const line = (cells) =>
    `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ")}`;
  console.log(line(["mock", "throughput", "mock CPU per request"]));
  for (const row of rows) console.log(line(row));

  if (base.cpuKnown)
    console.log(
      `  the layer's own work, in process: ${layerMicros.toFixed(1)} µs per request = ${((layerMicros / cpuPerRequest(base)) * 100).toFixed(1)} % of plain Prism's CPU per request`,
    );
  const reflecting = totals.reflecting;
  const throughputCost = 1 - perSecond(reflecting) / perSecond(base);
  const cpuCost =
    reflecting.cpuKnown && base.cpuKnown ? 1 - cpuPerRequest(base) / cpuPerRequest(reflecting) : undefined;
  const percent = (value) => `${(value * 100).toFixed(1)} %`;
  console.log(
    `\nTarget: the reflecting layer costs under ${percent(TARGET_COST)} of plain Prism's throughput: ` +
      `${percent(throughputCost)} measured${cpuCost === undefined ? "" : ` (${percent(cpuCost)} by the mock's CPU per request)`}, ` +
      `${throughputCost < TARGET_COST ? "met" : "MISSED"}`,
  );
} finally {
  await Promise.all(Object.values(mocks).map((mock) => mock.stop()));
}
