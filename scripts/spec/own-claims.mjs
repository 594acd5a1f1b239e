// What the contract claims on its own, read from the spec: the one source of the docs page's
// table. A node of the spec marks a claim with `x-own-claim`, either a sentence saying why (the
// claim itself is then written from the node's constraints, so the table cannot drift from the
// numbers) or `{ claim, why }` for a claim that is not a schema constraint (a status, a header).
// A constraint that a cited source states carries `x-source` instead. Every constraint node of
// the spec must carry one or the other: `unmarkedConstraints` lists those that do not, and a test
// holds it empty.

/** The schema keywords that constrain a value beyond its type, and what each says. */
const CONSTRAINTS = {
  minLength: (n) =>
    n.maxLength === undefined
      ? n.minLength === 1
        ? "not empty"
        : `at least ${n.minLength} characters`
      : undefined,
  maxLength: (n) =>
    n.minLength === undefined
      ? `at most ${n.maxLength} characters`
      : `${n.minLength}-${n.maxLength} characters`,
  minItems: (n) => (n.maxItems === undefined ? `at least ${count(n.minItems, "item")}` : undefined),
  maxItems: (n) =>
    n.minItems === n.maxItems
      ? `exactly ${count(n.maxItems, "item")}`
      : `at most ${count(n.maxItems, "item")}`,
  minProperties: (n) => `at least ${count(n.minProperties, "field")}`,
  maxProperties: (n) => `at most ${count(n.maxProperties, "field")}`,
  uniqueItems: (n) => (n.uniqueItems ? "no repeats (`uniqueItems`)" : undefined),
  pattern: (n) => `matches \`${n.pattern}\``,
  additionalProperties: (n) =>
    n.additionalProperties === false ? "no field beyond those listed" : undefined,
  required: (n) =>
    Array.isArray(n.required)
      ? `only ${n.required.map((name) => `\`${name}\``).join(", ")} required${n.additionalProperties === false ? "" : "; other fields allowed"}`
      : undefined,
  type: (n) => (nullable(n) ? "`null` accepted" : undefined),
  anyOf: (n) => (nullable(n) ? "`null` accepted" : undefined),
  oneOf: (n) => (nullable(n) ? "`null` accepted" : undefined),
};

const count = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
const isNull = (schema) => schema?.type === "null";
const nullable = (n) =>
  (Array.isArray(n.type) && n.type.includes("null")) || [...(n.anyOf ?? []), ...(n.oneOf ?? [])].some(isNull);

/** What constrains this node, one phrase each; `items` and `propertyNames` without marks of their own are folded in. */
function phrases(node) {
  const own = Object.keys(CONSTRAINTS)
    .filter((keyword) => keyword in node)
    .map((keyword) => CONSTRAINTS[keyword](node))
    .filter(Boolean);
  const children = [
    ["items", "each item"],
    ["propertyNames", "names"],
    ...["oneOf", "anyOf"].flatMap((key) =>
      (node[key] ?? []).map((branch, i) => [[key, i], `as ${branch.title ?? `option ${i + 1}`}`]),
    ),
  ];
  const inner = children.flatMap(([key, label]) => {
    const child = Array.isArray(key) ? node[key[0]][key[1]] : node[key];
    if (!child || typeof child !== "object" || marked(child)) return [];
    const said = phrases(child);
    return said.length ? [`${label}: ${said.join(", ")}`] : [];
  });
  return [...new Set([...own, ...inner])];
}

const marked = (node) => "x-own-claim" in node || "x-source" in node;

/** Every object of the spec with its JSON Pointer segments; examples and extensions are data, not spec. */
function* walk(node, at = []) {
  if (Array.isArray(node)) {
    for (const [index, child] of node.entries()) yield* walk(child, [...at, String(index)]);
    return;
  }
  if (!node || typeof node !== "object") return;
  yield [node, at];
  for (const [key, child] of Object.entries(node))
    if (key !== "examples" && key !== "example" && !key.startsWith("x-")) yield* walk(child, [...at, key]);
}

/** A reader's name for a place in the spec: `ContactUpdate.tags`, `CustomFieldValue` (Text), the path `uuid`. */
export function placeName(spec, at) {
  const [top, kind, component, ...rest] = at;
  if (top === "paths") return `\`${(component ?? "").toUpperCase()} ${kind}\``;
  const named = spec[top]?.[kind]?.[component];
  if (kind === "parameters") return `the ${named.in} parameter \`${named.name}\``;
  if (kind === "headers") return `the \`${component}\` header`;
  let name = component;
  let branch = "";
  let node = named;
  for (const [i, key] of rest.entries()) {
    const parent = node;
    node = node?.[key];
    if (rest[i - 1] === "properties") name += `.${key}`;
    else if (key === "items") name += "[]";
    else if (key === "additionalProperties") name += ".*";
    else if (Array.isArray(parent)) branch = ` (${node?.title ?? `option ${key}`})`;
  }
  return `\`${name}\`${branch}`;
}

/** The docs page's table: one `{ claim, why }` per `x-own-claim` in the spec, in the spec's order. */
export function ownClaims(spec) {
  const rows = [];
  for (const [node, at] of walk(spec)) {
    const mark = node["x-own-claim"];
    if (mark === undefined) continue;
    if (typeof mark === "object") rows.push({ claim: mark.claim, why: mark.why, at });
    else rows.push({ claim: `${placeName(spec, at)}: ${phrases(node).join("; ")}`, why: mark, at });
  }
  return rows;
}

/** The constraint nodes that neither claim their constraints (`x-own-claim`) nor cite a source for them (`x-source`). */
export function unmarkedConstraints(spec) {
  const unmarked = [];
  for (const [node, at] of walk(spec)) {
    if (marked(node) || isNull(node)) continue;
    // Folded into the parent's claim: an `items`, `propertyNames`, `oneOf` or `anyOf` schema under a claimed node.
    const [key, parentAt] =
      /^\d+$/.test(at.at(-1)) && ["oneOf", "anyOf"].includes(at.at(-2))
        ? ["branch", at.slice(0, -2)]
        : [at.at(-1), at.slice(0, -1)];
    // (Only under a claim written from the constraints: a hand-written one would not show a new one.)
    if (
      ["items", "propertyNames", "branch"].includes(key) &&
      typeof parentAt.reduce((n, k) => n[k], spec)["x-own-claim"] === "string"
    )
      continue;
    if (phrases(node).length) unmarked.push({ at: `#/${at.join("/")}`, constraints: phrases(node) });
  }
  return unmarked;
}

/** The table as Markdown. */
export function ownClaimsTable(spec) {
  const cell = (text) => text.replace(/\s+/g, " ").trim().replace(/\|/g, "\\|");
  return `| claim | why |\n|---|---|\n${ownClaims(spec)
    .map(({ claim, why }) => `| ${cell(claim)} | ${cell(why)} |`)
    .join("\n")}`;
}
