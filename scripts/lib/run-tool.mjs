// How the scripts run the project's command-line tools: from node_modules, quietly, failing loudly.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// Redocly phones home and nags about updates unless told not to.
export const toolEnv = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  NO_UPDATE_NOTIFIER: "1",
};

/** Runs node_modules/.bin/<bin> with args; on failure prints its output and exits with its code. */
export function runTool(bin, args, { quiet = true } = {}) {
  const exe = path.join(root, "node_modules", ".bin", bin);
  const result = spawnSync(exe, args, { cwd: root, env: toolEnv, encoding: "utf8" });
  if (result.error) {
    console.error(`${bin} could not start (${result.error.message}). Run \`npm ci\` first.`);
    process.exit(1);
  }
  if (result.status !== 0) {
    console.error(
      `${bin} ${args.join(" ")} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
    process.exit(result.status ?? 1);
  }
  if (!quiet) process.stdout.write(result.stdout);
  return result;
}
