// The generator matrix across languages (issue 17): each cell is one generator of one language,
// described once in test/generators/<language>/recipe.mjs. The same recipe is what the docs show
// (its `steps` rendered with the docs' names for the files) and what the test runs (the steps with
// this machine's paths), so the two cannot drift.
//
// Usage: node scripts/generators/matrix.mjs [--only <cell id, language or recipe folder>] [--spec <file>] [--mock <url>]
//   Runs the cells (starting the project's mock unless --mock is given) and prints one line per cell.
//   --spec feeds another description to every cell (e.g. releases/openapi-0.1.0.json): cells must fail.
// No imports beyond Node's own and the repo's scripts: .ci/run may call it before the test.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "../lib/run-tool.mjs";

/**
 * @typedef {object} Step
 * @property {"generate" | "compile" | "call"} stage what the step proves: it generates (with no
 *   unlisted warning), it compiles strictly, or it calls the mock (its last stdout line is the Report)
 * @property {string[]} command argv, with placeholders: {spec} the description fed, {out} the
 *   generated client's folder, {work} the cell's scratch folder, {cache} the cell's .cache folder,
 *   {jar} openapi-generator's jar, {here} the recipe's own folder (its call program, lock files)
 * @property {boolean} [docs] false for a step only the test runs (compiling its call program, ...)
 * @property {string} [cwd] a placeholder folder to run in (default {work})
 * @property {Record<string, string>} [env] extra environment (placeholders expanded)
 * @property {number} [timeoutMs] default 300 s
 */

/**
 * @typedef {object} Cell
 * @property {string} id e.g. "python-openapi-python-client"
 * @property {string} language e.g. "Python"
 * @property {string} generator e.g. "openapi-python-client"
 * @property {string} version the pinned version, e.g. "0.29.1"
 * @property {"3.1" | "3.0"} description which description it is fed: generated/openapi.json (3.1)
 *   or generated/openapi-3.0.json (3.0)
 * @property {string} install what a user runs to get the generator (shown in the docs)
 * @property {string[]} [debianPackages] Debian packages the cell needs (installed by .ci/run)
 * @property {string[]} commands the programs the cell needs on PATH (checked before it runs;
 *   missing ones skip the cell outside CI and fail it under CI=true)
 * @property {() => string[]} [missingPackages] which of the Debian library packages the cell needs
 *   (not programs: a PHP extension, a Ruby gem) are missing here; checked after `commands`, and a
 *   missing one skips the cell the same way
 * @property {(ctx: Context) => void} [setup] installs the pinned generator and runtime packages into
 *   ctx.cache, reusing them while the lock is unchanged; throws with a clear message on failure
 * @property {Step[]} steps
 * @property {{ pattern: RegExp, why: string }[]} [knownWarnings] generator warnings that are harmless, each with why
 * @property {string} contactType the generator's class/type name for a contact, which the call reports
 * @property {string} errorType what the call reports for the 422 (the generator's error type)
 * @property {string[]} caveats sentences for the recipe (markdown), upstream issue links included
 * @property {boolean} [parseOnly] generated and parsed only (C#: no .NET SDK can be installed here)
 * @property {{ stage: "generate" | "compile" | "call", issue: string, why: string }} [knownFailure] a stage
 *   that fails because the generator is wrong: the test then requires that stage to fail (and the
 *   earlier ones to pass), `issue` is the upstream issue's URL, `why` a sentence for the docs; the
 *   workaround goes in `caveats`
 */

/**
 * @typedef {object} Context
 * @property {string} spec the description fed (absolute path)
 * @property {string} out the generated client's folder
 * @property {string} work the cell's scratch folder (fresh each run)
 * @property {string} cache the cell's persistent folder, .cache/generators/<language>/
 * @property {string} here the recipe's folder
 * @property {string} jar openapi-generator's jar (fetched on first use)
 * @property {string} mockUrl the mock's base URL
 * @property {(argv: string[], options?: { cwd?: string, env?: Record<string, string>, timeoutMs?: number }) => { status: number | null, output: string }} run
 */

/**
 * What a call program prints as the last line of its stdout (JSON). It calls the mock three times
 * with the token `test_token_for_the_mock`, PATCH /contacts/{CALLBELL_UUID} with the body
 * {"name": "Joe Doe NEW"}, each with one `Prefer` header:
 *  - object: `Prefer: example=objectEnvelope` (contact is an object)
 *  - array:  `Prefer: example=seedArrayEnvelope` (contact is an array of one)
 *  - error:  `Prefer: code=422` (the 422 example)
 * For object and array it reports the contact decoded by the generated client: `type` is the
 * runtime class/type name of the contact value (must equal the cell's contactType), `uuid` and
 * `name` are read through the generated type's fields. For error: the status the generated error
 * carries and its type name (must equal the cell's errorType).
 * @typedef {{ object: Decoded, array: Decoded, error: { status: number, type: string } }} Report
 * @typedef {{ status: number, type: string, uuid: string, name: string }} Decoded
 */

