// Checks that generated/openapi-3.0.json (or FILE) is valid OpenAPI 3.0 with kin-openapi, a
// validator this project did not write: the Go program in scripts/spec/openapi-3.0-validator/, pinned
// by its go.mod and go.sum, built into .cache/bin/ with Go's module and build caches under
// .cache/go/, and built again only when its sources or go.sum change.
// Usage: node scripts/spec/validate-openapi-3.0.mjs [FILE]   (--build only builds; .ci/run uses it)
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "../lib/run-tool.mjs";

const source = path.join(root, "scripts", "spec", "openapi-3.0-validator");
const cache = path.join(root, ".cache");
export const validatorBinary = path.join(cache, "bin", "validate-openapi-3.0");
const stamp = `${validatorBinary}.stamp`;

/** Go's environment: every download and build artefact under .cache/go, the modules as go.sum pins them. */
function goEnv() {
  const go = path.join(cache, "go");
  return {
    ...process.env,
    GOPATH: go,
    GOMODCACHE: path.join(go, "mod"),
    GOCACHE: path.join(go, "build"),
    GOFLAGS: "-mod=readonly -buildvcs=false",
    CGO_ENABLED: "0",
  };
}

function sourceHash() {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum", "main.go"]) hash.update(readFileSync(path.join(source, file)));
  return hash.digest("hex");
}

/** Builds the validator unless the binary of these sources is there; returns its path. Throws, saying what to do, on failure. */
export function buildValidator(go = "go") {
  const hash = sourceHash();
  if (existsSync(validatorBinary) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash)
    return validatorBinary;
  mkdirSync(path.dirname(validatorBinary), { recursive: true });
  const result = spawnSync(go, ["build", "-trimpath", "-o", validatorBinary, "."], {
    cwd: source,
    env: goEnv(),
    encoding: "utf8",
  });
  if (result.error || result.status !== 0)
    throw new Error(
      `building the OpenAPI 3.0 validator (kin-openapi, scripts/spec/openapi-3.0-validator/) failed: ${result.error?.message ?? `${result.stdout}${result.stderr}`.trim()}. It needs Go 1.25 or later (or a Go that may fetch that toolchain) and the Go module proxy.`,
    );
  writeFileSync(stamp, hash);
  return validatorBinary;
}

/** kin-openapi's verdict on a file: `{ valid, output }`. */
export function validateOpenApi30(file, go = "go") {
  const result = spawnSync(buildValidator(go), [file], { encoding: "utf8" });
  if (result.error) throw result.error;
  return { valid: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    if (process.argv.includes("--build")) {
      console.log(`OpenAPI 3.0 validator ready: ${path.relative(process.cwd(), buildValidator())}`);
    } else {
      const file = path.resolve(process.argv[2] ?? path.join(root, "generated", "openapi-3.0.json"));
      const { valid, output } = validateOpenApi30(file);
      const shown = path.relative(process.cwd(), file);
      if (valid) console.log(`${shown}: valid OpenAPI 3.0 (kin-openapi).`);
      else {
        console.error(
          `${shown} is not valid OpenAPI 3.0 (kin-openapi): ${output}\nIt is generated: fix scripts/spec/openapi-3.0.mjs or openapi/, then run \`npm run generate\`.`,
        );
        process.exitCode = 1;
      }
    }
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
