// The system toolchains some tests need, in one place: the code samples' languages, the
// browser that opens the docs page, and the Python that runs Schemathesis. `npm run
// setup:toolchains` (and so .ci/run) installs them from Debian; the tests skip with this list's
// reason when one is missing, and fail under CI.
// No imports beyond Node's own: .ci/run runs this before `npm ci`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian's Chromium, or another build named by CHROMIUM_PATH (GitHub's runners ship Chrome). */
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/**
 * @typedef {object} Toolchain
 * @property {string} name what the tests call it
 * @property {string[]} debianPackages what `apt-get install` needs to bring it
 * @property {string} neededBy which tests run it
 * @property {string[]} [commands] candidate executables, the first that passes `probe` is used
 * @property {string[]} [probe] arguments that exit 0 only when the toolchain can run its test
 * @property {string} [path] a file that must exist instead of a command
 */

/** @type {Toolchain[]} */
export const toolchains = [
  {
    name: "Chromium",
    debianPackages: ["chromium"],
    neededBy: "the docs page's browser test (test/docs/site.test.ts)",
    path: chromiumPath,
  },
  {
    name: "cURL",
    debianPackages: ["curl"],
    neededBy: "the cURL code sample",
    commands: ["curl"],
    probe: ["--version"],
  },
  {
    name: "Ruby",
    debianPackages: ["ruby"],
    neededBy: "the Ruby code sample",
    commands: ["ruby"],
    probe: ["-rnet/http", "-rjson", "-e", ""],
  },
  {
    name: "Go",
    debianPackages: ["golang-go"],
    neededBy: "the Go code sample (and kin-openapi, which validates the OpenAPI 3.0 edition, with Go 1.25+)",
    commands: ["go"],
    probe: ["version"],
  },
  {
    name: "PHP",
    debianPackages: ["php-cli", "php-curl"],
    neededBy: "the PHP code sample",
    commands: ["php"],
    probe: ["-r", "exit(function_exists('curl_init') ? 0 : 1);"],
  },
  {
    name: "Python",
    debianPackages: ["python3-requests"],
    neededBy: "the Python code sample",
    // A python3 earlier on PATH (pyenv, a venv) may lack requests where Debian's has it.
    commands: ["python3", "/usr/bin/python3"],
    probe: ["-c", "import requests"],
  },
  // The Schemathesis test makes a virtual environment (scripts/ci/setup-schemathesis.mjs); Debian's
  // python3 can do that only with python3-venv, which brings ensurepip and its pip wheel.
  {
    name: "Python venv",
    debianPackages: ["python3-venv"],
    neededBy: "the Schemathesis test (test/contract/schemathesis.test.ts)",
    commands: ["python3", "/usr/bin/python3"],
    probe: ["-c", "import venv, ensurepip, sys; sys.exit(0 if ensurepip.version() else 1)"],
  },
  // `java File.java` compiles in memory, which needs the JDK's compiler, not only a JRE.
  {
    name: "Java",
    debianPackages: ["default-jdk-headless"],
    neededBy: "the Java code sample",
    commands: ["java"],
    probe: ["--describe-module", "jdk.compiler"],
  },
];

/** Where a toolchain runs from here: its command (or file), or undefined when it is missing. */
export function locate(toolchain) {
  if (toolchain.path) return existsSync(toolchain.path) ? toolchain.path : undefined;
  return toolchain.commands.find(
    (command) => spawnSync(command, toolchain.probe, { stdio: "ignore", timeout: 30_000 }).status === 0,
  );
}

/** Why a test cannot run without it, and how to get it. */
export function missingReason(toolchain) {
  const what = toolchain.path
    ? `no ${toolchain.name} at ${toolchain.path}`
    : `no working \`${toolchain.commands[0]}\``;
  return `${what}: ${toolchain.neededBy} needs Debian's ${toolchain.debianPackages.join(" and ")}; run \`npm run setup:toolchains\` (or .ci/run) to install it`;
}

/** CI must run every test: a missing toolchain fails there instead of being skipped. */
export const inCI = !!process.env.CI && !/^(false|0)$/i.test(process.env.CI);
