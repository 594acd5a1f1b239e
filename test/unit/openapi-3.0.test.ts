// scripts/spec/openapi-3.0.mjs on generated 3.1 schema fragments: its output says only what 3.0 can
// say, and accepts exactly the values the fragment accepts (Ajv 2020-12 against Ajv draft-07 with
// `nullable`); what it cannot say it lists. The same property with a broken transform fails.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lossNote, schemaTo30, toOpenApi30 } from "../../scripts/spec/openapi-3.0.mjs";
import { compareSchemas } from "../support/schema-equivalence.js";

const REF = { type: "object", properties: { id: { type: "string", minLength: 1 } }, required: ["id"] };
const scalar = fc.constantFrom("string", "number", "integer", "boolean");
const jsonScalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom("", "a", "bb"),
);

/** Constraints of one type, as 3.1 writes them. */
function constraintsOf(type: string): fc.Arbitrary<Record<string, unknown>> {
  if (type === "string")
    return fc.record(
      { minLength: fc.integer({ min: 0, max: 2 }), maxLength: fc.integer({ min: 2, max: 4 }) },
      { requiredKeys: [] },
    );
  if (type === "number" || type === "integer")
    return fc.oneof(
      fc.record(
        { minimum: fc.integer({ min: -2, max: 0 }), maximum: fc.integer({ min: 1, max: 3 }) },
        { requiredKeys: [] },
      ),
      fc.record({ exclusiveMinimum: fc.integer({ min: -2, max: 1 }) }),
    );
  return fc.constant({});
}

/** 3.1 schema fragments built from what 3.0 cannot say: type arrays, "null", const, examples lists, $ref siblings. */
const fragment: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ schema: Record<string, unknown> }>(
  (tie) => ({
    schema: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar.chain((type) => constraintsOf(type).map((constraints) => ({ type, ...constraints }))),
      fc.tuple(scalar, fc.boolean()).chain(([type, withNull]) =>
        constraintsOf(type).map((constraints) => ({
          type: withNull ? [type, "null"] : [type],
          ...constraints,
        })),
      ),
      fc
        .uniqueArray(fc.constantFrom("string", "number", "boolean", "null", "array", "object"), {
          minLength: 2,
          maxLength: 4,
        })
        .map((type) => ({ type, maxLength: 2, minimum: 0, maxItems: 1, maxProperties: 1 })),
      fc.constant({ type: "null", title: "Nothing" }),
      jsonScalar.map((value) => ({ const: value })),
      fc
        .tuple(scalar, fc.array(jsonScalar, { minLength: 1, maxLength: 3 }))
        .map(([type, examples]) => ({ type, examples })),
      fc.constantFrom(
        { $ref: "#/components/schemas/Ref" },
        { $ref: "#/components/schemas/Ref", title: "Ref", description: "sibling" },
        { $ref: "#/components/schemas/Ref", minProperties: 2 },
      ),
      fc.array(tie("schema"), { minLength: 1, maxLength: 3 }).map((anyOf) => ({ anyOf })),
      fc.array(tie("schema"), { minLength: 1, maxLength: 3 }).map((oneOf) => ({ oneOf })),
      fc
        .tuple(tie("schema"), fc.boolean())
        .map(([items, nullable]) => ({ type: nullable ? ["array", "null"] : "array", items, maxItems: 2 })),
      fc
        .tuple(tie("schema"), tie("schema"), fc.oneof(fc.boolean(), tie("schema")), fc.boolean())
        .map(([a, b, additionalProperties, required]) => ({
          type: "object",
          properties: { a, b },
          additionalProperties,
          ...(required ? { required: ["a"] } : {}),
        })),
    ),
  }),
).schema;

const documentOf = (schema: unknown) => ({
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  paths: {},
  components: { schemas: { F: schema, Ref: REF } },
});

/** Every 3.1-only construct left in a converted schema, by pointer. */
function notThreeZero(node: any, where = "#"): string[] {
  if (node === null || typeof node !== "object") return [];
  if (Array.isArray(node)) return node.flatMap((item, index) => notThreeZero(item, `${where}/${index}`));
  const found: string[] = [];
  if (Array.isArray(node.type)) found.push(`${where}: type array`);
  if (node.type === "null") found.push(`${where}: type null`);
  if ("nullable" in node && !("type" in node)) found.push(`${where}: nullable without type`);
  if (node.type === "array" && !("items" in node)) found.push(`${where}: array without items`);
  for (const keyword of ["const", "examples", "propertyNames", "$defs", "prefixItems"])
    if (keyword in node) found.push(`${where}: ${keyword}`);
  if (typeof node.exclusiveMinimum === "number") found.push(`${where}: numeric exclusiveMinimum`);
  if ("$ref" in node && Object.keys(node).length > 1) found.push(`${where}: $ref with siblings`);
  for (const [key, value] of Object.entries(node))
    if (!["enum", "example", "default"].includes(key)) found.push(...notThreeZero(value, `${where}/${key}`));
  return found;
}

/** The 3.1-only forms a fragment holds, to count what the generated fragments reach. */
function formsIn(schema: unknown): string[] {
  const text = JSON.stringify(schema);
  const forms: [string, RegExp][] = [
    ["type array with null", /"type":\["[a-z]+","null"\]/],
    ["type array of 3+", /"type":\["[a-z]+","[a-z]+","[a-z]+"/],
    ["type null", /"type":"null"/],
    ["const", /"const":/],
    ["examples", /"examples":/],
    ["$ref with siblings", /"\$ref":"[^"]+","/],
    ["exclusiveMinimum", /"exclusiveMinimum":/],
    ["null inside anyOf/oneOf", /"(anyOf|oneOf)":\[[^\]]*"null"/],
  ];
  return forms.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
}

