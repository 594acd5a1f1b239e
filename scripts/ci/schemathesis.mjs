// Schemathesis (pinned in scripts/ci/schemathesis-requirements.txt, installed by setup-schemathesis.mjs)
// against one server: every check it has, a fixed seed, the examples, coverage and fuzzing phases,
// positive and negative data. Returns its JSON report and the requests it sent (its HAR report),
// so the caller can hold the findings to the list below and count what the requests reached.
// Used by test/contract/schemathesis.test.ts; `node scripts/ci/schemathesis.mjs` runs it against the
// mock and the stand-in from a shell and prints the findings.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ensureSchemathesis } from "./setup-schemathesis.mjs";
import { root } from "../lib/run-tool.mjs";

export const SEED = 20261206;
/** Per phase and mode; with the coverage phase's own cases this reaches every branch counted in the test. */
export const MAX_EXAMPLES = 150;
export const spec = path.join(root, "generated", "openapi.json");

/**
 * Findings that are not defects, by server and Schemathesis's code; each reason is shown in the
 * docs page's Schemathesis section. Anything else Schemathesis reports fails the test, and so does
 * an entry here that no longer reproduces.
 */
export const acceptedFindings = [
  {
    target: "mock",
    code: "ST401",
    check: "ignored_auth",
    title: "API accepts invalid authentication",
    why: "Prism checks that a bearer token is sent, never its value: a mock has no accounts to check it against. A request without the header gets 401. Against the live API this check is Callbell's to pass.",
  },
];

/** The servers the test runs Schemathesis against, for the docs. */
export const targets = {
  mock: "the project's Prism mock (startMock, with the fixes preloaded from src/mock/prism-survives-odd-requests.cjs)",
  "stand-in":
    "the rate-limited stand-in the bulk tests use (test/fakes/rate-limited-api.mjs), its limit raised out of the way",
};

/**
 * @param {{ url: string, label: string, maxExamples?: number, seed?: number }} options
 * @returns {Promise<{ exitCode: number | null, report: any, requests: { method: string, url: string, status: number, body?: string }[], seconds: number, output: string }>}
 */
export async function runSchemathesis({ url, label, maxExamples = MAX_EXAMPLES, seed = SEED }) {
  const command = ensureSchemathesis();
  const reportDir = path.join(root, ".cache", "schemathesis", `report-${label}`);
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });
  const args = [
    "run",
    spec,
    "--url",
    url,
    "--checks",
    "all",
    "--mode",
    "all",
    "--phases",
    "examples,coverage,fuzzing,stateful",
    "--seed",
    String(seed),
    "--max-examples",
    String(maxExamples),
    "--workers",
    "1",
    "--continue-on-failure",
    "--generation-database",
    "none",
    "--header",
    "Authorization: Bearer schemathesis-token",
    "--request-timeout",
    "15",
    "--no-color",
    "--report",
    "json,har",
    "--report-json-path",
    path.join(reportDir, "report.json"),
    "--report-har-path",
    path.join(reportDir, "report.har"),
  ];
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: reportDir,
    env: { ...process.env, NO_PROXY: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exitCode = await new Promise((resolve) => child.once("exit", resolve));
  const seconds = (performance.now() - started) / 1000;
  let report;
  let har;
  try {
    report = JSON.parse(readFileSync(path.join(reportDir, "report.json"), "utf8"));
    har = JSON.parse(readFileSync(path.join(reportDir, "report.har"), "utf8"));
  } catch (error) {
    throw new Error(
      `Schemathesis left no readable report (exit ${exitCode}, ${error.message}). Its output:\n${output}`,
    );
  }
  const requests = har.log.entries.map((entry) => ({
    method: entry.request.method,
    url: entry.request.url,
    status: entry.response.status,
    body: entry.request.postData?.text,
  }));
  return { exitCode, report, requests, seconds, output };
}

/**
 * The findings of a report, each marked accepted when the list above has it for this target.
 * @param {any} report
 * @param {string} target
 * @returns {{ code: string, title: string, operations: string[], accepted: boolean }[]}
 */
export function findingsOf(report, target) {
  return report.failures.map((failure) => {
    const accepted = acceptedFindings.find((entry) => entry.target === target && entry.code === failure.code);
    return { code: failure.code, title: failure.title, operations: failure.operations, accepted: !!accepted };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { startMock } = await import("../dev/run-mock.mjs");
  const { startRateLimitedStandIn } = await import("../../test/fakes/rate-limited-api.mjs");
  const mock = await startMock({ port: 0 });
  const standIn = await startRateLimitedStandIn({ limit: 1_000_000 });
  try {
    for (const [label, url] of [
      ["mock", mock.url],
      ["stand-in", standIn.url],
    ]) {
      const { report, requests, seconds } = await runSchemathesis({ url, label });
      console.log(
        `${label}: ${report.test_cases.generated} test cases, ${requests.length} requests, ${seconds.toFixed(1)} s`,
      );
      for (const finding of findingsOf(report, label))
        console.log(
          `  ${finding.accepted ? "accepted" : "FINDING "} ${finding.code} ${finding.title} (${finding.operations.join(", ")})`,
        );
    }
  } finally {
    await mock.stop();
    await standIn.close();
  }
}
