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
  .map((line: string) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell: string) => cell.trim()));

describe("the docs page's errors table", () => {
  it("has one row per error status of the operation, in order", () => {
    const statuses = Object.keys(docsSpec.paths["/contacts/{uuid}"].patch.responses).filter((status) => !status.startsWith("2"));
    expect(rows.map((row: string[]) => row[0])).toEqual(statuses.map((status) => `\`${status}\``));
  });

  it("says the client retries exactly the statuses it retries (any status of each family, generated)", () => {
    for (const [status, , retries] of rows) {
      const code = status.replace(/`/g, "");
      if (code === "default") continue;
      const family = code.endsWith("XX") ? fc.integer({ min: Number(code[0]) * 100, max: Number(code[0]) * 100 + 99 }) : fc.constant(Number(code));
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

describe("what the contract claims on its own", () => {
  it("is docs/sources.md's table, every row with its claim and its reason", async () => {
    const { ownClaims } = await import("../../scripts/site/guide.mjs");
    const page = readFileSync("docs/sources.md", "utf8");
    const table = page.slice(page.indexOf("What the contract claims on its own")).split("\n");
    // The header and the rows, not the |---|---| line under the header (however it is padded).
    const rows = table.filter((line) => line.startsWith("| ") && !/^\|[\s:|-]+\|$/.test(line));
    expect(ownClaims.length).toBe(rows.length - 1);
    for (const row of ownClaims) {
      expect(row).toHaveLength(2);
      expect(rows.some((line) => line.includes(`| ${row[0]}`) && line.includes(`| ${row[1]}`))).toBe(true);
    }
  });
});
