// The breaking-change check: its judgement of single edits to the real bundled spec, its version
// rule, and the command and `npm run release` end to end in a fresh clone without tags.
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkVersions, classifyChanges, typeArraysAsAnyOf } from "../../scripts/release/check-breaking.mjs";
import { releaseChangelog } from "../../scripts/release/release.mjs";
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
  [
    "changing the authentication scheme",
    (s) => (s.components.securitySchemes.bearerAuth = { type: "apiKey", in: "header", name: "X-Key" }),
  ],
  ["moving the server", (s) => (s.servers[0].url = "https://api.callbell.eu/v2")],
  ["renaming a schema (its name is in the package's types)", (s) => renameSchema(s, "Contact", "Person")],
  ["dropping a type from a request union", (s) => s.components.schemas.CustomFieldValue.oneOf.pop()],
  [
    "adding a type to a response union",
    (s) =>
      (contact(s).customFields.additionalProperties = {
        type: ["string", "number", "boolean", "array", "object", "null"],
        items: { type: "string" },
      }),
  ],
];

/** Renames components.schemas[from] and every $ref to it. */
function renameSchema(spec: Spec, from: string, to: string) {
  spec.components.schemas[to] = spec.components.schemas[from];
  delete spec.components.schemas[from];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (record.$ref === `#/components/schemas/${from}`) record.$ref = `#/components/schemas/${to}`;
    Object.values(record).forEach(walk);
  };
  walk(spec);
}

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

  it("judges 1.0.0's rewrite of type arrays as titled anyOf branches not breaking (the same values)", () => {
    const before = JSON.parse(readFileSync(path.join(root, "releases", "openapi-0.1.0.json"), "utf8"));
    const after = structuredClone(before);
    for (const name of ["Contact", "ErrorBody"]) expect(released.components.schemas[name]).toBeDefined();
    after.components.schemas.Contact.properties.customFields =
      released.components.schemas.Contact.properties.customFields;
    after.components.schemas.Error.properties = released.components.schemas.ErrorBody.properties;
    expect(JSON.stringify(after)).not.toEqual(JSON.stringify(before));
    expect(classifyChanges(before, after).filter((change) => change.breaking)).toEqual([]);
  });

  it("rewrites a type array as an anyOf that accepts exactly the same values (fast-check, Ajv)", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: false });
    const types = ["string", "number", "integer", "boolean", "array", "object"] as const;
    const schema = fc.record(
      {
        // Two types or more, and maybe null: the unions the rewrite is for.
        type: fc
          .tuple(fc.subarray([...types], { minLength: 2 }), fc.boolean())
          .map(([some, nullable]) => (nullable ? [...some, "null"] : some)),
        description: fc.constant("A union."),
        minLength: fc.nat(3),
        maximum: fc.integer({ min: -5, max: 5 }),
        items: fc.constantFrom({ type: "string" }, { type: "integer" }),
        minItems: fc.nat(2),
        additionalProperties: fc.oneof(fc.boolean(), fc.constant({ type: "number" })),
        required: fc.constant(["a"]),
        enum: fc.constant(undefined),
      },
      { requiredKeys: ["type"] },
    );
    fc.assert(
      fc.property(schema, fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 20 }), (original, values) => {
        const rewritten = typeArraysAsAnyOf(structuredClone(original));
        expect(rewritten.type).toBeUndefined();
        expect(rewritten.anyOf).toHaveLength(original.type.length);
        const [before, after] = [ajv.compile(original), ajv.compile(rewritten)];
        for (const value of [...values, "ab", 3, 3.5, true, null, ["x"], [1, 2], { a: 1 }, {}])
          expect(after(value)).toBe(before(value));
      }),
      { seed: 20261125, numRuns: 200 },
    );
  });

  it("leaves a nullable type (one type and null) as it is", () => {
    expect(typeArraysAsAnyOf({ type: ["string", "null"], maxLength: 3 })).toEqual({
      type: ["string", "null"],
      maxLength: 3,
    });
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
    expect(checkVersions({ ...same, current: "0.2.0", packageVersion: "0.2.0", breakingCount: 0 }).ok).toBe(
      true,
    );
  });
  it("fails on breaking changes without a new major, and names the version to set", () => {
    for (const next of ["0.1.0", "0.2.0", "0.1.1"]) {
      const verdict = checkVersions({ base: "0.1.0", current: next, packageVersion: next, breakingCount: 2 });
      expect(verdict.ok).toBe(false);
      expect(verdict.message).toContain("1.0.0");
    }
  });
  it("passes breaking changes with a new major", () => {
    expect(
      checkVersions({ base: "0.1.0", current: "1.0.0", packageVersion: "1.0.0", breakingCount: 2 }).ok,
    ).toBe(true);
    expect(
      checkVersions({ base: "1.4.2", current: "2.0.0", packageVersion: "2.0.0", breakingCount: 1 }).ok,
    ).toBe(true);
  });
  it("fails when the package and the contract disagree, a version goes backwards or is not semantic", () => {
    expect(checkVersions({ ...same, packageVersion: "0.2.0", breakingCount: 0 }).message).toMatch(/differ/);
    expect(
      checkVersions({ base: "1.0.0", current: "0.9.0", packageVersion: "0.9.0", breakingCount: 0 }).message,
    ).toMatch(/backwards/);
    expect(checkVersions({ ...same, current: "v1", packageVersion: "v1", breakingCount: 0 }).message).toMatch(
      /not a semantic version/,
    );
  });
});

