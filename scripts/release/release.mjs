// `npm run release`: records the version in package.json (and info.version) as released.
// It checks that generated/ is fresh and that check:breaking passes against the last release,
// turns CHANGELOG.md's "## Unreleased" section into "## <version> (<date>)" under a new empty
// "## Unreleased", copies the bundled spec to releases/openapi-<version>.json (what the next
// check:breaking compares against), commits both and tags v<version>. Pushing is left to you.
// Usage: npm run release [-- --date YYYY-MM-DD]
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const UNRELEASED = /^## Unreleased[ \t]*\n/m;

/**
 * CHANGELOG.md's text with the Unreleased section released as `version`; throws when that
 * section is missing or empty, or the version already has a section.
 */
export function releaseChangelog(text, version, date) {
  const heading = UNRELEASED.exec(text);
  if (!heading)
    throw new Error(
      'CHANGELOG.md has no "## Unreleased" heading: add it above the newest release, with this release\'s changes under it.',
    );
  const bodyStart = heading.index + heading[0].length;
  const next = text.slice(bodyStart).search(/^## /m);
  const bodyEnd = next < 0 ? text.length : bodyStart + next;
  const body = text.slice(bodyStart, bodyEnd).trim();
  if (!body)
    throw new Error(
      'CHANGELOG.md: "## Unreleased" is empty; say what this release changes before releasing it.',
    );
  if (new RegExp(`^## ${version.replaceAll(".", "\\.")}\\b`, "m").test(text))
    throw new Error(`CHANGELOG.md already has a section for ${version}.`);
  return `${text.slice(0, heading.index)}## Unreleased\n\n## ${version} (${date})\n\n${body}\n${next < 0 ? "" : "\n"}${text.slice(bodyEnd)}`;
}

function git(repo, args) {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" }).trim();
}

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

function runStep(repo, script, args = []) {
  console.log(`release: node scripts/${script} ${args.join(" ")}`.trimEnd());
  const result = spawnSync(process.execPath, [path.join(repo, "scripts", script), ...args], {
    cwd: repo,
    stdio: "inherit",
  });
  if (result.status !== 0)
    fail(
      `scripts/${script} failed (exit ${result.status}); fix what it names and run \`npm run release\` again.`,
    );
}

function main() {
  const repo = process.cwd();
  const args = process.argv.slice(2);
  const dateIndex = args.indexOf("--date");
  const date = dateIndex >= 0 ? args[dateIndex + 1] : new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date ?? "")) fail("--date needs a date as YYYY-MM-DD.");

  const version = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version;
  const tag = `v${version}`;
  const releaseFile = path.join(repo, "releases", `openapi-${version}.json`);
  if (existsSync(releaseFile))
    fail(
      `${path.relative(repo, releaseFile)} exists: ${version} is released. Set the next version in package.json and info.version first.`,
    );
  if (git(repo, ["tag", "--list", tag])) fail(`the tag ${tag} exists already.`);
  if (git(repo, ["status", "--porcelain"]))
    fail(
      "the working tree has uncommitted changes; commit or stash them, so that the release commit holds only the release.",
    );

  // generated/ must be what openapi/ makes, and the version must fit the changes since the last release.
  runStep(repo, "spec/check-generated.mjs");
  runStep(repo, "release/check-breaking.mjs");
  const bundled = JSON.parse(readFileSync(path.join(repo, "generated", "openapi.json"), "utf8"));
  if (bundled.info?.version !== version)
    fail(`generated/openapi.json has info.version ${bundled.info?.version}, package.json ${version}.`);

  const changelog = path.join(repo, "CHANGELOG.md");
  let released;
  try {
    released = releaseChangelog(readFileSync(changelog, "utf8"), version, date);
  } catch (error) {
    fail(error.message);
  }
  writeFileSync(changelog, released);
  mkdirSync(path.dirname(releaseFile), { recursive: true });
  copyFileSync(path.join(repo, "generated", "openapi.json"), releaseFile);
  git(repo, ["add", "CHANGELOG.md", path.relative(repo, releaseFile)]);
  git(repo, ["commit", "--quiet", "-m", `Release ${version}`]);
  git(repo, ["tag", "-a", tag, "-m", `Release ${version}`]);
  console.log(
    `release: wrote ${path.relative(repo, releaseFile)}, moved CHANGELOG.md's Unreleased section under "## ${version} (${date})",`,
  );
  console.log(`release: committed "Release ${version}" and tagged ${tag}. Push both: git push --follow-tags`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
