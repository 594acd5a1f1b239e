// What is wrong with a contact update or its uuid, in sentences a person acts on: the field, what
// it must be (the allowed values, the limit) and what it is. Read from the spec's compiled
// validators (generated/contact-validators.js): the limits, values and field names come from the
// validators' error parameters and the schema, never from a list typed here. One sentence per
// problem; never the validator's own words. Used by the bulk entry and `callbell-contacts`.
import {
  contactUpdateFields,
  validateContactUpdate,
  validateContactUuid,
  type SchemaProblem,
} from "../../generated/contact-validators.js";

/**
 * The problems of `uuid` (the path parameter) and `update` (the body); empty when both can be
 * sent. `whole` names the update as a whole (`the row` in a file).
 */
export function contactProblems(uuid: unknown, update: unknown, whole = "the update"): string[] {
  return [...uuidProblems(uuid), ...updateProblems(update, whole)];
}

/** The problems of a contact's uuid as the path parameter `ContactUuid`. */
export function uuidProblems(uuid: unknown): string[] {
  return validateContactUuid(uuid) ? [] : sentences(validateContactUuid.errors, uuid, "uuid", "uuid");
}

/** The problems of an update as the body `ContactUpdate`. */
export function updateProblems(update: unknown, whole = "the update"): string[] {
  return validateContactUpdate(update) ? [] : sentences(validateContactUpdate.errors, update, "", whole);
}

// A quoted value, at most this long: enough to find it in the file.
const QUOTE_CHARS = 60;

/** A value as a person reads it in a message: a string quoted, cut with an ellipsis. */
export function quote(value: unknown): string {
  const text =
    value === undefined
      ? "nothing"
      : typeof value === "object" && value !== null
        ? Array.isArray(value)
          ? "a list"
          : "an object"
        : JSON.stringify(value);
  if (text.length <= QUOTE_CHARS) return text;
  const end = /[\uD800-\uDBFF]/.test(text[QUOTE_CHARS - 2]!) ? QUOTE_CHARS - 2 : QUOTE_CHARS - 1;
  return `${text.slice(0, end)}…${text.startsWith('"') ? '"' : ""}`;
}

/** Characters as the schema counts them (code points). */
const length = (text: string) => [...text].length;

const TYPE_NAMES: Record<string, string> = {
  string: "text",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  null: "null",
};
const typeName = (type: unknown) =>
  or((Array.isArray(type) ? type : String(type).split(",")).map((one) => TYPE_NAMES[one] ?? one));
const count = (n: unknown, what: string) => `${String(n)} ${what}${n === 1 ? "" : "s"}`;
const or = (values: unknown[]) =>
  values
    .map((value) => (typeof value === "string" ? value : JSON.stringify(value)))
    .join(values.length > 2 ? ", " : " or ")
    .replace(/, ([^,]*)$/, ", or $1");

/** The field a problem is about: `tags item 2`, `custom_fields.Billing Address`, or `uuid`. */
function fieldOf(instancePath: string, root: string): string {
  let name = root;
  for (const part of pointer(instancePath))
    name = /^\d+$/.test(part) && name ? `${name} item ${Number(part) + 1}` : name ? `${name}.${part}` : part;
  return name || "the update";
}

const pointer = (instancePath: string) =>
  instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));

function valueAt(root: unknown, instancePath: string): unknown {
  return pointer(instancePath).reduce<unknown>(
    (at, key) =>
      at !== null && typeof at === "object" && Object.hasOwn(at, key)
        ? (at as Record<string, unknown>)[key]
        : undefined,
    root,
  );
}

/** A pattern as words, for the form the spec uses (`^[^/]+$`: no `/`); otherwise the pattern itself. */
function patternRule(pattern: string): string {
  const excluded = /^\^\[\^(.+)\][+*]\$$/.exec(pattern)?.[1];
  return excluded
    ? `must not contain ${or([...excluded.replace(/\\(.)/g, "$1")].map((char) => `"${char}"`))}`
    : `must have the form ${pattern}`;
}

/**
 * One sentence per problem, from the validator's errors of `data`; `root` names the value itself
 * (`uuid`, or "" for the update).
 */
