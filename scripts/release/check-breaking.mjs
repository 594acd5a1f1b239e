// `npm run check:breaking [-- --base <git ref>]`: compares openapi/ in the working tree with the
// contract as last released (the newest releases/openapi-<version>.json, written by `npm run
// release`) and fails on a breaking change unless info.version starts a new major. The released
// contract is a file in the repository, not a git tag, because tags do not reach every clone.
// The diff and most of the judging are api-smart-diff's; `packageRules` below adds what a
// package shipping generated types needs and corrects the tool where it is wrong.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { apiCompare } from "api-smart-diff";
import { runTool } from "../lib/run-tool.mjs";

const RELEASE_FILE = /^openapi-(\d+)\.(\d+)\.(\d+)\.json$/;
const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Every change from `before` to `after` (bundled OpenAPI documents), each judged breaking or not.
 * @returns {{ where: string, what: string, type: string, breaking: boolean, rule?: string }[]}
 */
export function classifyChanges(before, after) {
  // api-smart-diff resolves $refs in place, so it gets copies.
  const { diffs } = apiCompare(
    typeArraysAsAnyOf(withoutMarks(structuredClone(before))),
    typeArraysAsAnyOf(withoutMarks(structuredClone(after))),
  );
  return diffs
    .filter((diff) => !isComponentCopy(diff.path) || isRemovedComponent(diff))
    .map((diff) => {
      const rule = packageRules(diff);
      const breaking = rule ? rule.breaking : diff.type === "breaking";
      return {
        where:
          diff.path[0] === "paths"
            ? `${String(diff.path[2]).toUpperCase()} ${diff.path[1]}`
            : diff.path.join("."),
        what: isRemovedComponent(diff)
          ? "removed or renamed"
          : diff.description || `${diff.action} ${diff.path.slice(3).join(".")}`,
        type: diff.type,
        breaking,
        ...(rule ? { rule: rule.reason } : {}),
      };
    });
}

