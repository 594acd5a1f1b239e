// fast-check arbitraries built from a JSON Schema of the bundled spec, so the property tests
// follow the contract's constraints instead of a re-typed copy. Covers the keywords the request
// schemas use: type, enum, format (email), minLength/maxLength/pattern, items/maxItems/
// uniqueItems, properties/additionalProperties/propertyNames/minProperties/maxProperties,
// oneOf (of branches that differ by type) and local $ref. Anything else throws, so a new
// keyword in the spec cannot be silently ignored here.
import fc from "fast-check";
import { resolve } from "./spec.js";

export interface Schema {
  $ref?: string;
  type?: "string" | "number" | "integer" | "boolean" | "array" | "object" | "null";
  enum?: unknown[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  items?: Schema;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  minProperties?: number;
  maxProperties?: number;
  oneOf?: Schema[];
}

const UNDERSTOOD = new Set([
  "$ref",
  "type",
  "enum",
  "format",
  "minLength",
  "maxLength",
  "pattern",
  "items",
  "maxItems",
  "uniqueItems",
  "properties",
  "additionalProperties",
  "propertyNames",
  "minProperties",
  "maxProperties",
  "oneOf",
  "title",
  "description",
  "examples",
]);

function understood(schema: Schema): Schema {
  const resolved = resolve(schema) as Schema;
  // `x-` keys are annotations (the contract's own-claim marks), not constraints.
  const unknown = Object.keys(resolved).filter((key) => !UNDERSTOOD.has(key) && !key.startsWith("x-"));
  if (unknown.length)
    throw new Error(
      `schema-arbitraries: no generator for keyword(s) ${unknown.join(", ")}; teach test/support/schema-arbitraries.ts`,
    );
  return resolved;
}

/**
 * One character: mostly printable ASCII (keeps bodies readable), sometimes any code point
 * (astral ones are two UTF-16 units but one character for maxLength), and the characters that
 * most often break encoders: quotes, backslash, slash, percent, NUL, and a lone low surrogate
 * (JSON.stringify escapes it; it can never pair up with a neighbour from this list).
 */
const character = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("😀", "é", "\u0301", '"', "\\", "/", "%", " ", "\u0000", "\u2028", "\udfff"),
  },
);

/** Strings of `min` to `max` characters (code points, as JSON Schema counts), often exactly at a bound. */
export function text(min: number, max: number): fc.Arbitrary<string> {
  const ofLength = (length: number) => fc.string({ unit: character, minLength: length, maxLength: length });
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.string({ unit: character, minLength: min, maxLength: Math.min(max, min + 40) }),
    },
    { weight: 1, arbitrary: fc.constantFrom(min, max).chain(ofLength) },
  );
}

/** Addresses that match the email format of ajv-formats (and so of Prism): dot-atoms, ASCII. */
function email(maxLength: number): fc.Arbitrary<string> {
  const atom = fc.string({
    unit: fc.constantFrom(..."abcxyzABC0189!#$%&'*+/=?^_`{|}~-"),
    minLength: 1,
    maxLength: 12,
  });
  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
  const plain = fc
    .tuple(fc.array(atom, { minLength: 1, maxLength: 3 }), fc.array(label, { minLength: 2, maxLength: 4 }))
    .map(([local, domain]) => `${local.join(".")}@${domain.join(".")}`);
  // The longest the schema allows, and one over it (which is invalid for its length alone).
  const longest = fc.constant(`${"a".repeat(maxLength - 12)}@example.com`);
  return fc.oneof(
    { weight: 5, arbitrary: plain.filter((address) => address.length <= maxLength) },
    { weight: 1, arbitrary: longest },
  );
}

const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** Values that satisfy `schema`. */
export function valid(schema: Schema): fc.Arbitrary<unknown> {
  const s = understood(schema);
  if (s.oneOf) return fc.oneof(...s.oneOf.map(valid));
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case "string":
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter((value) => lengthOk(value, s));
      if (s.format === "email") return email(s.maxLength ?? 254);
      if (s.format) throw new Error(`schema-arbitraries: no generator for format ${s.format}`);
      return text(s.minLength ?? 0, s.maxLength ?? 300);
    case "number":
      return number;
    case "integer":
      return fc.integer();
    case "boolean":
      return fc.boolean();
    case "array": {
      const item = valid(s.items ?? {});
      const max = s.maxItems ?? 10;
      const array = (constraints: { minLength?: number; maxLength: number }) =>
        s.uniqueItems
          ? fc.uniqueArray(item, { ...constraints, selector: (value) => JSON.stringify(value) })
          : fc.array(item, constraints);
      return fc.oneof(
        { weight: 4, arbitrary: array({ maxLength: Math.min(max, 5) }) },
        { weight: 1, arbitrary: array({ minLength: max, maxLength: max }) },
      );
    }
    case "object":
      return validObject(s);
    default:
      throw new Error(`schema-arbitraries: no generator for type ${String(s.type)}`);
  }
}

function validObject(s: Schema): fc.Arbitrary<Record<string, unknown>> {
  if (s.properties) {
    const record = fc.record(
      Object.fromEntries(Object.entries(s.properties).map(([key, value]) => [key, valid(value)])),
      { requiredKeys: [] },
    );
    return record.filter((value) => Object.keys(value).length >= (s.minProperties ?? 0));
  }
  const keys = valid({ type: "string", ...(s.propertyNames ?? {}) }) as fc.Arbitrary<string>;
  const values = typeof s.additionalProperties === "object" ? valid(s.additionalProperties) : fc.anything();
  const max = s.maxProperties ?? 10;
  return fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(keys, values, { maxKeys: Math.min(max, 5) }) },
    { weight: 1, arbitrary: fc.dictionary(keys, values, { minKeys: max, maxKeys: max }) },
  );
}