/** The environment every call program gets. */
export const callEnv = (mockUrl) => ({
  CALLBELL_BASE_URL: mockUrl,
  CALLBELL_TOKEN: "test_token_for_the_mock",
  // Not the examples' uuid: the mock answers with the one sent.
  CALLBELL_UUID: "c0ffee0000000000000000000000beef",
});
export const expectedName = "Joe Doe NEW";

export const descriptions = {
  3.1: path.join(root, "generated", "openapi.json"),
  "3.0": path.join(root, "generated", "openapi-3.0.json"),
};

// openapi-generator, one jar for python, go, java, php, ruby, rust and csharp, from Maven Central.
export const openapiGenerator = {
  version: "7.25.0",
  url: "https://repo1.maven.org/maven2/org/openapitools/openapi-generator-cli/7.25.0/openapi-generator-cli-7.25.0.jar",
  sha256: "41ce4f6b07f196676439d710759fa1ced7a08066d06ff1bf314681470289efae",
  file: "openapi-generator-cli-7.25.0.jar",
};

/**
 * An openapi-generator cell's generate command: `java -jar <jar> generate -g <generator>`, the cell's
 * own options, then the description in and the folder out (the docs show it with the user's names).
 * @param {string} generator e.g. "python"
 * @param {...string} options e.g. "--library", "native"
 * @returns {string[]}
 */
export const openapiGeneratorCommand = (generator, ...options) => [
  "java",
  "-jar",
  "{jar}",
  "generate",
  "-g",
  generator,
  ...options,
  "-i",
  "{spec}",
  "-o",
  "{out}",
];

/**
 * The JVM settings of an openapi-generator step in the test (not in the docs): the generator runs once
 * and briefly, and the quick compiler alone (no C2) with the serial GC halves its CPU time on 2 shared cores.
 */
export const quickJvmEnv = { JDK_JAVA_OPTIONS: "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" };

/** What a user runs to get openapi-generator (each openapi-generator cell's `install`). */
export const openapiGeneratorInstall = `curl -fLO ${openapiGenerator.url}`;

/**
 * The two notices every openapi-generator cell prints, each with why it is harmless; a cell lists its
 * own warnings after these. One text for all: the engineers who traced it per language saw the same.
 */
export const openapiGeneratorWarnings = [
  {
    pattern: /OpenAPI 3\.1 support is still in beta/,
    why: "openapi-generator prints it for every 3.1 description, whatever it holds; the cell's compile and call stages show what this contract uses is read right",
  },
  {
    pattern: /ModelUtils - Failed to get the schema name: null/,
    why:
      "ModelUtils.getSimpleRef was handed an inline schema (no `$ref`) and logs instead of naming it. With this " +
      "contract the inline `oneOf`/`anyOf` members and the `$ref`'d examples set it off (traced for php, ruby, java " +
      "and go); the python generator prints it even for a 3.0.3 description whose only schema has one string " +
      "property, and the 3.0 edition prints it too. It names no schema and drops none: every model is generated, " +
      "and the cell compiles and decodes both envelopes and the 422",
  },
];

export const generatorsCache = path.join(root, ".cache", "generators");

/** The jar's path, downloaded once into .cache/generators/openapi-generator/ and checked. */
export function openapiGeneratorJar() {
  const dir = path.join(generatorsCache, "openapi-generator");
  const jar = path.join(dir, openapiGenerator.file);
  const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");
  if (existsSync(jar) && sha256(jar) === openapiGenerator.sha256) return jar;
  mkdirSync(dir, { recursive: true });
  const partial = `${jar}.part`;
  const got = spawnSync("curl", ["-sfSL", "--retry", "3", "-o", partial, openapiGenerator.url], {
    encoding: "utf8",
    timeout: 300_000,
  });
  if (got.status !== 0)
    throw new Error(
      `Could not download openapi-generator ${openapiGenerator.version} from Maven Central: ${got.stderr}`,
    );
  if (sha256(partial) !== openapiGenerator.sha256)
    throw new Error(
      `openapi-generator's jar from Maven Central does not have the pinned SHA-256 (scripts/generators/matrix.mjs).`,
    );
  renameSync(partial, jar);
  return jar;
}

