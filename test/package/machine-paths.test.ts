// Nothing published names a folder of the machine it was made on: not the bundled spec and the
// rest of generated/, not the docs page, not a file `npm pack` ships. A path such as a work, home
// or temporary folder, or a `file:` URL, means nothing to a reader and tells them about ours.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDocs } from "../../scripts/site/build-site.mjs";
import { assertBuildIsFresh, packTarball, root } from "../support/build.js";

/**
 * Absolute paths of a development machine: a POSIX path under /work, /home, /root, /tmp, /Users
 * (or /private/tmp, /var/folders, /mnt), a Windows drive path (`C:\…`, also JSON-escaped `C:\\…`),
 * or a `file:` URL with a path (the words "works from `file://`" name none). A URL's own path
 * (`https://host/home/…`) is not one: the slash must not follow a host or another path segment.
 */
const MACHINE_PATH = new RegExp(
  [
    String.raw`(?<![\w.~%:/-])/(?:work|home|root|tmp|Users|private/tmp|var/folders|mnt)(?=/|\b)`,
    String.raw`(?<![\w\\])[A-Za-z]:\\{1,2}(?=[\w .$-])`,
    String.raw`\bfile:(?://[\w.-]*)?/[^\s\`'")\]<>/]`,
  ].join("|"),
  "g",
);

/** Each machine path in a text, with a little of what is around it. */
function machinePaths(text: string): string[] {
  return [...text.matchAll(MACHINE_PATH)].map((match) =>
    text.slice(Math.max(0, match.index - 40), match.index + 60),
  );
}

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
const found = (dir: string) =>
  Object.fromEntries(
    files(dir).flatMap((file) => {
      const hits = machinePaths(readFileSync(file, "utf8"));
      return hits.length ? [[path.relative(dir, file), hits]] : [];
    }),
  );

describe("the machine-path finder", () => {
  const roots = fc.constantFrom(
    "/work",
    "/home",
    "/root",
    "/tmp",
    "/Users",
    "/private/tmp",
    "/var/folders",
    "C:\\",
    "C:\\\\",
    "D:\\",
    "file:///",
    "file://localhost/",
    "file:/",
  );
  const segment = fc.stringMatching(/^[\w.-]{1,12}$/);
  const around = fc.constantFrom(" ", "`", '"', "'", "(", "\n", "=", ": ", "[");

  it("finds any such path, in any surrounding text (generated)", () => {
    fc.assert(
      fc.property(
        fc.string(),
        around,
        roots,
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.string(),
        (before, open, start, segments, after) => {
          const separator = start.includes("\\") ? start.slice(2) : "/";
          const found = machinePaths(
            `${before}${open}${start}${start.endsWith("\\") || start.endsWith("/") ? "" : separator}${segments.join(separator)} ${after}`,
          );
          expect(found.length).toBeGreaterThan(0);
        },
      ),
      { seed: 20261206, numRuns: 500 },
    );
  });

  it("passes URLs, API paths and relative paths, which name no machine", () => {
    for (const text of [
      "https://docs.callbell.eu/api/reference/contacts_api/patch_contacts",
      "https://github.com/callbellchat/callbell-public-docs/blob/4878e4f/docs/api/reference/errors.md",
      "https://dash.callbell.eu/settings/api_settings/keys and https://example.com/home/tmp/x",
      "PATCH /contacts/{uuid} on https://api.callbell.eu/v1, `/contacts/414a6d692bd645ed803f2e7ce360d4c8`",
      "generated/openapi.json, ./dist/index.js, ../tmp/x, node_modules/.bin/x, src/mock/prism-survives-odd-requests.cjs",
      "http://127.0.0.1:4010/tmp or localhost:8080/home",
      "the page works from `file://` too",
    ])
      expect(machinePaths(text), text).toEqual([]);
  });
});

describe("what is published names no folder of the machine it was made on", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "callbell-published-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("generated/: the bundled spec (YAML, JSON, with samples), the types, samples and validators", () => {
    expect(found(path.join(root, "generated"))).toEqual({});
  });

  it("the docs page and what it offers for download", () => {
    const site = path.join(work, "site");
    buildDocs(site);
    expect(files(site).length).toBeGreaterThan(0);
    expect(found(site)).toEqual({});
  });

  it("every file `npm pack` ships", () => {
    assertBuildIsFresh();
    const { tarball, files: packed } = packTarball(work);
    const unpacked = path.join(work, "package");
    const untar = spawnSync("tar", ["-xzf", tarball, "-C", work], { encoding: "utf8" });
    expect(untar.status, untar.stderr).toBe(0);
    expect(files(unpacked).length).toBe(packed.length);
    expect(found(unpacked)).toEqual({});
  }, 60_000);
});