function codePoints(value: string): number {
  return [...value].length;
}

function lengthOk(value: string, s: Schema): boolean {
  const length = codePoints(value);
  return length >= (s.minLength ?? 0) && length <= (s.maxLength ?? Infinity);
}

const SAMPLE_OF_TYPE: Record<string, unknown> = {
  string: "x",
  number: 1.5,
  boolean: true,
  null: null,
  array: ["x"],
  object: { x: "x" },
};

/** Values of every JSON type that none of `types` covers. */
function wrongTypes(types: string[]): fc.Arbitrary<unknown> {
  const covered = new Set(types.flatMap((type) => (type === "integer" ? ["number"] : [type])));
  return fc.constantFrom(
    ...Object.entries(SAMPLE_OF_TYPE)
      .filter(([type]) => !covered.has(type))
      .map(([, sample]) => sample),
  );
}

/** A value that breaks `schema` in one way: a wrong type, a bound, the format, or one nested part. */
export function invalid(schema: Schema): fc.Arbitrary<unknown> {
  const s = understood(schema);
  if (s.oneOf) {
    // The branches differ by type, so a value of no branch's type, or a branch's own value that
    // breaks one of its bounds, matches none of them.
    const types = s.oneOf.map((branch) => understood(branch).type!);
    return fc.oneof(wrongTypes(types), ...s.oneOf.flatMap((branch) => brokenBounds(understood(branch))));
  }
  return fc.oneof(wrongTypes([s.type!]), ...brokenBounds(s));
}

/** A value of the schema's own type that breaks one of its constraints (an object, for an object schema). */
export function invalidOfItsType(schema: Schema): fc.Arbitrary<unknown> {
  const broken = brokenBounds(understood(schema));
  if (broken.length === 0)
    throw new Error(`schema-arbitraries: ${JSON.stringify(schema)} has no bound to break`);
  return fc.oneof(...broken);
}

/** For each constraint of the schema that its type can break, values that break it. */
function brokenBounds(s: Schema): fc.Arbitrary<unknown>[] {
  const broken: fc.Arbitrary<unknown>[] = [];
  if (s.enum) broken.push(text(1, 12).filter((value) => !s.enum!.includes(value)));
  switch (s.type) {
    case "string":
      if (s.maxLength !== undefined) broken.push(text(s.maxLength + 1, s.maxLength + 3));
      if (s.minLength) broken.push(text(0, s.minLength - 1));
      if (s.format === "email")
        broken.push(
          fc.constantFrom(
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja..ne@example.com",
            "jané@example.com",
            "jane doe@example.com",
            "jane@-example.com",
          ),
        );
      if (s.pattern)
        broken.push(
          text(1, 20)
            .map((value) => `${value}/`)
            .filter((value) => !new RegExp(s.pattern!).test(value)),
        );
      break;
    case "array":
      if (s.maxItems !== undefined)
        broken.push(fc.array(valid(s.items ?? {}), { minLength: s.maxItems + 1, maxLength: s.maxItems + 1 }));
      if (s.uniqueItems)
        broken.push(
          fc
            .tuple(fc.array(valid(s.items ?? {}), { minLength: 1, maxLength: 4 }), fc.nat())
            .map(([items, at]) => [...items, items[at % items.length]]),
        );
      if (s.items)
        broken.push(
          fc
            .tuple(invalid(s.items), fc.array(valid(s.items), { maxLength: 3 }))
            .map(([bad, good]) => [...good, bad]),
        );
      break;
    case "object":
      broken.push(...brokenObject(s));
      break;
  }
  return broken;
}

function brokenObject(s: Schema): fc.Arbitrary<unknown>[] {
  const broken: fc.Arbitrary<unknown>[] = [];
  const base = validObject(s);
  if (s.minProperties) broken.push(fc.constant({}));
  if (s.properties) {
    if (s.additionalProperties === false) {
      const unknownKey = text(1, 20).filter((key) => !(key in s.properties!));
      broken.push(
        fc.tuple(base, unknownKey, fc.jsonValue()).map(([value, key, extra]) => withKey(value, key, extra)),
      );
    }
    for (const [key, propertySchema] of Object.entries(s.properties))
      broken.push(fc.tuple(base, invalid(propertySchema)).map(([value, bad]) => withKey(value, key, bad)));
  } else {
    const value = typeof s.additionalProperties === "object" ? valid(s.additionalProperties) : fc.jsonValue();
    if (s.maxProperties !== undefined)
      broken.push(
        fc.dictionary(text(1, 30), value, { minKeys: s.maxProperties + 1, maxKeys: s.maxProperties + 1 }),
      );
    if (s.propertyNames) {
      const badKey = invalid({ type: "string", ...s.propertyNames }).filter(
        (key): key is string => typeof key === "string",
      );
      broken.push(fc.tuple(base, badKey, value).map(([object, key, entry]) => withKey(object, key, entry)));
    }
    if (typeof s.additionalProperties === "object")
      broken.push(
        fc
          .tuple(base, text(1, 30), invalid(s.additionalProperties))
          .map(([object, key, bad]) => withKey(object, key, bad)),
      );
  }
  return broken;
}

/** A copy of `object` with `key` set, as an own property even when the key is `__proto__`. */
function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}
