// `npm run test:mutation [-- <stryker options>]`: StrykerJS over src/ (stryker.config.mjs), then the
// score per file and per group from its JSON report, failing below each group's threshold:
// 90 % for the client core, 80 % for bulk. (Stryker's own `thresholds.break` is one figure for all.)
// StrykerJS 10 needs Node 22 or later: it runs on the pinned Node 22 of scripts/ci/fetch-node.mjs.
// Options after `--` go to Stryker, such as `--mutate src/client/internal/transport.ts` to test one file while
// working on it; the groups then count only the files mutated.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fetchNode } from "./fetch-node.mjs";
import { root } from "../lib/run-tool.mjs";

export const groups = [
  {
    name: "client core",
    threshold: 90,
    files: [
      "src/client/client.ts",
      "src/client/internal/transport.ts",
      "src/client/retry-policy.ts",
      "src/client/internal/redaction.ts",
      "src/client/internal/headers.ts",
      "src/client/errors.ts",
    ],
  },
  { name: "bulk", threshold: 80, files: ["src/bulk/index.ts", "src/bulk/adaptive-rate.ts"] },
];
const report = path.join(root, "reports", "mutation", "mutation.json");

// Killed, timed out (an endless loop the mutant made) or refused by the type checker count as
// detected, as in Stryker's own score; ignored mutants (`// Stryker disable`) count for nothing.
const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);

/** Per file: detected, undetected and the survivors' lines; from Stryker's mutation-testing-report JSON. */
export function scores(json) {
  const files = {};
  for (const [file, { mutants }] of Object.entries(json.files)) {
    const name = path.relative(root, path.resolve(root, file)).split(path.sep).join("/");
    const entry = (files[name] = { detected: 0, undetected: 0, survivors: [] });
    for (const mutant of mutants) {
      if (DETECTED.has(mutant.status)) entry.detected++;
      else if (UNDETECTED.has(mutant.status)) {
        entry.undetected++;
        entry.survivors.push(
          `${name}:${mutant.location.start.line}:${mutant.location.start.column} ${mutant.mutatorName} (${mutant.status})${mutant.replacement ? ` -> ${JSON.stringify(mutant.replacement).slice(0, 80)}` : ""}`,
        );
      }
    }
  }
  return files;
}

const percent = (detected, undetected) =>
  detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);

function main() {
  const node = fetchNode(22);
  const stryker = path.join(root, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");
  const started = Date.now();
  const run = spawnSync(node, [stryker, "run", ...process.argv.slice(2)], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` },
  });
  if (run.status !== 0) {
    console.error(`test:mutation: Stryker exited with ${run.status}; its output above says why.`);
    process.exit(1);
  }
  const files = scores(JSON.parse(readFileSync(report, "utf8")));
  let failed = false;
  console.log(`\ntest:mutation: mutation score per file (${Math.round((Date.now() - started) / 1000)} s)`);
  for (const group of groups) {
    const present = group.files.filter((file) => files[file]);
    if (!present.length) continue;
    let detected = 0;
    let undetected = 0;
    for (const file of present) {
      const entry = files[file];
      detected += entry.detected;
      undetected += entry.undetected;
      console.log(
        `  ${file.padEnd(22)} ${percent(entry.detected, entry.undetected).toFixed(2).padStart(6)} %  (${entry.detected} detected, ${entry.undetected} not)`,
      );
      for (const survivor of entry.survivors) console.log(`      survived: ${survivor}`);
    }
    const score = percent(detected, undetected);
    const ok = score >= group.threshold;
    failed ||= !ok;
    console.log(
      `  ${group.name}: ${score.toFixed(2)} % (needs ${group.threshold} %) ${ok ? "ok" : "TOO LOW"}`,
    );
  }
  if (failed) {
    console.error(
      "test:mutation: a group scored below its threshold: kill its survivors with a test, or mark a true equivalent with `// Stryker disable next-line <mutator>: <reason>` (see docs/mutation.md).",
    );
    process.exit(1);
  }
}

main();