// `x-own-claim` and `x-source` (scripts/spec/own-claims.mjs) say where a rule comes from, and change
// nothing a client sends or accepts: they go before the diff. So do the descriptions of schemas in
// a `oneOf`/`anyOf` branch (and of what the branch refers to): the tool matches branches as
// wholes, so new words in one (Contact's, which both branches of the 200's `contact` hold) read
// as a branch removed and another added.
function withoutMarks(spec) {
  const resolve = (ref) =>
    ref
      .slice(2)
      .split("/")
      .reduce((at, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  const seen = new Set();
  const strip = (node, inBranch) => {
    if (node === null || typeof node !== "object") return;
    if (!Array.isArray(node)) {
      delete node["x-own-claim"];
      delete node["x-source"];
      if (inBranch) {
        if (typeof node.description === "string") delete node.description;
        if (typeof node.$ref === "string" && !seen.has(node.$ref))
          (seen.add(node.$ref), strip(resolve(node.$ref), true));
      }
    }
    for (const [key, value] of Object.entries(node))
      if (key !== "example" && key !== "examples")
        strip(value, inBranch || ((key === "oneOf" || key === "anyOf") && Array.isArray(value)));
  };
  strip(spec, false);
  return spec;
}

// Schemas, responses and parameters under components are judged where paths use them (the tool
// inlines them there, knowing whether they are sent or received); their copy under components
// is judged without that context. Security schemes are used only from components, so they stay.
function isComponentCopy(pointer) {
  return pointer[0] === "components" && pointer[1] !== "securitySchemes";
}

// A component removed (or renamed) is a name gone from the package's types
// (`components["schemas"]["Error"]`), even when every path still uses the same shape.
function isRemovedComponent(diff) {
  return diff.path[0] === "components" && diff.path.length === 3 && diff.action === "remove";
}

// Keywords that apply to one JSON type only: when a `type` array is split into branches, each
// branch takes its own. Everything else (description, readOnly, enum ...) stays on the parent.
const keywordsOfType = {
  string: ["minLength", "maxLength", "pattern", "format", "contentEncoding", "contentMediaType"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  array: [
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
  ],
  object: [
    "properties",
    "additionalProperties",
    "patternProperties",
    "required",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
  ],
};
keywordsOfType.integer = keywordsOfType.number;

/**
 * Rewrites every `type` array of two or more non-null types as the `anyOf` of one branch per
 * type that means the same, in place. `type: [string, array]` + `items` and
 * `anyOf: [{type: string}, {type: array, items}]` accept the same values, but the tool compares
 * them keyword by keyword; in one form on both sides, only a real difference remains.
 * `[T, "null"]`, the usual nullable, is left as it is.
 */
export function typeArraysAsAnyOf(node) {
  if (Array.isArray(node)) {
    for (const item of node) typeArraysAsAnyOf(item);
    return node;
  }
  if (node === null || typeof node !== "object") return node;
  for (const [key, value] of Object.entries(node))
    if (key !== "example" && key !== "examples") typeArraysAsAnyOf(value);
  if (
    Array.isArray(node.type) &&
    node.type.filter((type) => type !== "null").length >= 2 &&
    !("anyOf" in node)
  ) {
    const types = node.type;
    const moved = new Set(types.flatMap((type) => keywordsOfType[type] ?? []));
    node.anyOf = types.map((type) => {
      const branch = { type };
      for (const keyword of keywordsOfType[type] ?? []) if (keyword in node) branch[keyword] = node[keyword];
      return branch;
    });
    delete node.type;
    for (const keyword of moved) delete node[keyword];
  }
  return node;
}

/** This package's judgement where it differs from api-smart-diff's, with the reason. */
function packageRules(diff) {
  const pointer = diff.path;
  if (isRemovedComponent(diff))
    return {
      breaking: true,
      reason: `code naming components["${pointer[1]}"]["${pointer[2]}"] in the package's types stops compiling`,
    };
  const received = pointer[0] === "paths" && pointer.includes("responses");
  // The package exports generated types: a property that disappears stops code that sends or
  // reads it from compiling, and ContactUpdate rejects unknown fields. The tool calls it non-breaking.
  if (pointer[0] === "paths" && diff.action === "remove" && pointer.at(-2) === "properties")
    return { breaking: true, reason: "a removed property breaks code compiled against the package's types" };
  // The tool judges a response `type` change by reversing its request rule, which calls any
  // response type change non-breaking. Judge by set inclusion, both ways: what is sent may
  // widen, what is received may narrow.
  if (pointer.at(-1) === "type" && diff.action === "replace") {
    const [was, is] = [new Set([diff.before].flat()), new Set([diff.after].flat())];
    const [from, to] = received ? [is, was] : [was, is];
    const fits = [...from].every((type) => to.has(type) || (type === "integer" && to.has("number")));
    return {
      breaking: !fits,
      reason: `a ${received ? "response" : "request"} type may only ${received ? "narrow" : "widen"}`,
    };
  }
  if (pointer.at(-2) === "type" && received && diff.action !== "remove")
    return { breaking: true, reason: "a response type may only narrow" };
  // The tool files servers under annotations, but clients call servers[0] by default.
  const servers = pointer.indexOf("servers");
  if (
    servers >= 0 &&
    diff.action !== "add" &&
    (pointer.length === servers + 2 || pointer[servers + 2] === "url")
  )
    return { breaking: true, reason: "clients call the declared server by default" };
  return undefined;
}

/** Whether `current` may follow `base` given the breaking changes; `message` says why not. */
export function checkVersions({ base, current, packageVersion, breakingCount }) {
  for (const [name, version] of [
    ["info.version", current],
    ['package.json "version"', packageVersion],
  ])
    if (!SEMVER.test(version ?? ""))
      return { ok: false, message: `${name} "${version}" is not a semantic version (major.minor.patch).` };
  if (packageVersion !== current)
    return {
      ok: false,
      message: `package.json "version" (${packageVersion}) and info.version in openapi/openapi.yaml (${current}) differ: the package and its contract share one version. Set both to the same value.`,
    };
  if (!SEMVER.test(base ?? ""))
    return {
      ok: true,
      message: `The baseline's info.version "${base}" is not semantic; versions not compared.`,
    };
  const [b, c] = [base, current].map((version) => SEMVER.exec(version).slice(1, 4).map(Number));
  const order = c[0] - b[0] || c[1] - b[1] || c[2] - b[2];
  if (order < 0) return { ok: false, message: `info.version goes backwards: ${base} → ${current}.` };
  if (breakingCount > 0 && c[0] <= b[0]) {
    const next = `${b[0] + 1}.0.0`;
    return {
      ok: false,
      message: `${breakingCount} breaking change(s) since ${base} need a new major version: set info.version in openapi/openapi.yaml and "version" in package.json to ${next}, run \`npm run generate\`, and say what broke in CHANGELOG.md. Or make the change backward compatible.`,
    };
  }
  if (breakingCount > 0)
    return { ok: true, message: `Breaking changes allowed: ${base} → ${current} is a new major version.` };
  return { ok: true, message: `No breaking changes since ${base}.` };
}

function git(repo, args, options = {}) {
  return execFileSync("git", ["-C", repo, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
}

function refExists(repo, ref) {
  try {
    git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    return true;
  } catch {
    return false;
  }
}

/** The released contracts in releases/, newest first: `{ version, file }`. */
export function releasedContracts(repo) {
  const dir = path.join(repo, "releases");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, match: RELEASE_FILE.exec(name) }))
    .filter(({ match }) => match)
    .map(({ name, match }) => ({ version: match.slice(1, 4).map(Number), file: path.join(dir, name) }))
    .sort((a, b) => b.version[0] - a.version[0] || b.version[1] - a.version[1] || b.version[2] - a.version[2])
    .map(({ version, file }) => ({ version: version.join("."), file }));
}

/**
 * What to compare with: `{ ref }` (a git ref, from --base) or `{ file }` (the newest released
 * contract), with `why`. Throws, saying what to do, when there is neither.
 */
export function findBaseline(repo, explicit) {
  if (explicit) {
    if (!refExists(repo, explicit))
      throw new Error(`--base ${explicit}: no such commit, branch or tag in ${repo}.`);
    return { ref: explicit, label: explicit, why: "given with --base" };
  }
  const [newest] = releasedContracts(repo);
  if (!newest)
    throw new Error(
      `no released contract in ${path.join(repo, "releases")} (releases/openapi-<version>.json). Record the last release with \`npm run release\`, or compare with a git ref: \`npm run check:breaking -- --base <ref>\`.`,
    );
  return { file: newest.file, label: path.relative(repo, newest.file), why: "the last release" };
}

/** Writes openapi/ as it is at `ref` under outDir; false when the ref has no openapi/openapi.yaml. */
function checkoutSpec(repo, ref, outDir) {
  const files = git(repo, ["ls-tree", "-r", "-z", "--name-only", ref, "--", "openapi"])
    .split("\0")
    .filter(Boolean);
  if (!files.includes("openapi/openapi.yaml")) return false;
  for (const file of files) {
    mkdirSync(path.join(outDir, path.dirname(file)), { recursive: true });
    writeFileSync(path.join(outDir, file), git(repo, ["show", `${ref}:${file}`], { encoding: "buffer" }));
  }
  return true;
}

function bundle(rootFile, outFile) {
  runTool("redocly", ["bundle", rootFile, "--output", outFile, "--ext", "json"]);
  return JSON.parse(readFileSync(outFile, "utf8"));
}

function main() {
  const args = process.argv.slice(2);
  const baseIndex = args.indexOf("--base");
  const repo = process.cwd();
  const currentRoot = path.join(repo, "openapi", "openapi.yaml");
  if (!existsSync(currentRoot)) {
    console.error(
      `check:breaking: ${currentRoot} not found; run it from the repository root (npm run check:breaking does).`,
    );
    process.exit(1);
  }
  if (baseIndex >= 0 && !args[baseIndex + 1]) {
    console.error("check:breaking: --base needs a git ref, such as v0.1.0 or main.");
    process.exit(1);
  }
  let baseline;
  try {
    baseline = findBaseline(repo, baseIndex >= 0 ? args[baseIndex + 1] : undefined);
  } catch (error) {
    console.error(`check:breaking: ${error.message}`);
    process.exit(1);
  }
  const work = mkdtempSync(path.join(tmpdir(), "callbell-breaking-"));
  try {
    let before;
    if (baseline.file) {
      before = JSON.parse(readFileSync(baseline.file, "utf8"));
      const named = RELEASE_FILE.exec(path.basename(baseline.file)).slice(1, 4).join(".");
      if (before.info?.version !== named) {
        console.error(
          `check:breaking: ${baseline.label} holds info.version ${before.info?.version}, not ${named}; a release file is the bundled spec as released, never edited.`,
        );
        process.exitCode = 1;
        return;
      }
    } else {
      if (!checkoutSpec(repo, baseline.ref, path.join(work, "base"))) {
        console.log(
          `check:breaking: ${baseline.ref} (${baseline.why}) has no openapi/openapi.yaml; nothing to compare.`,
        );
        return;
      }
      before = bundle(path.join(work, "base", "openapi", "openapi.yaml"), path.join(work, "base.json"));
    }
    const after = bundle(currentRoot, path.join(work, "current.json"));
    const packageVersion = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version;
    const changes = classifyChanges(before, after);
    const breaking = changes.filter((change) => change.breaking);
    const unclassified = changes.filter((change) => !change.breaking && change.type === "unclassified");

    console.log(
      `check:breaking: openapi/ (working tree, ${after.info?.version}) against ${baseline.label} (${baseline.why}, ${before.info?.version})`,
    );
    for (const change of breaking)
      console.log(`  breaking      ${change.where}: ${change.what}${change.rule ? ` (${change.rule})` : ""}`);
    for (const change of unclassified)
      console.log(`  unclassified  ${change.where}: ${change.what} (the tool cannot tell; review it)`);
    console.log(`  ${breaking.length} breaking, ${changes.length - breaking.length} other change(s).`);

    const verdict = checkVersions({
      base: before.info?.version,
      current: after.info?.version,
      packageVersion,
      breakingCount: breaking.length,
    });
    (verdict.ok ? console.log : console.error)(verdict.message);
    if (!verdict.ok) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
