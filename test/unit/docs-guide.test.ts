// The docs page's errors table states what the client does; hold it to the client's own policy.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withGuide } from "../../scripts/site/guide.mjs";
import { backoffMs, isRetryableStatus, RETRY_AFTER_CAP_MS } from "../../src/client/retry-policy.js";

const docsSpec = JSON.parse(readFileSync("generated/openapi-with-samples.json", "utf8"));
const page = withGuide(docsSpec, readFileSync("CHANGELOG.md", "utf8"));
const rows = page.info.description
  .split("\n")
  .filter((line: string) => /^\| `/.test(line))
  .map((line: string) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell: string) => cell.trim()),
  );

describe("the docs page's errors table", () => {
  it("has one row per error status of the operation, in order", () => {
    const statuses = Object.keys(docsSpec.paths["/contacts/{uuid}"].patch.responses).filter(
      (status) => !status.startsWith("2"),
    );
    expect(rows.map((row: string[]) => row[0])).toEqual(statuses.map((status) => `\`${status}\``));
  });

  it("says the client retries exactly the statuses it retries (any status of each family, generated)", () => {
    for (const [status, , retries] of rows) {
      const code = status.replace(/`/g, "");
      if (code === "default") continue;
      const family = code.endsWith("XX")
        ? fc.integer({ min: Number(code[0]) * 100, max: Number(code[0]) * 100 + 99 })
        : fc.constant(Number(code));
      fc.assert(fc.property(family, (value) => isRetryableStatus(value) === retries.startsWith("yes")));
    }
  });

  it("states the waits the client uses: 0.5 s doubling to 8 s, up to 25 % shorter, Retry-After up to 60 s", () => {
    const text = page.info.description;
    expect(text).toContain("0.5 s doubling to 8 s, each up to 25 % shorter");
    expect(text).toContain("up to 60 s");
    expect(text).toContain("30 s");
    expect(RETRY_AFTER_CAP_MS).toBe(60_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), (retry) => {
        const full = Math.min(500 * 2 ** (retry - 1), 8_000);
        const wait = backoffMs(retry);
        return wait <= full && wait >= full * 0.75;
      }),
    );
  });

  it("marks every example error body as illustrative", () => {
    for (const [status, response] of Object.entries(docsSpec.components.responses) as [string, any][])
      for (const example of Object.values(response.content["application/json"].examples) as any[])
        expect(example.summary, status).toMatch(/^Illustrative, not from Callbell/);
  });
});

describe("the docs page's Regenerate section", () => {
  it("links the OpenAPI 3.0 edition, says which description feeds which generator, and lists what the 3.0 edition lost", async () => {
    const { lossList, toOpenApi30 } = await import("../../scripts/spec/openapi-3.0.mjs");
    const text = page.info.description;
    const section = text.slice(text.indexOf("# Regenerate a client"), text.indexOf("# Run the mock"));
    expect(section).toContain("[openapi-3.0.json](openapi-3.0.json)");
    expect(section).toContain("`callbell-openapi/openapi-3.0.json`");
    for (const generator of ["openapi-typescript", "progenitor (Rust)", "NSwag"])
      expect(section).toContain(generator);
    const { losses } = toOpenApi30(JSON.parse(readFileSync("generated/openapi.json", "utf8")));
    expect(losses.length).toBeGreaterThan(0);
    expect(section).toContain(lossList(losses));
  });
});

describe("the docs page offers the Postman collection", () => {
  it("links the collection and both environments, and the site carries each file it links", async () => {
    const { mkdtempSync, rmSync, existsSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const { buildDocs } = await import("../../scripts/site/build-site.mjs");
    const { postmanFiles } = await import("../../scripts/spec/postman-collection.mjs");
    const links = [...page.info.description.matchAll(/\]\((postman\/[^)]+)\)/g)].map((match) => match[1]);
    expect(links.sort()).toEqual(
      Object.values(postmanFiles)
        .map((file) => `postman/${file}`)
        .sort(),
    );
    const dir = mkdtempSync(path.join(tmpdir(), "callbell-docs-postman-"));
    try {
      buildDocs(dir);
      for (const link of links) expect(existsSync(path.join(dir, link)), link).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists every finding Schemathesis is allowed to report, with why it is not a defect", async () => {
    const { acceptedFindings } = await import("../../scripts/ci/schemathesis.mjs");
    const section = page.tags.find((tag: { name: string }) => tag.name === "Checked by Schemathesis")
      .description as string;
    for (const finding of acceptedFindings)
      expect(section).toContain(
        `${finding.code}: ${finding.title} | the ${finding.target} | not a defect: ${finding.why}`,
      );
  });
});