/**
 * Every cell of every recipe, in the docs' order.
 * @returns {Promise<(Cell & { here: string })[]>}
 */
export async function loadCells() {
  const recipes = path.join(root, "test", "generators");
  const cells = [];
  for (const language of readdirSync(recipes, { withFileTypes: true })) {
    if (!language.isDirectory()) continue;
    const recipe = path.join(recipes, language.name, "recipe.mjs");
    if (!existsSync(recipe)) continue;
    const module = await import(pathToFileURL(recipe).href);
    for (const cell of module.cells) cells.push({ ...cell, here: path.dirname(recipe) });
  }
  return cells;
}

/** Replaces the placeholders of a step's strings. */
export function expand(text, values) {
  return text.replace(/\{(spec|out|work|cache|jar|here)\}/g, (_, name) => values[name]);
}

/** What the docs show for a step: the user's own file names instead of this machine's paths. */
export function shown(cell, step) {
  return step.command
    .map((part) =>
      expand(part, {
        spec: cell.description === "3.0" ? "openapi-3.0.json" : "openapi.json",
        out: "callbell-client",
        work: ".",
        cache: ".",
        jar: openapiGenerator.file,
        here: ".",
      }),
    )
    .map((part) => (/^[\w./:=@-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}

/**
 * Which of the cell's commands are missing here.
 * @param {{ commands: string[] }} cell
 * @returns {string[]}
 */
export function missingCommands(cell) {
  return cell.commands.filter(
    (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status !== 0,
  );
}

/**
 * Why the cell cannot run here (its missing programs, else its missing Debian library packages), or
 * undefined when it can.
 * @param {{ commands: string[], missingPackages?: () => string[] }} cell
 * @returns {string | undefined}
 */
export function missingForCell(cell) {
  const commands = missingCommands(cell);
  if (commands.length) return `no ${commands.map((command) => `\`${command}\``).join(", ")}`;
  const packages = cell.missingPackages?.() ?? [];
  if (packages.length) return `no Debian ${packages.join(", ")}`;
  return undefined;
}

/**
 * Why the cell is skipped here and what to install, or undefined when it can run (the test and the
 * runner below say the same).
 * @param {{ language: string, commands: string[], debianPackages?: string[], missingPackages?: () => string[] }} cell
 * @returns {string | undefined}
 */
export function cellSkipReason(cell) {
  const missing = missingForCell(cell);
  if (missing === undefined) return undefined;
  const fix = cell.debianPackages?.length
    ? `Debian's ${cell.debianPackages.join(" and ")}; run \`npm run setup:toolchains\` (or .ci/run) to install it`
    : "them on PATH";
  return `${missing}: the ${cell.language} cell of the generator matrix needs ${fix}`;
}

const WARNING = /\bwarn(ing)?\b/i;

/**
 * Runs one cell against a mock; returns { ok, stages: { generate, compile, call }, problems, report }.
 * Each stage is "pass", "fail" or "not run"; problems say what failed, with the tool's output.
 * @param {Cell & { here: string }} cell
 * @param {{ mockUrl: string, spec?: string }} options
 * @returns {{ ok: boolean, stages: Record<Step["stage"], "pass" | "fail" | "not run">, problems: string[],
 *   report: Report | undefined }}
 */
export function runCell(cell, { mockUrl, spec = descriptions[cell.description] } = {}) {
  const work = mkdtempSync(path.join(tmpdir(), `callbell-${cell.id}-`));
  const cache = path.join(generatorsCache, cell.language.toLowerCase().replace(/[^a-z0-9]+/g, "-"));
  mkdirSync(cache, { recursive: true });
  const needsJar = cell.steps.some((step) => step.command.some((part) => part.includes("{jar}")));
  const values = {
    spec: path.resolve(spec),
    out: path.join(work, "out"),
    work,
    cache,
    jar: needsJar ? openapiGeneratorJar() : "",
    here: cell.here,
  };
  const run = (argv, { cwd = work, env = {}, timeoutMs = 300_000 } = {}) => {
    const result = spawnSync(argv[0], argv.slice(1), {
      cwd,
      env: { ...process.env, ...env },
      encoding: "utf8",
      timeout: timeoutMs,
      killSignal: "SIGKILL",
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`;
    return { status: result.signal ? null : result.status, output, stdout: result.stdout ?? "" };
  };
  /** @type {Context} */
  const ctx = { ...values, mockUrl, run };
  /** @type {Record<Step["stage"], "pass" | "fail" | "not run">} */
  const stages = { generate: "not run", compile: "not run", call: "not run" };
  const problems = [];
  let report;
  try {
    cell.setup?.(ctx);
    for (const step of cell.steps) {
      const argv = step.command.map((part) => expand(part, values));
      const env = Object.fromEntries(
        Object.entries({ ...(step.stage === "call" ? callEnv(mockUrl) : {}), ...step.env }).map(([k, v]) => [
          k,
          expand(v, values),
        ]),
      );
      const result = run(argv, {
        cwd: step.cwd ? expand(step.cwd, values) : work,
        env,
        timeoutMs: step.timeoutMs,
      });
      if (result.status !== 0) {
        stages[step.stage] = "fail";
        problems.push(
          `${step.stage}: \`${shown(cell, step)}\` exited ${result.status ?? "(killed after its timeout)"}:\n${result.output.slice(-6000)}`,
        );
        break;
      }
      if (step.stage === "generate") {
        const unlisted = result.output
          .split("\n")
          .filter((line) => WARNING.test(line))
          .filter((line) => !(cell.knownWarnings ?? []).some(({ pattern }) => pattern.test(line)));
        if (unlisted.length) {
          stages.generate = "fail";
          problems.push(`generate: warnings not listed in the recipe:\n${unlisted.join("\n")}`);
          break;
        }
      }
      if (step.stage === "call") {
        const last = result.stdout.trim().split("\n").at(-1) ?? "";
        try {
          report = JSON.parse(last);
        } catch {
          stages.call = "fail";
          problems.push(
            `call: the program's last line is not its JSON report:\n${result.output.slice(-4000)}`,
          );
          break;
        }
        problems.push(...checkReport(cell, report));
        stages.call = problems.length ? "fail" : "pass";
        if (problems.length) break;
      }
      if (stages[step.stage] === "not run") stages[step.stage] = "pass";
    }
  } catch (error) {
    problems.push(`setup: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (!process.env.KEEP_GENERATED) rmSync(work, { recursive: true, force: true });
  }
  const ok = problems.length === 0 && (cell.parseOnly ? stages.compile === "pass" : stages.call === "pass");
  return { ok, stages, problems, report };
}

/** What is wrong with a call program's report, in sentences (empty when it is right). */
export function checkReport(cell, report) {
  const problems = [];
  const { CALLBELL_UUID } = callEnv("");
  for (const envelope of ["object", "array"]) {
    const got = report?.[envelope];
    const want = { status: 200, type: cell.contactType, uuid: CALLBELL_UUID, name: expectedName };
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(
        `call: the ${envelope} envelope decoded to ${JSON.stringify(got)}, not ${JSON.stringify(want)}`,
      );
  }
  const want = { status: 422, type: cell.errorType };
  if (JSON.stringify(report?.error) !== JSON.stringify(want))
    problems.push(`call: the 422 came back as ${JSON.stringify(report?.error)}, not ${JSON.stringify(want)}`);
  return problems;
}

async function main() {
  const args = process.argv.slice(2);
  const option = (name) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const only = option("--only");
  const spec = option("--spec");
  let mockUrl = option("--mock");
  let stop = async () => {};
  const cells = (await loadCells()).filter(
    (cell) =>
      !only ||
      cell.id === only ||
      cell.language.toLowerCase() === only.toLowerCase() ||
      path.basename(cell.here) === only, // the recipe's folder: `--only csharp` for C#
  );
  if (!cells.length) throw new Error(`No cell matches --only ${only}.`);
  if (!mockUrl) {
    const { startMock } = await import("../dev/run-mock.mjs");
    const mock = await startMock({ port: 0 });
    mockUrl = mock.url;
    stop = mock.stop;
  }
  let failed = 0;
  try {
    for (const cell of cells) {
      const started = Date.now();
      const skip = cellSkipReason(cell);
      if (skip) {
        console.log(`${cell.id}: skipped, ${skip}`);
        continue;
      }
      const result = runCell(cell, { mockUrl, spec });
      if (!result.ok) failed++;
      console.log(
        `${cell.id}: ${result.ok ? "pass" : "FAIL"} (${((Date.now() - started) / 1000).toFixed(1)} s) ${JSON.stringify(result.stages)}`,
      );
      for (const problem of result.problems) console.log(`  ${problem.replace(/\n/g, "\n  ")}`);
    }
  } finally {
    await stop();
  }
  process.exitCode = failed ? 1 : 0;
}

// Not awaited at the top level: a recipe may import this module (its pins), which would otherwise wait
// for main() while main() waits for the recipe (Node exits 13, "unsettled top-level await").
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
