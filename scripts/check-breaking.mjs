// `npm run check:breaking [-- --base <git ref>]`: compares openapi/ in the working tree with the
// last release (the newest v<major>.<minor>.<patch> tag behind HEAD; main until the first tag)
// and fails on a breaking change unless info.version starts a new major.
// The diff and most of the judging are api-smart-diff's; `packageRules` below adds what a
// package shipping generated types needs and corrects the tool where it is wrong.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { apiCompare } from "api-smart-diff";
import { runTool } from "./tools.mjs";

const RELEASE_TAG = /^v(\d+)\.(\d+)\.(\d+)$/;
const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Every change from `before` to `after` (bundled OpenAPI documents), each judged breaking or not.
 * @returns {{ where: string, what: string, type: string, breaking: boolean, rule?: string }[]}
 */
export function classifyChanges(before, after) {
  // api-smart-diff resolves $refs in place, so it gets copies.
  const { diffs } = apiCompare(structuredClone(before), structuredClone(after));
  return diffs
    .filter((diff) => !isComponentCopy(diff.path))
    .map((diff) => {
      const rule = packageRules(diff);
      const breaking = rule ? rule.breaking : diff.type === "breaking";
      return {
        where: diff.path[0] === "paths" ? `${String(diff.path[2]).toUpperCase()} ${diff.path[1]}` : diff.path.join("."),
        what: diff.description || `${diff.action} ${diff.path.slice(3).join(".")}`,
        type: diff.type,
        breaking,
        ...(rule ? { rule: rule.reason } : {}),
      };
    });
}

// Schemas, responses and parameters under components are judged where paths use them (the tool
// inlines them there, knowing whether they are sent or received); their copy under components
// is judged without that context. Security schemes are used only from components, so they stay.
function isComponentCopy(pointer) {
  return pointer[0] === "components" && pointer[1] !== "securitySchemes";
}

/** This package's judgement where it differs from api-smart-diff's, with the reason. */
function packageRules(diff) {
  const pointer = diff.path;
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
    return { breaking: !fits, reason: `a ${received ? "response" : "request"} type may only ${received ? "narrow" : "widen"}` };
  }
  if (pointer.at(-2) === "type" && received && diff.action !== "remove")
    return { breaking: true, reason: "a response type may only narrow" };
  // The tool files servers under annotations, but clients call servers[0] by default.
  const servers = pointer.indexOf("servers");
  if (servers >= 0 && diff.action !== "add" && (pointer.length === servers + 2 || pointer[servers + 2] === "url"))
    return { breaking: true, reason: "clients call the declared server by default" };
  return undefined;
}

/** Whether `current` may follow `base` given the breaking changes; `message` says why not. */
export function checkVersions({ base, current, packageVersion, breakingCount }) {
  for (const [name, version] of [["info.version", current], ['package.json "version"', packageVersion]])
    if (!SEMVER.test(version ?? "")) return { ok: false, message: `${name} "${version}" is not a semantic version (major.minor.patch).` };
  if (packageVersion !== current)
    return {
      ok: false,
      message: `package.json "version" (${packageVersion}) and info.version in openapi/openapi.yaml (${current}) differ: the package and its contract share one version. Set both to the same value.`,
    };
  if (!SEMVER.test(base ?? "")) return { ok: true, message: `The baseline's info.version "${base}" is not semantic; versions not compared.` };
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
  if (breakingCount > 0) return { ok: true, message: `Breaking changes allowed: ${base} → ${current} is a new major version.` };
  return { ok: true, message: `No breaking changes since ${base}.` };
}

function git(repo, args, options = {}) {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
}

function refExists(repo, ref) {
  try {
    git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { stdio: ["ignore", "pipe", "ignore"] });
    return true;
  } catch {
    return false;
  }
}

/** The ref to compare with: --base, else the newest release tag behind HEAD, else main. */
export function findBaseline(repo, explicit) {
  if (explicit) {
    if (!refExists(repo, explicit)) throw new Error(`--base ${explicit}: no such commit, branch or tag in ${repo}.`);
    return { ref: explicit, why: "given with --base" };
  }
  const tags = git(repo, ["tag", "--list", "v*", "--merged", "HEAD", "--sort=-v:refname"]).split("\n").filter((tag) => RELEASE_TAG.test(tag));
  if (tags[0]) return { ref: tags[0], why: "the newest release tag" };
  for (const ref of ["main", "origin/main"])
    if (refExists(repo, ref)) return { ref, why: "no release tag yet, so main stands in for the last release" };
  return { ref: "HEAD", why: "no release tag and no main branch: only uncommitted changes are compared" };
}

/** Writes openapi/ as it is at `ref` under outDir; false when the ref has no openapi/openapi.yaml. */
function checkoutSpec(repo, ref, outDir) {
  const files = git(repo, ["ls-tree", "-r", "-z", "--name-only", ref, "--", "openapi"]).split("\0").filter(Boolean);
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
    console.error(`check:breaking: ${currentRoot} not found; run it from the repository root (npm run check:breaking does).`);
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
    if (!checkoutSpec(repo, baseline.ref, path.join(work, "base"))) {
      console.log(`check:breaking: ${baseline.ref} (${baseline.why}) has no openapi/openapi.yaml; nothing to compare.`);
      return;
    }
    const before = bundle(path.join(work, "base", "openapi", "openapi.yaml"), path.join(work, "base.json"));
    const after = bundle(currentRoot, path.join(work, "current.json"));
    const packageVersion = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version;
    const changes = classifyChanges(before, after);
    const breaking = changes.filter((change) => change.breaking);
    const unclassified = changes.filter((change) => !change.breaking && change.type === "unclassified");

    console.log(
      `check:breaking: openapi/ (working tree, ${after.info?.version}) against ${baseline.ref} (${baseline.why}, ${before.info?.version})`,
    );
    for (const change of breaking) console.log(`  breaking      ${change.where}: ${change.what}${change.rule ? ` (${change.rule})` : ""}`);
    for (const change of unclassified) console.log(`  unclassified  ${change.where}: ${change.what} (the tool cannot tell; review it)`);
    console.log(`  ${breaking.length} breaking, ${changes.length - breaking.length} other change(s).`);

    const verdict = checkVersions({ base: before.info?.version, current: after.info?.version, packageVersion, breakingCount: breaking.length });
    (verdict.ok ? console.log : console.error)(verdict.message);
    if (!verdict.ok) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
