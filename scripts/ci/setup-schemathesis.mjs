// Installs Schemathesis, pinned by scripts/ci/schemathesis-requirements.txt, into a Python virtual
// environment under .cache/schemathesis/venv, and reuses it while that file is unchanged.
// `node scripts/ci/setup-schemathesis.mjs` (from .ci/run) prints the command's path; the Schemathesis
// test calls ensureSchemathesis(). Needs Python 3 with venv (the "Python venv" toolchain).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { locate, missingReason, toolchains } from "../lib/toolchains.mjs";
import { root } from "../lib/run-tool.mjs";

export const requirementsFile = path.join(root, "scripts", "ci", "schemathesis-requirements.txt");
export const venvDir = path.join(root, ".cache", "schemathesis", "venv");
const stampFile = path.join(venvDir, "requirements.sha256");
const bin = (name) => path.join(venvDir, "bin", name);

export const SCHEMATHESIS_VERSION = /^schemathesis==(\S+)$/m.exec(
  readFileSync(requirementsFile, "utf8"),
)?.[1];

function run(command, args, what) {
  const result = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0)
    throw new Error(
      `${what} failed (exit ${result.status ?? result.error?.message}):\n${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  return result.stdout;
}

/** The path of the venv's `schemathesis`, installing it first when the venv is missing or out of date. */
export function ensureSchemathesis({ log = () => {} } = {}) {
  const lock = readFileSync(requirementsFile);
  const digest = createHash("sha256").update(lock).digest("hex");
  if (
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8").trim() === digest &&
    existsSync(bin("schemathesis"))
  )
    return bin("schemathesis");
  const toolchain = toolchains.find((candidate) => candidate.name === "Python venv");
  const python = locate(toolchain);
  if (!python) throw new Error(missingReason(toolchain));
  log(
    `Installing Schemathesis ${SCHEMATHESIS_VERSION} into ${path.relative(root, venvDir)} (from ${path.relative(root, requirementsFile)})`,
  );
  rmSync(venvDir, { recursive: true, force: true });
  run(python, ["-m", "venv", venvDir], "python3 -m venv");
  // --no-deps: the file pins every package, so nothing unpinned is resolved on the way.
  run(
    bin("python"),
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-r", requirementsFile],
    "pip install",
  );
  run(bin("python"), ["-m", "pip", "check"], "pip check (a dependency missing from the requirements file)");
  const version = run(bin("schemathesis"), ["--version"], "schemathesis --version").trim();
  if (!version.endsWith(` ${SCHEMATHESIS_VERSION}`))
    throw new Error(`The venv runs ${version}, expected ${SCHEMATHESIS_VERSION}.`);
  writeFileSync(stampFile, `${digest}\n`);
  return bin("schemathesis");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(ensureSchemathesis({ log: console.log }));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
