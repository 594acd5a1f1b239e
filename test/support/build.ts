// Tests that use the package as users get it (dist/) must not run against a stale build.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { root } from "../../scripts/lib/run-tool.mjs";

export { root };

const newestMtime = (dir: string) =>
  Math.max(
    ...readdirSync(dir, { recursive: true, encoding: "utf8" }).map(
      (file) => statSync(path.join(dir, file)).mtimeMs,
    ),
  );

/** Throws, saying what to run, when dist/ is missing or older than src/ or generated/. */
export function assertBuildIsFresh(): void {
  let built: number;
  try {
    built = statSync(path.join(root, "dist", "index.js")).mtimeMs;
  } catch {
    throw new Error("dist/index.js is missing: run `npm run build` first (`npm test` does).");
  }
  const sources = Math.max(
    newestMtime(path.join(root, "src")),
    statSync(path.join(root, "generated", "schema.d.ts")).mtimeMs,
  );
  if (built < sources)
    throw new Error("dist/ is older than src/ or generated/: run `npm run build` first (`npm test` does).");
}

/** process.env without the npm_* variables an enclosing `npm run` sets, so child npm commands act as in a fresh shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, ...extra };
}

/**
 * Packs this checkout as `npm pack` would publish it into `destination`; returns the tarball's path
 * and the files it holds. --ignore-scripts: prepack's build already ran (npm test builds first),
 * and rebuilding dist/ here would race the other test files that load it.
 */
export function packTarball(destination: string): { tarball: string; files: string[] } {
  const packed = spawnSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], {
    cwd: root,
    env: cleanEnv(),
    encoding: "utf8",
  });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stdout}${packed.stderr}`);
  const [{ filename, files }] = JSON.parse(packed.stdout) as [
    { filename: string; files: { path: string }[] },
  ];
  return { tarball: path.join(destination, filename), files: files.map((file) => file.path) };
}
