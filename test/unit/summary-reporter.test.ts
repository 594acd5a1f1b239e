// test/support/summary-reporter.ts: under CI a test may be skipped only for a named missing
// toolchain (which test/support/toolchains.ts fails under CI anyway); any other skip fails the run.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const vitest = path.join(root, "node_modules", "vitest", "vitest.mjs");

/** The fixture's run: exit status and output, with CI and the fixture's own skip set. */
function run(env: { CI: string; FIXTURE_SKIP: string }) {
  const result = spawnSync(
    process.execPath,
    [vitest, "run", "--config", "test/support/fixtures/skips/vitest.config.ts"],
    {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
      encoding: "utf8",
      timeout: 60_000,
      killSignal: "SIGKILL",
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the summary reporter", () => {
  it("fails the run under CI when a test is skipped for no named reason, and names it", () => {
    const { status, output } = run({ CI: "true", FIXTURE_SKIP: "1" });
    expect(output).toMatch(
      /skipped for no named reason:\n {2}test\/support\/fixtures\/skips\/skips\.fixture-test\.ts > is skipped for no named reason/,
    );
    expect(output).not.toMatch(/> is skipped for a missing toolchain/);
    expect(output).toContain("vitest: 1 passed, 1 failed, 2 skipped");
    expect(status).toBe(1);
  }, 60_000);

  it("lets a named missing toolchain through under CI, and any skip outside CI", () => {
    const underCi = run({ CI: "true", FIXTURE_SKIP: "0" });
    expect(underCi.output).toContain("vitest: 2 passed, 0 failed, 1 skipped");
    expect(underCi.status).toBe(0);
    const local = run({ CI: "", FIXTURE_SKIP: "1" });
    expect(local.output).toContain("vitest: 1 passed, 0 failed, 2 skipped");
    expect(local.status).toBe(0);
  }, 120_000);
});
