// The table of what the contract claims on its own is read from the spec (x-own-claim), and every
// constraint of the spec is either claimed there or cites its source (x-source): found by walking
// the spec, not from a list typed here.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withGuide } from "../../scripts/site/guide.mjs";
import { ownClaims, unmarkedConstraints } from "../../scripts/spec/own-claims.mjs";

const spec = JSON.parse(readFileSync("generated/openapi.json", "utf8"));
const docsSpec = JSON.parse(readFileSync("generated/openapi-with-samples.json", "utf8"));

/** Every object of the spec that carries a mark, with its path. */
function marked(node: any, at: string[] = [], found: [string[], any][] = []): [string[], any][] {
  if (node && typeof node === "object") {
    if (!Array.isArray(node) && ("x-own-claim" in node || "x-source" in node)) found.push([at, node]);
    for (const [key, child] of Object.entries(node))
      if (key !== "examples" && key !== "example" && !key.startsWith("x-"))
        marked(child, [...at, key], found);
  }
  return found;
}
const at = (root: any, path: string[]) => path.reduce((node, key) => node[key], root);

/** Every schema object of the spec (objects under `schema`, `properties`, `items`, …), with its path. */
function schemas(node: any, path: string[] = [], found: string[][] = [], inSchema = false): string[][] {
  if (!node || typeof node !== "object") return found;
  if (inSchema && !Array.isArray(node)) found.push(path);
  for (const [key, child] of Object.entries(node)) {
    if (key === "examples" || key === "example" || key.startsWith("x-")) continue;
    const childIsSchema =
      key === "schema" ||
      key === "items" ||
      key === "additionalProperties" ||
      key === "propertyNames" ||
      (path.at(-1) === "schemas" && path.length === 2) ||
      path.at(-1) === "properties" ||
      ((path.at(-1) === "oneOf" || path.at(-1) === "anyOf") && /^\d+$/.test(key));
    schemas(
      child,
      [...path, key],
      found,
      childIsSchema || (inSchema && (key === "properties" || key === "oneOf" || key === "anyOf")),
    );
  }
  return found;
}

describe("what the contract claims on its own", () => {
  it("covers every constraint of the spec: each is claimed (x-own-claim) or cites its source (x-source)", () => {
    expect(unmarkedConstraints(spec)).toEqual([]);
  });

  it("finds a constraint whose mark is taken away (each marked node in turn)", () => {
    const nodes = marked(spec).filter(([, node]) => typeof node["x-own-claim"] !== "object");
    expect(nodes.length).toBeGreaterThan(15);
    for (const [path] of nodes) {
      const copy = structuredClone(spec);
      const node = at(copy, path);
      delete node["x-own-claim"];
      delete node["x-source"];
      expect(
        unmarkedConstraints(copy).map((problem: { at: string }) => problem.at),
        path.join("/"),
      ).toContain(`#/${path.join("/")}`);
    }
  });

  it("finds a constraint added anywhere without a mark (generated: any schema, any keyword)", () => {
    const places = schemas(spec).filter(
      (path) =>
        !("x-own-claim" in at(spec, path)) &&
        !("x-source" in at(spec, path)) &&
        at(spec, path).type !== "null",
    );
    // An `items`, `propertyNames` or `oneOf`/`anyOf` branch under a marked node is folded into that node's claim.
    const foldedInto = (path: string[]) => {
      const parent =
        /^\d+$/.test(path.at(-1)!) && ["oneOf", "anyOf"].includes(path.at(-2)!)
          ? path.slice(0, -2)
          : ["items", "propertyNames"].includes(path.at(-1)!)
            ? path.slice(0, -1)
            : undefined;
      return parent && typeof at(spec, parent)["x-own-claim"] === "string" ? parent : undefined;
    };
    const claimOf = (root: any, path: string[]) =>
      ownClaims(root).find((row: { at: string[] }) => row.at.join("/") === path.join("/"))?.claim;
    expect(places.length).toBeGreaterThan(30);
    const constraint = fc.oneof(
      fc.record({ maxLength: fc.integer({ min: 1, max: 5000 }) }),
      fc.record({ minLength: fc.integer({ min: 1, max: 10 }) }),
      fc.record({ maxItems: fc.integer({ min: 1, max: 500 }) }),
      fc.record({ minProperties: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ propertyNames: fc.constant({ maxLength: 40 }) }),
      fc.constant({ uniqueItems: true }),
      fc.constant({ type: ["string", "null"] }),
      fc.constant({ additionalProperties: false }),
    );
    let reached = 0;
    let folded = 0;
    fc.assert(
      fc.property(fc.constantFrom(...places), constraint, (path, added) => {
        const copy = structuredClone(spec);
        Object.assign(at(copy, path), added);
        const parent = foldedInto(path);
        reached++;
        if (parent) {
          folded++;
          // An added constraint that only repeats one already said changes nothing to say.
          if (
            JSON.stringify(at(copy, path)) !== JSON.stringify(at(spec, path)) &&
            unmarkedConstraints(copy).length === 0
          )
            expect
              .soft(
                claimOf(copy, parent) !== claimOf(spec, parent) ||
                  Object.entries(added).every(
                    ([key, value]) => JSON.stringify(at(spec, path)[key]) === JSON.stringify(value),
                  ),
                path.join("/"),
              )
              .toBe(true);
        } else
          expect(unmarkedConstraints(copy).map((problem: { at: string }) => problem.at)).toContain(
            `#/${path.join("/")}`,
          );
      }),
      { seed: 20261206, numRuns: 300 },
    );
    expect(reached).toBe(300);
    expect(folded).toBeGreaterThan(10);
  });

  it("is on the docs page, one row per claim, each naming the limits of its node", () => {
    const page = withGuide(docsSpec, readFileSync("CHANGELOG.md", "utf8"));
    const section = page.tags.find((tag: { name: string }) => tag.name === "Sources").description as string;
    const claims = ownClaims(spec);
    expect(claims.length).toBeGreaterThan(20);
    for (const { claim, why, at: path } of claims) {
      expect(section).toContain(
        `| ${claim.replace(/\s+/g, " ").replace(/\|/g, "\\|")} | ${why.replace(/\s+/g, " ").replace(/\|/g, "\\|")} |`,
      );
      const node = at(spec, path);
      for (const keyword of ["minLength", "maxLength", "maxItems", "minProperties", "maxProperties"])
        if (typeof node[keyword] === "number" && typeof node["x-own-claim"] === "string")
          expect(claim, path.join("/")).toContain(
            keyword === "minLength" && node.minLength === 1 && node.maxLength === undefined
              ? "not empty"
              : String(node[keyword]),
          );
    }
    // The ones this issue found missing, by what they say.
    const text = claims.map(({ claim }) => claim).join("\n");
    expect(text).toMatch(/`ContactUpdate\.custom_fields`: at most 100 fields; names: 1-255 characters/);
    expect(text).toMatch(
      /`CustomFieldValue` \(ListOfStrings\): at most 100 items; each item: 1-255 characters/,
    );
    expect(text).toMatch(/`ContactUpdate\.tags`: .*each item: 1-255 characters/);
    expect(text).toMatch(/`Contact`: only `uuid` required; other fields allowed/);
    for (const field of ["blockedAt", "conversationHref", "name", "phoneNumber", "source", "funnelId"])
      expect(text).toContain(`\`Contact.${field}\`: \`null\` accepted`);
  });

  it("exists once: the README links to the docs page's table instead of repeating it", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).not.toMatch(/^\| claim \| why \|/m);
    expect(readme).toContain("x-own-claim");
  });
});
