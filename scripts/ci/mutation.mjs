// `npm run test:mutation [-- <stryker options>]`: StrykerJS over src/ (stryker.config.mjs), then the
// score per file and per group from its JSON report, failing below each group's threshold:
// 90 % for the client core, 80 % for bulk. (Stryker's own `thresholds.break` is one figure for all.)
// StrykerJS 10 needs Node 22 or later: it runs on the pinned Node 22 of scripts/ci/fetch-node.mjs.
//
// Incremental (docs/mutation.md): Stryker starts from the committed results in
// scripts/ci/mutation-incremental.json and tests again only the mutants whose code changed, or whose
// tests' files changed; the report still holds every mutant, so a score that drops fails here as in a
// full run. Commit the file after a run that changed it. Stryker cannot see changes in files that are
// neither mutated nor a test file (helpers, fakes, generated/, dependencies): this script keeps their
// hashes in the file and names the ones that changed; `-- --force` tests everything again.
// Options after `--` go to Stryker, such as `--mutate src/client/internal/transport.ts` to test one file while
// working on it (the other files keep their results from the incremental file).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
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
  {
    name: "bulk",
    threshold: 80,
    files: ["src/bulk/index.ts", "src/bulk/adaptive-rate.ts", "src/bulk/wakeup.ts"],
  },
];
const report = path.join(root, "reports", "mutation", "mutation.json");
export const incrementalFile = "scripts/ci/mutation-incremental.json";

// What Stryker's incremental diff does not look at, but the tests' outcome depends on.
const ENVIRONMENT = [
  "src",
  "generated",
  "test/support",
  "test/fakes",
  "vitest.stryker.config.ts",
  "stryker.config.mjs",
  "tsconfig.json",
  "tsconfig.stryker.json",
  "package-lock.json",
];

function filesUnder(entry) {
  const full = path.join(root, entry);
  if (!existsSync(full)) return [];
  try {
    return readdirSync(full, { recursive: true, withFileTypes: true })
      .filter((dirent) => dirent.isFile())
      .map((dirent) =>
        path.relative(root, path.join(dirent.parentPath, dirent.name)).split(path.sep).join("/"),
      );
  } catch {
    return [entry];
  }
}

/** sha256 of every file under ENVIRONMENT but notes. */
function hashes() {
  const all = {};
  for (const file of ENVIRONMENT.flatMap(filesUnder).sort())
    if (!file.endsWith(".md"))
      all[file] = createHash("sha256")
        .update(readFileSync(path.join(root, file)))
        .digest("hex");
  return all;
}

/** The files a `--mutate` list names (`--mutate a,b:1-9` or `--mutate=a,b`), without line ranges. */
export function mutatedFiles(args) {
  const lists = args.flatMap((arg, i) =>
    arg.startsWith("--mutate=")
      ? [arg.slice("--mutate=".length)]
      : arg === "--mutate" || arg === "-m"
        ? [args[i + 1] ?? ""]
        : [],
  );
  return new Set(lists.flatMap((list) => list.split(",")).map((entry) => entry.replace(/:\d+(-\d+)?$/, "")));
}

/** Of `all`, the files the incremental diff cannot see: neither mutated nor holding tests Stryker ran. */
export function environment(json, all = hashes()) {
  const seen = new Set([...Object.keys(json.files ?? {}), ...Object.keys(json.testFiles ?? {})]);
  return Object.fromEntries(Object.entries(all).filter(([file]) => !seen.has(file)));
}

/**
 * The files whose content differs from when the incremental file was written (a file that became
 * mutated or a test file since is no change: Stryker diffs it now).
 */
function environmentChanges(json) {
  const before = json.environment ?? {};
  const now = environment(json);
  const changed = Object.keys(now).filter((file) => before[file] !== now[file]);
  const removed = Object.keys(before).filter((file) => !(file in now) && !existsSync(path.join(root, file)));
  return [...changed, ...removed].sort();
}

/**
 * After a run: the incremental file without this machine's path (Stryker writes `projectRoot`, which it
 * does not read back), with the hashes of what Stryker cannot diff.
 */
export function sealIncrementalFile(all, file = path.join(root, incrementalFile)) {
  const json = JSON.parse(readFileSync(file, "utf8"));
  delete json.projectRoot;
  json.environment = environment(json, all);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}

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
  const args = process.argv.slice(2);
  const full = args.includes("--force") || !existsSync(path.join(root, incrementalFile));
  if (!full) {
    const changed = environmentChanges(JSON.parse(readFileSync(path.join(root, incrementalFile), "utf8")));
    if (changed.length)
      console.warn(
        `test:mutation: ${changed.length} file(s) changed since ${incrementalFile} was written that Stryker's ` +
          `incremental diff does not look at; results reused for mutants they affect may be stale ` +
          `(run \`npm run test:mutation -- --force\` to test everything again):\n  ${changed.slice(0, 20).join("\n  ")}` +
          (changed.length > 20 ? `\n  … and ${changed.length - 20} more` : ""),
      );
  }
  // As the files were when Stryker read them.
  const atStart = hashes();
  const started = Date.now();
  const run = spawnSync(node, [stryker, "run", ...args], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` },
  });
  if (run.status !== 0) {
    console.error(`test:mutation: Stryker exited with ${run.status}; its output above says why.`);
    process.exit(1);
  }
  if (existsSync(path.join(root, incrementalFile))) sealIncrementalFile(atStart);
  const files = scores(JSON.parse(readFileSync(report, "utf8")));
  // With --mutate, only the files named (a `file:1-9` range names its file) are scored: the report also
  // holds the committed results of every other file, which this run did not test again.
  const named = mutatedFiles(args);
  const mutateGiven = named.size > 0;
  let failed = false;
  console.log(`\ntest:mutation: mutation score per file (${Math.round((Date.now() - started) / 1000)} s)`);
  for (const group of groups) {
    const present = group.files.filter((file) => files[file] && (!mutateGiven || named.has(file)));
    // The whole set must be there, unless the run was told to mutate only some files.
    const missing = group.files.filter((file) => !files[file]);
    if (missing.length && !mutateGiven) {
      console.log(`  ${group.name}: no results for ${missing.join(", ")} TOO LOW`);
      failed = true;
    }
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
