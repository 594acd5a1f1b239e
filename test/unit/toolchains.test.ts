// scripts/lib/toolchains.mjs decides whether a sample or browser test runs, is skipped, or fails
// under CI: each decision is checked here in a child process with a PATH and CI of our making.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

const moduleUrl = new URL("../../scripts/lib/toolchains.mjs", import.meta.url).href;
const bin = mkdtempSync(path.join(tmpdir(), "callbell-toolchains-"));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** Evaluates `expression` with the module's exports in scope, in a process with this env. */
function evaluate(expression: string, env: Record<string, string | undefined>): unknown {
  const script = `import * as t from ${JSON.stringify(moduleUrl)}; process.stdout.write(JSON.stringify(${expression}) ?? "null");`;
  const clean = Object.fromEntries(
    Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined),
  );
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      env: clean as NodeJS.ProcessEnv,
      encoding: "utf8",
    }),
  );
}

const fakeCommand = (name: string, exitCode: number) => {
  writeFileSync(path.join(bin, name), `#!/bin/sh\nexit ${exitCode}\n`);
  chmodSync(path.join(bin, name), 0o755);
};

describe("scripts/lib/toolchains.mjs", () => {
  it("finds no command on an empty PATH, and says which Debian packages bring each and how to install them", () => {
    const missing = evaluate(
      "t.toolchains.filter((c) => c.commands && !c.commands.some((x) => x.startsWith('/'))).map((c) => [c.name, t.locate(c) ?? null, t.missingReason(c), c.debianPackages])",
      { PATH: bin },
    ) as [string, string | null, string, string[]][];
    expect(missing.map(([name]) => name)).toEqual(["cURL", "Ruby", "Go", "PHP", "Java"]);
    for (const [name, found, reason, packages] of missing) {
      expect(found, name).toBeNull();
      for (const debianPackage of packages) expect(reason).toContain(debianPackage);
      expect(reason).toContain("npm run setup:toolchains");
    }
  });

  it("counts a command as found only when its probe succeeds", () => {
    fakeCommand("ruby", 1);
    expect(
      evaluate("t.locate(t.toolchains.find((c) => c.name === 'Ruby')) ?? null", { PATH: bin }),
    ).toBeNull();
    fakeCommand("ruby", 0);
    expect(evaluate("t.locate(t.toolchains.find((c) => c.name === 'Ruby'))", { PATH: bin })).toBe("ruby");
  });

  it("looks for Chromium where CHROMIUM_PATH says", () => {
    const chromium = path.join(bin, "chrome");
    const find = "t.locate(t.toolchains.find((c) => c.name === 'Chromium')) ?? null";
    expect(evaluate(find, { CHROMIUM_PATH: chromium })).toBeNull();
    fakeCommand("chrome", 0);
    expect(evaluate(find, { CHROMIUM_PATH: chromium })).toBe(chromium);
  });

  it("treats CI as on for any value but empty, false or 0", () => {
    expect(evaluate("t.inCI", { CI: undefined })).toBe(false);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom("", "false", "FALSE", "0", "true", "1"),
          fc.string({ maxLength: 6 }).filter((value) => !value.includes("\0")),
        ),
        (value) => {
          expect(evaluate("t.inCI", { CI: value })).toBe(!["", "false", "0"].includes(value.toLowerCase()));
        },
      ),
      { numRuns: 16 },
    );
  });
});

describe("scripts/generators/matrix.mjs: what a generator cell lacks", () => {
  it("names missing programs first, then missing Debian libraries, and nothing when the cell can run", async () => {
    const { missingForCell } = await import("../../scripts/generators/matrix.mjs");
    let probed = 0;
    const libraries = (missing: string[]) => () => {
      probed++;
      return missing;
    };
    expect(
      missingForCell({ commands: ["sh", "callbell-no-such-program"], missingPackages: libraries([]) }),
    ).toBe("no `callbell-no-such-program`");
    // Libraries are probed with the cell's programs (php -m, ruby -e): not when those are missing.
    expect(probed).toBe(0);
    expect(missingForCell({ commands: ["sh"], missingPackages: libraries(["ruby-typhoeus"]) })).toBe(
      "no Debian ruby-typhoeus",
    );
    expect(missingForCell({ commands: ["sh"], missingPackages: libraries([]) })).toBeUndefined();
    expect(missingForCell({ commands: ["sh"] })).toBeUndefined();
  });
});
