// The breaking-change check: its judgement of single edits to the real bundled spec, its version
// rule, and the command end to end in a throwaway git repository with a release tag.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkVersions, classifyChanges } from "../../scripts/check-breaking.mjs";
import { root } from "../support/build.js";

const released = JSON.parse(readFileSync(path.join(root, "generated", "openapi.json"), "utf8"));
// Untyped: the edits below reach anywhere in the document.
type Spec = any;
const update = (spec: Spec) => spec.components.schemas.ContactUpdate.properties;
const contact = (spec: Spec) => spec.components.schemas.Contact.properties;
const operation = (spec: Spec) => spec.paths["/contacts/{uuid}"].patch;

function judge(edit: (spec: Spec) => void) {
  const after = structuredClone(released);
  edit(after);
  const changes = classifyChanges(released, after);
  expect(changes.length, "the edit changed nothing the tool sees").toBeGreaterThan(0);
  return changes;
}

const breakingEdits: [string, (spec: Spec) => void][] = [
  ["removing the operation", (s) => delete s.paths["/contacts/{uuid}"].patch],
  ["making a request field required", (s) => (s.components.schemas.ContactUpdate.required = ["name"])],
  ["dropping a value a request enum accepted", (s) => (update(s).bot_status.enum = ["bot_start"])],
  ["tightening a request bound", (s) => (update(s).note.maxLength = 500)],
  ["changing a request field's type", (s) => (update(s).note.type = "integer")],
  ["removing a request field", (s) => delete update(s).note],
  ["removing a response field", (s) => delete contact(s).name],
  ["changing a response field's type", (s) => (contact(s).tags.items.type = "integer")],
  ["letting a response field be null", (s) => (contact(s).createdAt.type = ["string", "null"])],
  ["adding a type a response field may have", (s) => contact(s).name.type.push("number")],
  ["removing a declared response", (s) => delete operation(s).responses["429"]],
  ["tightening the path parameter", (s) => (s.components.parameters.ContactUuid.schema.maxLength = 64)],
  ["changing the authentication scheme", (s) => (s.components.securitySchemes.bearerAuth = { type: "apiKey", in: "header", name: "X-Key" })],
  ["moving the server", (s) => (s.servers[0].url = "https://api.callbell.eu/v2")],
];

const compatibleEdits: [string, (spec: Spec) => void][] = [
  ["rewording a description", (s) => (update(s).name.description += " More words.")],
  ["adding an optional request field", (s) => (update(s).email = { type: "string", description: "E-mail." })],
  ["accepting a new request enum value", (s) => update(s).bot_status.enum.push("bot_pause")],
  ["loosening a request bound", (s) => (update(s).note.maxLength = 2000)],
  ["letting a request field be null", (s) => (update(s).note.type = ["string", "null"])],
  ["adding a response field", (s) => (contact(s).extra = { type: "string", description: "Extra." })],
  ["narrowing a nullable response field", (s) => (contact(s).name.type = "string")],
  ["adding a code sample", (s) => (operation(s)["x-codeSamples"] = [{ lang: "Shell", source: "curl" }])],
  ["adding a second server", (s) => s.servers.push({ url: "https://eu.api.callbell.test/v1" })],
  ["bumping info.version", (s) => (s.info.version = "0.2.0")],
];

describe("judging one edit to the bundled spec", () => {
  it.each(breakingEdits)("%s is breaking", (_name, edit) => {
    const breaking = judge(edit).filter((change) => change.breaking);
    expect(breaking.length).toBeGreaterThan(0);
  });

  it.each(compatibleEdits)("%s is not breaking", (_name, edit) => {
    const breaking = judge(edit).filter((change) => change.breaking);
    expect(breaking).toEqual([]);
  });

  it("names the operation and says what changed", () => {
    const [change] = judge((s) => (update(s).note.maxLength = 500)).filter((c) => c.breaking);
    expect(change).toMatchObject({ where: "PATCH /contacts/{uuid}" });
    expect(change!.what).toMatch(/maxLength.*`note`.*Request Body/);
  });

  it("leaves the documents it compares untouched", () => {
    const before = structuredClone(released);
    const after = structuredClone(released);
    delete after.components.schemas.Contact.properties.name;
    const afterCopy = structuredClone(after);
    classifyChanges(before, after);
    expect(before).toEqual(released);
    expect(after).toEqual(afterCopy);
  });
});

