// Mutation testing of src/ (`npm run test:mutation`): StrykerJS changes one thing at a time in the
// client and bulk code and checks that a test fails. scripts/ci/mutation.mjs then checks the
// score per group (Stryker's own `thresholds.break` is one figure for everything).
// Mutants that no test can tell apart from the original are marked in src/ with
// `// Stryker disable next-line <mutator>: <reason>`; docs/mutation.md lists them.
import { groups } from "./scripts/ci/mutation.mjs";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts", related: false },
  checkers: ["typescript"],
  // src/ alone: the checker only needs to know that a mutant still compiles, not the tests.
  tsconfigFile: "tsconfig.stryker.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: "perTest",
  // The files of scripts/ci/mutation.mjs's groups (client core, bulk), each scored against its threshold.
  mutate: groups.flatMap((group) => group.files),
  ignorePatterns: [
    "dist",
    "site",
    "releases",
    "reports",
    ".cache",
    "test/package/generators",
    "test-results",
  ],
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  // Committed: each run reuses the results of the mutants whose code and tests did not change, tests
  // the rest, and writes the whole set back (docs/mutation.md, "How it runs").
  incremental: true,
  incrementalFile: "scripts/ci/mutation-incremental.json",
  // Two test runners, for CI's two cores (Stryker gives the type checker half the processes, and
  // it is idle once the mutants are checked).
  concurrency: 4,
  // A mutant that makes a call hang is a timeout (detected): 3 s beyond the tests' own time.
  timeoutMS: 3_000,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