/** The property: converted, the fragment says only 3.0 and accepts the same values. */
function sameValues(transform: (doc: any) => any, reach = new Map<string, number>()) {
  return fc.property(fragment, (schema) => {
    for (const form of formsIn(schema)) reach.set(form, (reach.get(form) ?? 0) + 1);
    const doc31 = documentOf(schema);
    const doc30 = transform(doc31);
    expect(notThreeZero(doc30.components.schemas)).toEqual([]);
    const { disagreements } = compareSchemas(doc31, doc30, "#/components/schemas/F", { runs: 40 });
    expect(disagreements).toEqual([]);
  });
}

describe("schemaTo30 on generated 3.1 fragments", () => {
  it("writes only 3.0 and accepts exactly the values the fragment accepts, reaching each 3.1-only form", () => {
    const reach = new Map<string, number>();
    fc.assert(
      sameValues((doc) => toOpenApi30(doc).document, reach),
      { numRuns: 100 },
    );
    // Each 3.1-only form the fragments are built to hold was in some of the 100 fragments.
    for (const form of formsIn({
      a: { type: ["string", "null"] },
      b: { type: ["string", "number", "null"] },
      c: { type: "null" },
      d: { const: 1 },
      e: { examples: [1] },
      f: { $ref: "#/x", title: "t" },
      g: { exclusiveMinimum: 0 },
      h: { anyOf: [{ type: "null" }] },
    }))
      expect(reach.get(form) ?? 0, `${form}: ${JSON.stringify([...reach])}`).toBeGreaterThan(0);
    expect(reach.size).toBe(8);
  }, 120_000);

  it("fails with a transform that forgets nullable (the property can fail)", () => {
    const broken = (doc: any) => {
      const out = toOpenApi30(doc).document;
      const strip = (node: any) => {
        if (node && typeof node === "object") {
          if (node.nullable === true && !node.enum) delete node.nullable;
          Object.values(node).forEach(strip);
        }
      };
      strip(out.components.schemas);
      return out;
    };
    expect(fc.check(sameValues(broken), { numRuns: 300 }).failed).toBe(true);
  }, 120_000);
});

describe("schemaTo30, case by case", () => {
  it("rewrites each 3.1 form to its 3.0 equivalent", () => {
    expect(schemaTo30({ type: ["string", "null"], maxLength: 3 })).toEqual({
      type: "string",
      nullable: true,
      maxLength: 3,
    });
    expect(schemaTo30({ type: "null" })).toEqual({ type: "string", nullable: true, enum: [null] });
    expect(schemaTo30({ const: "a" })).toEqual({ enum: ["a"] });
    expect(schemaTo30({ const: null })).toEqual({ type: "string", nullable: true, enum: [null] });
    expect(schemaTo30({ $ref: "#/x", title: "X" })).toEqual({ title: "X", allOf: [{ $ref: "#/x" }] });
    expect(schemaTo30({ type: "array" })).toEqual({ type: "array", items: {} });
    expect(schemaTo30({ type: "number", exclusiveMinimum: 0 })).toEqual({
      type: "number",
      minimum: 0,
      exclusiveMinimum: true,
    });
    expect(schemaTo30({ type: ["string", "boolean", "null"], maxLength: 2 })).toEqual({
      anyOf: [{ type: "string", nullable: true, maxLength: 2 }, { type: "boolean" }],
    });
  });

  it("lists what it drops, with where and why", () => {
    const losses: any[] = [];
    expect(
      schemaTo30(
        {
          type: "object",
          propertyNames: { maxLength: 3 },
          properties: { a: { type: "string", examples: ["x", "y"] } },
        },
        "#/S",
        losses,
      ),
    ).toEqual({
      type: "object",
      properties: { a: { type: "string", example: "x" } },
    });
    expect(losses.map(({ where, keyword, value }) => [where, keyword, value])).toEqual([
      ["#/S/propertyNames", "propertyNames", { maxLength: 3 }],
      ["#/S/properties/a/examples", "examples", ["y"]],
    ]);
  });

  it("throws, naming the keyword and this file, on what it cannot convert", () => {
    expect(() => schemaTo30({ patternProperties: { "^a": {} } })).toThrow(
      /patternProperties.*scripts\/spec\/openapi-3\.0\.mjs/,
    );
    expect(() => schemaTo30({ type: "string", nullable: true })).toThrow(/nullable is not a 3\.1 keyword/);
    expect(() => toOpenApi30({ ...documentOf({}), webhooks: {} })).toThrow(/webhooks/);
    expect(() => toOpenApi30({ ...documentOf({}), openapi: "3.0.3" })).toThrow(
      /expected an OpenAPI 3\.1 document/,
    );
  });

  it("moves info.summary into the description, the license identifier to its SPDX URL, and drops jsonSchemaDialect", () => {
    const { document, losses } = toOpenApi30({
      ...documentOf({ type: "string" }),
      info: {
        title: "t",
        version: "1",
        summary: "One line.",
        description: "More.\n",
        license: { name: "MIT", identifier: "MIT" },
      },
      jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    });
    expect(losses).toEqual([]);
    expect(document.openapi).toBe("3.0.3");
    expect("jsonSchemaDialect" in document).toBe(false);
    expect(document.info).toEqual({
      title: "t",
      version: "1",
      license: { name: "MIT", url: "https://spdx.org/licenses/MIT.html" },
      description: `One line.\n\nMore.\n${lossNote([])}`,
    });
    expect(document.info.description).toContain("nothing was lost");
  });
});
