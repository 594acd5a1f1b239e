// Prints the plain closing line that CI reads, "vitest: N passed, N failed, N skipped", and before
// it one line naming the toolchains whose tests were skipped, so a skip is never taken for a pass.
// Under CI the only skip allowed is a named missing toolchain (which test/support/toolchains.ts
// fails there anyway): any other (`it.skip`, `skipIf`, `todo`, a bare `context.skip()`) is named
// and fails the run.
import type { Reporter, TestModule } from "vitest/node";
import { inCI, toolchains } from "../../scripts/lib/toolchains.mjs";
import { SKIP_NOTE_PREFIX } from "./toolchains.js";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skippedFor = new Map<string, number>();
    // A generator cell's skip names its own Debian packages (test/generators/matrix.test.ts).
    const packagesFor = new Map<string, string[]>();
    const unexplained: string[] = [];
    for (const testModule of testModules) {
      let failedTests = 0;
      for (const test of testModule.children.allTests()) {
        const result = test.result();
        if (result.state === "passed") counts.passed++;
        else if (result.state === "failed") failedTests++;
        else {
          counts.skipped++;
          const name =
            result.state === "skipped" && result.note?.startsWith(SKIP_NOTE_PREFIX)
              ? result.note.slice(SKIP_NOTE_PREFIX.length).split(":")[0]!
              : undefined;
          const named =
            name && result.state === "skipped" && /needs Debian's (.+?); run/.exec(result.note ?? "")?.[1];
          if (named) packagesFor.set(name, named.split(" and "));
          if (name) skippedFor.set(name, (skippedFor.get(name) ?? 0) + 1);
          else unexplained.push(`${testModule.moduleId.replace(`${process.cwd()}/`, "")} > ${test.fullName}`);
        }
      }
      // A file that failed to load, or whose setup hook threw, fails with no failed test in it.
      counts.failed += failedTests || (testModule.state() === "failed" ? 1 : 0);
    }
    if (skippedFor.size > 0) {
      const names = [...skippedFor].map(
        ([name, count]) => `${name} (${count} ${count === 1 ? "test" : "tests"})`,
      );
      const packages = [
        ...new Set([
          ...toolchains
            .filter(({ name }) => skippedFor.has(name))
            .flatMap(({ debianPackages }) => debianPackages),
          ...[...packagesFor.values()].flat(),
        ]),
      ];
      console.log(
        `vitest skipped for missing toolchains: ${names.join(", ")}; \`npm run setup:toolchains\` installs Debian's ${packages.join(" ")}`,
      );
    }
    if (inCI && unexplained.length > 0) {
      console.log(
        `vitest: under CI a test may be skipped only for a missing toolchain; these were skipped for no named reason:\n  ${unexplained.join("\n  ")}`,
      );
      counts.failed += unexplained.length;
      process.exitCode = 1;
    }
    console.log(`vitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