describe("CHANGELOG.md's Unreleased section, released", () => {
  const head = "# Changelog\n\nIntro.\n\n";
  const older = "## 0.1.0\n\nFirst release.\n";
  it("moves what is under Unreleased under the version, leaving an empty Unreleased above it", () => {
    const text = `${head}## Unreleased\n\n- A change.\n- Another.\n\n${older}`;
    expect(releaseChangelog(text, "1.0.0", "2026-01-02")).toBe(
      `${head}## Unreleased\n\n## 1.0.0 (2026-01-02)\n\n- A change.\n- Another.\n\n${older}`,
    );
  });
  it("keeps every line of every entry, whatever they say (fast-check)", () => {
    const line = fc
      .string({ minLength: 1, maxLength: 40 })
      .map((text) => `- ${text.replace(/[\r\n]/g, " ").trim() || "x"}`);
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
        const released = releaseChangelog(
          `${head}## Unreleased\n\n${lines.join("\n")}\n\n${older}`,
          "2.3.4",
          "2026-01-02",
        );
        const [unreleased, rest] = released.split("## 2.3.4 (2026-01-02)\n\n");
        expect(unreleased).toBe(`${head}## Unreleased\n\n`);
        expect(rest).toBe(`${lines.join("\n")}\n\n${older}`);
      }),
      { seed: 20261125, numRuns: 100 },
    );
  });
  it("refuses an empty or missing Unreleased section, and a version released before", () => {
    expect(() => releaseChangelog(`${head}## Unreleased\n\n${older}`, "1.0.0", "2026-01-02")).toThrow(
      /Unreleased" is empty/,
    );
    expect(() => releaseChangelog(`${head}${older}`, "1.0.0", "2026-01-02")).toThrow(
      /no "## Unreleased" heading/,
    );
    expect(() => releaseChangelog(`${head}## Unreleased\n\n- x\n\n${older}`, "0.1.0", "2026-01-02")).toThrow(
      /already has a section/,
    );
  });
});