describe("the version rule", () => {
  const same = { base: "0.1.0", current: "0.1.0", packageVersion: "0.1.0" };
  it("passes without breaking changes, whatever the bump", () => {
    expect(checkVersions({ ...same, breakingCount: 0 }).ok).toBe(true);
    expect(checkVersions({ ...same, current: "0.2.0", packageVersion: "0.2.0", breakingCount: 0 }).ok).toBe(true);
  });
  it("fails on breaking changes without a new major, and names the version to set", () => {
    for (const next of ["0.1.0", "0.2.0", "0.1.1"]) {
      const verdict = checkVersions({ base: "0.1.0", current: next, packageVersion: next, breakingCount: 2 });
      expect(verdict.ok).toBe(false);
      expect(verdict.message).toContain("1.0.0");
    }
  });
  it("passes breaking changes with a new major", () => {
    expect(checkVersions({ base: "0.1.0", current: "1.0.0", packageVersion: "1.0.0", breakingCount: 2 }).ok).toBe(true);
    expect(checkVersions({ base: "1.4.2", current: "2.0.0", packageVersion: "2.0.0", breakingCount: 1 }).ok).toBe(true);
  });
  it("fails when the package and the contract disagree, a version goes backwards or is not semantic", () => {
    expect(checkVersions({ ...same, packageVersion: "0.2.0", breakingCount: 0 }).message).toMatch(/differ/);
    expect(checkVersions({ base: "1.0.0", current: "0.9.0", packageVersion: "0.9.0", breakingCount: 0 }).message).toMatch(/backwards/);
    expect(checkVersions({ ...same, current: "v1", packageVersion: "v1", breakingCount: 0 }).message).toMatch(/not a semantic version/);
  });
});

describe("npm run check:breaking, in a repository with a release tag", () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-C", repo, ...args], { encoding: "utf8" });
  const check = () => {
    const result = spawnSync(process.execPath, [path.join(root, "scripts", "check-breaking.mjs")], { cwd: repo, encoding: "utf8" });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  const edit = (file: string, from: string, to: string) => {
    const full = path.join(repo, file);
    const text = readFileSync(full, "utf8");
    if (!text.includes(from)) throw new Error(`${file} no longer contains ${JSON.stringify(from)}; update this test's edit.`);
    writeFileSync(full, text.replace(from, to));
  };
  const setVersion = (version: string) => {
    edit("openapi/openapi.yaml", "version: 0.1.0", `version: ${version}`);
    edit("package.json", '"version": "0.1.0"', `"version": "${version}"`);
  };

  beforeAll(() => {
    repo = mkdtempSync(path.join(tmpdir(), "callbell-breaking-repo-"));
    cpSync(path.join(root, "openapi"), path.join(repo, "openapi"), { recursive: true });
    cpSync(path.join(root, "package.json"), path.join(repo, "package.json"));
    git("init", "--quiet", "--initial-branch=main");
    git("add", ".");
    git("commit", "--quiet", "-m", "first release");
  });
  afterAll(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
  });
  const restore = () => git("checkout", "--quiet", "--", ".");

  it("compares with main, and says so, until the first release tag exists", () => {
    const { status, output } = check();
    expect(output).toContain("against main (no release tag yet");
    expect(status).toBe(0);
    git("tag", "v0.1.0");
  }, 60_000);

  it("passes a compatible edit (a looser bound)", () => {
    edit("openapi/components/schemas/ContactUpdate.yaml", "maxLength: 1000", "maxLength: 2000");
    const { status, output } = check();
    restore();
    expect(output).toContain("against v0.1.0 (the newest release tag");
    expect(output).toContain("0 breaking");
    expect(status).toBe(0);
  }, 60_000);

  it("fails a breaking edit (a tighter bound) and says which version to set", () => {
    edit("openapi/components/schemas/ContactUpdate.yaml", "maxLength: 1000", "maxLength: 500");
    const { status, output } = check();
    restore();
    expect(output).toMatch(/breaking +PATCH \/contacts\/\{uuid\}: .*maxLength.*`note`/);
    expect(output).toContain("set info.version in openapi/openapi.yaml and \"version\" in package.json to 1.0.0");
    expect(status).toBe(1);
  }, 60_000);

  it("passes the same breaking edit with a new major version", () => {
    edit("openapi/components/schemas/ContactUpdate.yaml", "maxLength: 1000", "maxLength: 500");
    setVersion("1.0.0");
    const { status, output } = check();
    restore();
    expect(output).toContain("0.1.0 → 1.0.0 is a new major version");
    expect(status).toBe(0);
  }, 60_000);
});
