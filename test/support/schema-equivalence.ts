// Does a 3.0 schema accept exactly the JSON values its 3.1 schema accepts? Values generated from
// the 3.1 schema (fast-check), valid and invalid, near every bound and in every branch, are
// judged by Ajv against both: 2020-12 for the 3.1 document, draft-07 with OpenAPI's `nullable`
// (Ajv supports it by default) for the 3.0 one. `reach` counts what the values reached: each
// branch (anyOf/oneOf member, member of a type array) taken by a valid value, and each keyword
// that rejected an invalid one, so a property that never gets somewhere says so.
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";

type Json = any;

const unescape = (part: string) => part.replace(/~1/g, "/").replace(/~0/g, "~");

/** The node at a local JSON Pointer (`#/a/b`) of `doc`. */
export function at(doc: Json, pointer: string): Json {
  return pointer
    .slice(2)
    .split("/")
    .filter((part) => part !== "")
    .reduce((node, part) => node?.[unescape(part)], doc);
}

/** Ajv for an OpenAPI document, by version: its validator for a schema at a pointer. */
export function validatorsOf(doc: Json): (pointer: string) => ValidateFunction {
  const is31 = /^3\.1\./.test(doc.openapi);
  // strict: false because the OpenAPI document around the schemas has keywords Ajv does not know.
  const ajv = is31
    ? new Ajv2020({ strict: false, allErrors: true, verbose: true })
    : new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(is31 ? doc : exclusiveBoundsAsDraft07(structuredClone(doc)), "doc.json");
  const compiled = new Map<string, ValidateFunction>();
  return (pointer) => {
    if (!compiled.has(pointer)) {
      const validate = ajv.getSchema(`doc.json${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      compiled.set(pointer, validate);
    }
    return compiled.get(pointer)!;
  };
}

/**
 * 3.0 writes an exclusive bound the draft-04 way (`minimum: 1, exclusiveMinimum: true`), which
 * Ajv's draft-07 rejects; its draft-07 form (`exclusiveMinimum: 1`) means the same.
 */
function exclusiveBoundsAsDraft07(node: Json): Json {
  if (node === null || typeof node !== "object") return node;
  for (const value of Object.values(node)) exclusiveBoundsAsDraft07(value);
  for (const [bound, exclusive] of [
    ["minimum", "exclusiveMinimum"],
    ["maximum", "exclusiveMaximum"],
  ] as const) {
    if (typeof node[exclusive] !== "boolean") continue;
    if (node[exclusive] && typeof node[bound] === "number")
      ((node[exclusive] = node[bound]), delete node[bound]);
    else delete node[exclusive];
  }
  return node;
}

const jsonType = (value: unknown) =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : typeof value === "number"
        ? Number.isInteger(value)
          ? "integer"
          : "number"
        : typeof value;

/** Strings of exactly `length` code points, sometimes astral ones (two UTF-16 units, one character). */
const ofLength = (length: number) =>
  fc
    .array(fc.constantFrom("a", "é", "😀", " ", "/", "\u0000"), { minLength: length, maxLength: length })
    .map((chars) => chars.join(""));

/** Strings in each format the spec uses, and strings that are not. */
const FORMAT_SAMPLES: Record<string, string[]> = {
  email: ["jane.doe@email.com", "a@b.co", "o'brien+x@mail.example.org"],
  uri: ["https://dash.callbell.eu/contacts/1", "mailto:jane@example.com", "urn:isbn:0451450523"],
  "date-time": ["2020-11-13T21:08:53Z", "2020-11-13T21:08:53.5+02:00", "1999-12-31T23:59:60Z"],
};
const NOT_IN_FORMAT: Record<string, string[]> = {
  email: ["jane", "jane@", "@example.com", "jane doe@example.com"],
  uri: ["/relative/path", "not a uri", ""],
  "date-time": ["2020-13-45T00:00:00Z", "2020-11-13", "yesterday"],
};

const ODD = fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, "", "x", [], {}, ["x"], { x: 1 });

const pointerPart = (name: string) => name.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Values for `pointer`'s schema in `doc` (3.1): mostly inside its bounds, in each of its
 * branches, and now and then (1 in 25 at each node) a value of another type or just past a bound,
 * so that most values are valid and an invalid one breaks the schema in one place or two.
 */
export function valuesOf(doc: Json, pointer: string, depth = 8): fc.Arbitrary<unknown> {
  const schema = at(doc, pointer);
  if (schema === true || schema === undefined) return fc.jsonValue({ maxDepth: 2 });
  if (schema === false) return ODD;
  if (schema.$ref) return valuesOf(doc, schema.$ref, depth);
  if (depth <= 0) return ODD;
  const good: fc.Arbitrary<unknown>[] = [];
  const bad: fc.Arbitrary<unknown>[] = [ODD];
  for (const keyword of ["anyOf", "oneOf", "allOf"] as const)
    if (schema[keyword])
      good.push(
        ...schema[keyword].map((_: unknown, index: number) =>
          valuesOf(doc, `${pointer}/${keyword}/${index}`, depth - 1),
        ),
      );
  if ("enum" in schema) good.push(fc.constantFrom(...schema.enum));
  if ("const" in schema) good.push(fc.constant(schema.const));
  const types: string[] = schema.type === undefined ? [] : [schema.type].flat();
  for (const type of types) {
    const [inside, outside] = valuesOfType(doc, pointer, schema, type, depth);
    good.push(inside);
    if (outside) bad.push(outside);
  }
  if (good.length === 0) good.push(fc.jsonValue({ maxDepth: 2 }));
  return fc.oneof({ weight: 25, arbitrary: fc.oneof(...good) }, { weight: 1, arbitrary: fc.oneof(...bad) });
}

/** Values of one type for the schema: [inside its bounds, outside them (or undefined)]. */
function valuesOfType(
  doc: Json,
  pointer: string,
  s: Json,
  type: string,
  depth: number,
): [fc.Arbitrary<unknown>, fc.Arbitrary<unknown>?] {
  switch (type) {
    case "null":
      return [fc.constant(null)];
    case "boolean":
      return [fc.boolean()];
    case "integer":
    case "number": {
      const min = typeof s.minimum === "number" ? s.minimum : -1e9;
      const max = typeof s.maximum === "number" ? s.maximum : 1e9;
      const inside = fc.oneof(
        fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
        fc.constantFrom(min, max),
        ...(type === "number" ? [fc.double({ min, max, noNaN: true })] : []),
      );
      const outside = [min - 1, max + 1, ...(type === "integer" ? [min + 0.5] : [])].filter(
        (value) => value > -1e9 - 2 && value < 1e9 + 2,
      );
      return [inside, fc.constantFrom(...outside)];
    }
    case "string": {
      const min = s.minLength ?? 0;
      const max = s.maxLength ?? 300;
      const lengths = fc.constantFrom(min, Math.min(max, min + 1), Math.min(max, min + 5), max);
      const outside: fc.Arbitrary<unknown>[] = [
        fc.constantFrom(...[min - 1, max + 1].filter((length) => length >= 0)).chain(ofLength),
      ];
      const samples = FORMAT_SAMPLES[s.format];
      if (s.pattern) outside.push(fc.constantFrom("a/b", "/"));
      const notInFormat = NOT_IN_FORMAT[s.format];
      if (notInFormat) outside.push(fc.constantFrom(...notInFormat));
      let inside: fc.Arbitrary<unknown> = lengths.chain(ofLength);
      if (s.pattern) inside = fc.stringMatching(new RegExp(s.pattern), { maxLength: Math.max(1, max) });
      else if (samples) inside = fc.constantFrom(...samples);
      return [inside, fc.oneof(...outside)];
    }
    case "array": {
      const item = valuesOf(doc, s.items ? `${pointer}/items` : "#/x-none", depth - 1);
      const min = s.minItems ?? 0;
      const max = s.maxItems ?? 3;
      const sized = (sizes: number[]) =>
        fc.constantFrom(...sizes).chain((size) => fc.array(item, { minLength: size, maxLength: size }));
      const inside = sized([min, Math.min(max, min + 1), Math.min(max, min + 2), Math.min(max, 4)]);
      // Too few, too many, and a repeat (for uniqueItems).
      const outside = fc.oneof(
        sized([min - 1, max + 1].filter((size) => size >= 0)),
        fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => [...items, items[0]]),
      );
      return [inside, outside];
    }
    case "object": {
      const properties: Record<string, Json> = s.properties ?? {};
      const known = fc.record(
        Object.fromEntries(
          Object.keys(properties).map((name) => [
            name,
            valuesOf(doc, `${pointer}/properties/${pointerPart(name)}`, depth - 1),
          ]),
        ),
        { requiredKeys: [] },
      );
      const extraValue =
        typeof s.additionalProperties === "object"
          ? valuesOf(doc, `${pointer}/additionalProperties`, depth - 1)
          : fc.jsonValue({ maxDepth: 1 });
      const names = s.propertyNames ?? {};
      const keyInside = fc
        .constantFrom(names.minLength ?? 1, Math.min(names.maxLength ?? 12, 12), names.maxLength ?? 3)
        .chain(ofLength)
        .filter((name) => !Object.hasOwn(properties, name));
      const keyOutside = fc.oneof(
        fc
          .constantFrom(
            ...[
              (names.minLength ?? 1) - 1,
              ...(names.maxLength === undefined ? [] : [names.maxLength + 1]),
            ].filter((length) => length >= 0),
          )
          .chain(ofLength),
        fc.constantFrom("__proto__", "extra"),
      );
      const maxExtras = Math.min(s.maxProperties ?? 3, 3);
      const withEntries = (object: Record<string, unknown>, entries: [string, unknown][]) => {
        const value: Record<string, unknown> = { ...object };
        for (const [name, entry] of entries)
          Object.defineProperty(value, name, {
            value: entry,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return value;
      };
      const extrasAllowed = s.additionalProperties !== false;
      const inside = fc
        .tuple(
          known,
          extrasAllowed
            ? fc.array(fc.tuple(keyInside, extraValue), { maxLength: maxExtras })
            : fc.constant([]),
        )
        .map(([object, entries]) => withEntries(object, entries as [string, unknown][]));
      const outside: fc.Arbitrary<unknown>[] = [
        fc
          .tuple(known, keyOutside, extraValue)
          .map(([object, name, entry]) => withEntries(object, [[name, entry]])),
      ];
      if (typeof s.maxProperties === "number")
        outside.push(
          fc
            .uniqueArray(fc.tuple(keyInside, extraValue), {
              minLength: s.maxProperties + 1,
              maxLength: s.maxProperties + 1,
              selector: ([name]) => name,
            })
            .map((entries) => withEntries({}, entries)),
        );
      // Too few fields: with many optional ones, a record left empty by chance is rare.
      if (typeof s.minProperties === "number" && s.minProperties > 0) outside.push(fc.constant({}));
      return [inside, fc.oneof(...outside)];
    }
    default:
      throw new Error(`schema-equivalence: no values for type ${type}`);
  }
}

/** Calls `visit` once for each schema at `pointer` and below, following $refs, with its pointer. */
function eachSchema(doc: Json, pointer: string, visit: (where: string, schema: Json) => void) {
  const seen = new Set<string>();
  const walk = (where: string) => {
    if (seen.has(where)) return;
    seen.add(where);
    const schema = at(doc, where);
    if (typeof schema !== "object" || schema === null) return;
    visit(where, schema);
    if (schema.$ref) walk(schema.$ref);
    for (const keyword of ["anyOf", "oneOf", "allOf"])
      schema[keyword]?.forEach((_: unknown, index: number) => walk(`${where}/${keyword}/${index}`));
    for (const name of Object.keys(schema.properties ?? {})) walk(`${where}/properties/${pointerPart(name)}`);
    if (typeof schema.additionalProperties === "object") walk(`${where}/additionalProperties`);
    if (schema.items) walk(`${where}/items`);
  };
  walk(pointer);
}

/**
 * Every branch of the schema at `pointer` and below (through $refs): `<pointer>/anyOf/<i>`,
 * `<pointer>/oneOf/<i>`, and `<pointer>/type=<t>` for each member of a type array.
 */
export function branchesOf(doc: Json, pointer: string): Set<string> {
  const found = new Set<string>();
  eachSchema(doc, pointer, (where, schema) => {
    if (Array.isArray(schema.type)) for (const type of schema.type) found.add(`${where}/type=${type}`);
    for (const keyword of ["anyOf", "oneOf"])
      schema[keyword]?.forEach((_: unknown, index: number) => found.add(`${where}/${keyword}/${index}`));
  });
  return found;
}

/** The branches a valid value takes, by the same names as branchesOf. */
export function branchesTaken(
  doc: Json,
  validator: (pointer: string) => ValidateFunction,
  pointer: string,
  value: unknown,
  taken = new Set<string>(),
): Set<string> {
  const schema = at(doc, pointer);
  if (typeof schema !== "object" || schema === null) return taken;
  if (schema.$ref) branchesTaken(doc, validator, schema.$ref, value, taken);
  if (Array.isArray(schema.type)) {
    const type = jsonType(value);
    taken.add(`${pointer}/type=${schema.type.includes(type) ? type : type === "integer" ? "number" : type}`);
  }
  for (const keyword of ["anyOf", "oneOf"])
    schema[keyword]?.forEach((_: unknown, index: number) => {
      const branch = `${pointer}/${keyword}/${index}`;
      if (validator(branch)(value)) (taken.add(branch), branchesTaken(doc, validator, branch, value, taken));
    });
  schema.allOf?.forEach((_: unknown, index: number) =>
    branchesTaken(doc, validator, `${pointer}/allOf/${index}`, value, taken),
  );
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const properties = schema.properties ?? {};
    for (const [name, entry] of Object.entries(value)) {
      if (Object.hasOwn(properties, name))
        branchesTaken(doc, validator, `${pointer}/properties/${pointerPart(name)}`, entry, taken);
      else if (typeof schema.additionalProperties === "object")
        branchesTaken(doc, validator, `${pointer}/additionalProperties`, entry, taken);
    }
  }
  if (Array.isArray(value) && schema.items)
    for (const item of value) branchesTaken(doc, validator, `${pointer}/items`, item, taken);
  return taken;
}

const ASSERTIONS = [
  "type",
  "enum",
  "const",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "uniqueItems",
  "required",
  "minProperties",
  "maxProperties",
  "propertyNames",
  "anyOf",
  "oneOf",
];

/** Where a value can be rejected: `<pointer>/<keyword>` for each assertion at `pointer` and below. */
export function assertionsOf(doc: Json, pointer: string): Set<string> {
  const found = new Set<string>();
  eachSchema(doc, pointer, (where, schema) => {
    for (const keyword of ASSERTIONS) if (keyword in schema) found.add(`${where}/${keyword}`);
    if (schema.additionalProperties === false) found.add(`${where}/additionalProperties`);
    if (schema.propertyNames)
      for (const keyword of Object.keys(schema.propertyNames)) found.add(`${where}/propertyNames/${keyword}`);
  });
  return found;
}

/** Each object of `doc` → its JSON Pointer, to name the schema an Ajv error comes from. */
export function pointersOf(doc: Json): Map<object, string> {
  const pointers = new Map<object, string>();
  const visit = (node: Json, where: string) => {
    if (node === null || typeof node !== "object" || pointers.has(node)) return;
    pointers.set(node, where);
    for (const [key, child] of Object.entries(node)) visit(child, `${where}/${pointerPart(key)}`);
  };
  visit(doc, "#");
  return pointers;
}

/** The assertions that rejected a value, by the names of assertionsOf (needs Ajv's `verbose`, which gives each error's schema). */
export function assertionsFailed(validate: ValidateFunction, pointers: Map<object, string>): Set<string> {
  return new Set(
    (validate.errors ?? []).map((error) => {
      const where = pointers.get(error.parentSchema as object);
      if (!where)
        throw new Error(
          `schema-equivalence: an Ajv error from a schema not in the document: ${JSON.stringify(error)}`,
        );
      return `${where}/${error.keyword}`;
    }),
  );
}

export interface Comparison {
  runs: number;
  accepted: number;
  rejected: number;
  /** Branch → how many valid values took it. */
  branches: Map<string, number>;
  /** Assertion → how many invalid values it rejected. */
  assertions: Map<string, number>;
  /** Values the two documents judged differently, with the 3.1 verdict. */
  disagreements: { value: unknown; accepted31: boolean; failed31: string[] }[];
}

/**
 * Judges `runs` generated values for the schema at `pointer` in both documents. `expected31`,
 * when given, is the 3.1 document the 3.0 one must agree with (the 3.1 one minus what the 3.0
 * edition lists as lost); reach is always counted on `doc31`.
 */
export function compareSchemas(
  doc31: Json,
  doc30: Json,
  pointer: string,
  { runs = 1000, seed, expected31 = doc31 }: { runs?: number; seed?: number; expected31?: Json } = {},
): Comparison {
  const v31 = validatorsOf(doc31);
  const vExpected = expected31 === doc31 ? v31 : validatorsOf(expected31);
  const v30 = validatorsOf(doc30);
  const pointers = pointersOf(doc31);
  const result: Comparison = {
    runs,
    accepted: 0,
    rejected: 0,
    branches: new Map(),
    assertions: new Map(),
    disagreements: [],
  };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const samples = fc.sample(valuesOf(doc31, pointer), { numRuns: runs, seed });
  for (const value of samples) {
    const validate31 = v31(pointer);
    const accepted31 = validate31(value);
    const failed31 = accepted31 ? [] : [...assertionsFailed(validate31, pointers)];
    if (accepted31) {
      result.accepted++;
      for (const branch of branchesTaken(doc31, v31, pointer, value)) bump(result.branches, branch);
    } else {
      result.rejected++;
      for (const assertion of failed31) bump(result.assertions, assertion);
    }
    const expected = expected31 === doc31 ? accepted31 : vExpected(pointer)(value);
    if (v30(pointer)(value) !== expected) result.disagreements.push({ value, accepted31, failed31 });
  }
  return result;
}