describe("npm run release and npm run check:breaking, in a fresh clone without tags", () => {
  let work: string;
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-C", repo, ...args],
      { encoding: "utf8" },
    );
  const node = (script: string, ...args: string[]) => {
    const result = spawnSync(process.execPath, [path.join(repo, "scripts", script), ...args], {
      cwd: repo,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "Test",
        GIT_AUTHOR_EMAIL: "test@example.invalid",
        GIT_COMMITTER_NAME: "Test",
        GIT_COMMITTER_EMAIL: "test@example.invalid",
      },
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  const check = () => node("release/check-breaking.mjs");
  const edit = (file: string, from: string, to: string) => {
    const full = path.join(repo, file);
    const text = readFileSync(full, "utf8");
    if (!text.includes(from))
      throw new Error(`${file} no longer contains ${JSON.stringify(from)}; update this test's edit.`);
    writeFileSync(full, text.replace(from, to));
  };
  const version = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version as string;
  const nextMajor = `${Number(version.split(".")[0]) + 1}.0.0`;
  const setVersion = (next: string) => {
    edit("openapi/openapi.yaml", `version: ${version}`, `version: ${next}`);
    edit("package.json", `"version": "${version}"`, `"version": "${next}"`);
  };
  const restore = () => git("checkout", "--quiet", "--", ".");

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "callbell-release-"));
    const origin = path.join(work, "origin");
    mkdirSync(origin);
    for (const entry of [
      "openapi",
      "releases",
      "generated",
      "scripts",
      "package.json",
      "redocly.yaml",
      "CHANGELOG.md",
    ])
      cpSync(path.join(root, entry), path.join(origin, entry), { recursive: true });
    // Once the current version is released, the copy is put back to before that release, so that
    // the clone has a release to make.
    const released = path.join(origin, "releases", `openapi-${version}.json`);
    if (existsSync(released)) {
      rmSync(released);
      const changelog = path.join(origin, "CHANGELOG.md");
      // Without its heading, the release's entries join whatever is under "## Unreleased" above it.
      const heading = new RegExp(`^## ${version.replaceAll(".", "\\.")} \\([^)]*\\)\n\n`, "m");
      if (!heading.test(readFileSync(changelog, "utf8")))
        throw new Error(`CHANGELOG.md has no section for the released ${version}.`);
      writeFileSync(changelog, readFileSync(changelog, "utf8").replace(heading, ""));
    }
    repo = origin;
    git("init", "--quiet", "--initial-branch=main");
    git("add", ".");
    git("commit", "--quiet", "-m", "the repository as it is");
    git("tag", "v0.1.0"); // a tag the clone below does not get, as in clones made without tags
    execFileSync("git", ["clone", "--quiet", "--no-tags", origin, path.join(work, "clone")]);
    repo = path.join(work, "clone");
    symlinkSync(path.join(root, "node_modules"), path.join(repo, "node_modules"), "dir");
    writeFileSync(path.join(repo, ".git", "info", "exclude"), "node_modules\n");
  }, 60_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("has no tag, and compares with the newest file in releases/", () => {
    expect(git("tag", "--list").trim()).toBe("");
    const { status, output } = check();
    const newest = readdirSync(path.join(repo, "releases")).sort().at(-1);
    expect(output).toContain(`against releases/${newest} (the last release`);
    expect(status).toBe(0);
  }, 60_000);

  it("releases the current version: the contract in releases/, the CHANGELOG section, a commit and a tag", () => {
    const { status, output } = node("release/release.mjs", "--date", "2026-01-02");
    expect(output, output).toContain(`tagged v${version}`);
    expect(status).toBe(0);
    expect(readFileSync(path.join(repo, "releases", `openapi-${version}.json`), "utf8")).toBe(
      readFileSync(path.join(repo, "generated", "openapi.json"), "utf8"),
    );
    expect(readFileSync(path.join(repo, "CHANGELOG.md"), "utf8")).toMatch(
      new RegExp(`## Unreleased\n\n## ${version.replaceAll(".", "\\.")} \\(2026-01-02\\)\n\n\\S`),
    );
    expect(git("tag", "--list").trim()).toBe(`v${version}`);
    expect(git("status", "--porcelain").trim()).toBe("");
    // A second run has nothing to release.
    expect(node("release/release.mjs").output).toContain(`${version} is released`);
  }, 120_000);

  it("fails a breaking edit (a tighter bound) without a major bump, and says which version to set", () => {
    edit("openapi/components/schemas/ContactUpdate.yaml", "maxLength: 1000", "maxLength: 500");
    const { status, output } = check();
    restore();
    expect(output).toContain(`against releases/openapi-${version}.json (the last release`);
    expect(output).toMatch(/breaking +PATCH \/contacts\/\{uuid\}: .*maxLength.*`note`/);
    expect(output).toContain(
      `set info.version in openapi/openapi.yaml and "version" in package.json to ${nextMajor}`,
    );
    expect(status).toBe(1);
  }, 60_000);

  it("fails renaming a schema without a major bump", () => {
    git("mv", "openapi/components/schemas/ErrorBody.yaml", "openapi/components/schemas/ApiErrorBody.yaml");
    for (const file of readdirSync(path.join(repo, "openapi", "components", "responses")))
      edit(`openapi/components/responses/${file}`, "schemas/ErrorBody.yaml", "schemas/ApiErrorBody.yaml");
    const { status, output } = check();
    git("reset", "--quiet", "--hard");
    expect(output).toMatch(/breaking +components\.schemas\.ErrorBody: removed or renamed/);
    expect(status).toBe(1);
  }, 60_000);

  it("passes a compatible edit (a looser bound)", () => {
    edit("openapi/components/schemas/ContactUpdate.yaml", "maxLength: 1000", "maxLength: 2000");
    const { status, output } = check();
    restore();
    expect(output).toContain("0 breaking");
    expect(status).toBe(0);
  }, 60_000);

  it("passes the same breaking edit with a new major version", () => {
    edit("openapi/components/schemas/ContactUpdate.yaml", "maxLength: 1000", "maxLength: 500");
    setVersion(nextMajor);
    const { status, output } = check();
    restore();
    expect(output).toContain(`${version} → ${nextMajor} is a new major version`);
    expect(status).toBe(0);
  }, 60_000);

  it("fails, saying what to do, when releases/ holds no contract", () => {
    git("rm", "--quiet", "-r", "releases");
    const { status, output } = check();
    git("reset", "--quiet", "--hard");
    expect(output).toContain("no released contract");
    expect(output).toContain("npm run release");
    expect(status).toBe(1);
  }, 60_000);
});
