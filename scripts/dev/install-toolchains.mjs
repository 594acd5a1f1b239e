// Installs the Debian packages of every toolchain in scripts/lib/toolchains.mjs that is missing,
// and those of every cell of the generator matrix (each recipe's `debianPackages`,
// test/generators/*/recipe.mjs) that dpkg does not list, then checks each again. `--check` only
// reports. Re-runnable: what is there is left alone.
// No imports beyond Node's own and the repo's scripts (the recipes included): .ci/run runs this before `npm ci`.
import { spawnSync } from "node:child_process";
import { loadCells } from "../generators/matrix.mjs";
import { locate, toolchains } from "../lib/toolchains.mjs";

const checkOnly = process.argv.includes("--check");

function report() {
  const missing = [];
  for (const toolchain of toolchains) {
    const found = locate(toolchain);
    console.log(
      `  ${found ? "found  " : "missing"}  ${toolchain.name.padEnd(9)} ${found ?? toolchain.debianPackages.join(" ")}`,
    );
    if (!found) missing.push(toolchain);
  }
  return missing;
}

/** The generator cells' Debian packages that dpkg does not list as installed (all of them without dpkg). */
const cells = await loadCells();
const dpkg = spawnSync("dpkg-query", ["--version"], { stdio: "ignore" }).status === 0;
const installed = (name) =>
  dpkg &&
  /^install ok installed$/.test(
    spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" }).stdout ?? "",
  );
function reportCells() {
  const missing = [];
  for (const cell of cells) {
    const absent = (cell.debianPackages ?? []).filter((name) => !installed(name));
    console.log(
      `  ${absent.length ? "missing" : "found  "}  ${cell.id.padEnd(32)} ` +
        ((absent.length ? absent : (cell.debianPackages ?? [])).join(" ") || "(no Debian package)"),
    );
    missing.push(...absent);
  }
  return [...new Set(missing)];
}

console.log("Toolchains for the code-sample and browser tests:");
let missing = report();
console.log("Debian packages of the generator matrix (test/generators/*/recipe.mjs):");
let missingPackages = reportCells();
if (missing.length === 0 && missingPackages.length === 0) {
  console.log("All present.");
  process.exit(0);
}
if (checkOnly) {
  console.log(
    `Missing: ${[...missing.map((toolchain) => toolchain.name), ...missingPackages].join(", ")}. ` +
      "Run `npm run setup:toolchains` to install them.",
  );
  process.exit(1);
}
if (process.platform !== "linux" || spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status !== 0) {
  console.error(
    "This installs with Debian's apt-get, which is not here: install the packages above with your system's package manager.",
  );
  process.exit(1);
}

const packages = [
  ...new Set([...missing.flatMap((toolchain) => toolchain.debianPackages), ...missingPackages]),
];
const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
function apt(...args) {
  const [command, ...rest] = [...sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", ...args];
  console.log(`$ ${[command, ...rest].join(" ")}`);
  const result = spawnSync(command, rest, { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`apt-get ${args[0]} failed (exit ${result.status ?? result.error?.message}).`);
    process.exit(1);
  }
}
apt("update", "-qq");
apt("install", "-y", "-qq", ...packages);

console.log("After installing:");
missing = report();
missingPackages = reportCells();
if (missing.length > 0 || missingPackages.length > 0) {
  console.error(
    `Still missing: ${[...missing.map((toolchain) => toolchain.name), ...missingPackages].join(", ")}.`,
  );
  process.exit(1);
}
console.log("All present.");