function sentences(
  errors: SchemaProblem[] | null | undefined,
  data: unknown,
  root: string,
  whole: string,
): string[] {
  const all = errors ?? [];
  const oneOfs = all.filter((problem) => problem.keyword === "oneOf");
  const said: string[] = [];
  for (const problem of all) {
    // A `oneOf` speaks for its branches' errors; a `propertyNames` error, for its inner one.
    if (
      oneOfs.some((oneOf) => problem.schemaPath.startsWith(`${oneOf.schemaPath}/`)) ||
      problem.keyword === "propertyNames"
    )
      continue;
    const siblings = all.filter(
      (other) => other.instancePath === problem.instancePath && other.propertyName === problem.propertyName,
    );
    const value = valueAt(data, problem.instancePath);
    // A value of the wrong type breaks nothing else worth saying (but the allowed values say more
    // than their type); an empty one, no pattern.
    const hasEnum = siblings.some((other) => other.keyword === "enum");
    if (problem.keyword === "type" && hasEnum) continue;
    if (
      problem.keyword !== "type" &&
      problem.keyword !== "enum" &&
      siblings.some((other) => other.keyword === "type" && !other.schemaPath.includes("/oneOf/"))
    )
      continue;
    if (
      problem.keyword === "pattern" &&
      value === "" &&
      siblings.some((other) => other.keyword === "minLength")
    )
      continue;
    if (problem.keyword === "oneOf") said.push(...oneOfSentences(problem, all, data, root));
    else if (problem.keyword === "minProperties" && problem.instancePath === "")
      said.push(`${whole} names no field to change`);
    else said.push(sentence(problem, fieldOf(problem.instancePath, root), value));
  }
  return [...new Set(said)];
}

/**
 * A value that none of a `oneOf`'s forms takes: the bounds it breaks of the form of its type, or the
 * types the forms take.
 */
function oneOfSentences(oneOf: SchemaProblem, all: SchemaProblem[], data: unknown, root: string): string[] {
  const branches = all.filter((problem) => problem.schemaPath.startsWith(`${oneOf.schemaPath}/`));
  const wrongType = (problem: SchemaProblem) =>
    problem.keyword === "type" && problem.instancePath === oneOf.instancePath;
  const broken = branches.filter((problem) => !wrongType(problem));
  if (broken.length)
    return broken.map((problem) =>
      sentence(problem, fieldOf(problem.instancePath, root), valueAt(data, problem.instancePath)),
    );
  const types = branches.filter(wrongType).map((problem) => problem.params.type);
  return [
    `${fieldOf(oneOf.instancePath, root)} must be ${or(types.map(typeName))}, ` +
      `not ${quote(valueAt(data, oneOf.instancePath))}`,
  ];
}

function sentence(problem: SchemaProblem, field: string, value: unknown): string {
  const { keyword, params, propertyName } = problem;
  if (propertyName !== undefined) {
    const limit = params.limit;
    const rule =
      keyword === "maxLength"
        ? `at most ${count(limit, "character")}`
        : keyword === "minLength"
          ? `at least ${count(limit, "character")}`
          : `another form (${keyword})`;
    return (
      `${field} has a field named ${quote(propertyName)} (${length(propertyName)} characters); ` +
      `a name must have ${rule}`
    );
  }
  switch (keyword) {
    case "type":
      return value === undefined
        ? `${field} is missing`
        : `${field} must be ${typeName(params.type)}, not ${quote(value)}`;
    case "enum":
      return `${field} must be ${or(params.allowedValues as unknown[])}, not ${quote(value)}`;
    case "minLength":
      return params.limit === 1
        ? `${field} must not be empty`
        : `${field} must have at least ${count(params.limit, "character")}, not ${length(String(value))}`;
    case "maxLength":
      return `${field} must have at most ${count(params.limit, "character")}, not ${length(String(value))}`;
    case "pattern":
      return `${field} ${patternRule(String(params.pattern))}, as ${quote(value)} does`;
    case "format":
      const what = params.format === "email" ? "an e-mail address" : `a ${String(params.format)}`;
      return `${field} must be ${what}, not ${quote(value)}`;
    case "maxItems":
      return `${field} must have at most ${count(params.limit, "item")}, not ${(value as unknown[]).length}`;
    case "minItems":
      return `${field} must have at least ${count(params.limit, "item")}, not ${(value as unknown[]).length}`;
    case "uniqueItems":
      return `${field} has ${quote((value as unknown[])[params.j as number])} twice; each value may appear once`;
    case "maxProperties":
      return `${field} must have at most ${count(params.limit, "field")}, not ${Object.keys(value as object).length}`;
    case "minProperties":
      return `${field} must have at least ${count(params.limit, "field")}`;
    case "additionalProperties":
      return (
        `${quote(params.additionalProperty)} is not a field of a contact update; ` +
        `the fields are ${contactUpdateFields.join(", ")}`
      );
    case "required":
      return `${fieldOf(`/${String(params.missingProperty)}`, field === "the update" ? "" : field)} is missing`;
    default:
      return `${field} breaks the contract's \`${keyword}\` rule: ${quote(value)}`;
  }
}
