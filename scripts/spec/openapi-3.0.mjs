// The OpenAPI 3.0.3 edition of the bundled 3.1 spec, for generators that read 3.0 only
// (progenitor, NSwag, older tools). Every schema is rewritten to the 3.0 form that accepts the
// same JSON values: a type array with "null" becomes `nullable: true`, `{type: "null"}` a schema
// that accepts only null, `const` an `enum` of one, a `$ref` with siblings an `allOf`, a schema
// `examples` list its first `example`. What 3.0 cannot say at all is dropped and listed, from
// what was actually dropped, in the edition's `info.description`. A keyword this file does not
// know throws, so a new 3.1 feature in openapi/ cannot slip through unconverted.
//
// Our own and not @apiture/openapi-down-convert 0.14.2: on this contract that tool keeps the
// `{type: "null"}` branches of anyOf, the three-type array `[string, boolean, "null"]`,
// `jsonSchemaDialect` and `info.summary` (all invalid 3.0), and drops `propertyNames` and the
// license identifier without saying so.

/** Schema keywords that mean the same in 3.0 and are copied as they are (their values are not schemas). */
const SAME_IN_3_0 = new Set([
  "title",
  "description",
  "format",
  "default",
  "readOnly",
  "writeOnly",
  "deprecated",
  "example",
  "enum",
  "required",
  "multipleOf",
  "maximum",
  "minimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "maxProperties",
  "minProperties",
  "discriminator",
  "xml",
  "externalDocs",
]);

/** Keywords whose values are schemas (or lists or maps of them), converted recursively. */
const ONE_SCHEMA = new Set(["items", "not"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf"]);

/**
 * 2020-12 keywords 3.0 has no word for, whose removal only widens what is accepted (or that are
 * annotations): dropped and listed. Keywords whose removal would narrow (`patternProperties`,
 * `prefixItems`, `$defs` ...) are not here and throw.
 */
const DROPPED = {
  propertyNames: "3.0 cannot constrain property names, so the 3.0 edition accepts any name here",
  dependentRequired: "3.0 cannot make one property require another, so the 3.0 edition does not",
  dependentSchemas: "3.0 has no conditional schemas, so the 3.0 edition does not apply this one",
  contains: "3.0 cannot require an item to match, so the 3.0 edition does not",
  minContains: "3.0 cannot count matching items",
  maxContains: "3.0 cannot count matching items",
  unevaluatedProperties: "3.0 has no unevaluatedProperties, so the 3.0 edition allows them",
  unevaluatedItems: "3.0 has no unevaluatedItems, so the 3.0 edition allows them",
  contentMediaType: "3.0 has no contentMediaType (an annotation in 3.1)",
  contentEncoding: "3.0 has no contentEncoding (an annotation in 3.1)",
  contentSchema: "3.0 has no contentSchema (an annotation in 3.1)",
  $comment: "3.0 has no $comment",
};

/** Types whose own keywords move into a branch when a type array becomes an `anyOf`. */
const KEYWORDS_OF_TYPE = {
  string: ["minLength", "maxLength", "pattern", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  array: ["items", "minItems", "maxItems", "uniqueItems"],
  object: ["properties", "additionalProperties", "required", "minProperties", "maxProperties"],
};
KEYWORDS_OF_TYPE.integer = KEYWORDS_OF_TYPE.number;

/** The 3.0 schema that accepts null and nothing else (3.0 has no type "null"; `nullable` needs a `type` beside it). */
const NULL_ONLY = { type: "string", nullable: true, enum: [null] };

const pointerPart = (key) => String(key).replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Converts one 3.1 (JSON Schema 2020-12) schema to its 3.0 form. `losses` collects
 * `{ where, keyword, value, why }` for what 3.0 cannot say; `where` is a JSON Pointer.
 */
export function schemaTo30(schema, where = "#", losses = []) {
  if (typeof schema === "boolean") return schema ? {} : { not: {} };
  if (schema === null || typeof schema !== "object" || Array.isArray(schema))
    throw new Error(`${where}: not a schema: ${JSON.stringify(schema)}`);
  const at = (...keys) => [where, ...keys.map(pointerPart)].join("/");

  // A $ref's siblings apply beside it in 3.1 and are ignored in 3.0: put the $ref in an allOf.
  if ("$ref" in schema && Object.keys(schema).length > 1) {
    const { $ref, ...siblings } = schema;
    const converted = schemaTo30(siblings, where, losses);
    return { ...converted, allOf: [{ $ref }, ...(converted.allOf ?? [])] };
  }
  if ("$ref" in schema) return { $ref: schema.$ref };

  // Type arrays and type "null": 3.0 has single types and `nullable`.
  const types = Array.isArray(schema.type)
    ? [...new Set(schema.type)]
    : schema.type === undefined
      ? []
      : [schema.type];
  const nullable = types.includes("null");
  const nonNull = types.filter((type) => type !== "null");
  let split; // the branches of a multi-type array
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "type") {
      if (nonNull.length === 1) {
        out.type = nonNull[0];
        if (nullable) out.nullable = true;
      } else if (nonNull.length === 0 && nullable) {
        Object.assign(out, { type: NULL_ONLY.type, nullable: true });
        out.enum = "enum" in schema ? schema.enum.filter((item) => item === null) : [null];
      } else if (nonNull.length > 1) {
        split = nonNull.map((type, index) => {
          const branch = { type };
          for (const keyword of KEYWORDS_OF_TYPE[type] ?? [])
            if (keyword in schema) branch[keyword] = schema[keyword];
          return schemaTo30(
            { ...branch, ...(nullable && index === 0 ? { type: [type, "null"] } : {}) },
            at("type", index),
            losses,
          );
        });
      }
    } else if (key === "nullable") {
      throw new Error(`${at(key)}: nullable is not a 3.1 keyword; write type: [..., "null"] in openapi/`);
    } else if (key === "enum" && nonNull.length === 0 && nullable) {
      // set with the type above
    } else if (key === "const") {
      const merged =
        "enum" in schema
          ? schema.enum.filter((item) => JSON.stringify(item) === JSON.stringify(value))
          : [value];
      // `const: null` alone: 3.0's null needs a nullable type beside it (with a type, enum decides).
      if (value === null && types.length === 0) Object.assign(out, { type: NULL_ONLY.type, nullable: true });
      out.enum = merged;
    } else if (key === "examples") {
      if (!Array.isArray(value)) throw new Error(`${at(key)}: a schema's examples must be a list`);
      if ("example" in schema || value.length === 0) {
        if (value.length)
          losses.push({
            where: at(key),
            keyword: key,
            value,
            why: "3.0 has one example per schema; the schema's own `example` is kept",
          });
      } else {
        out.example = value[0];
        if (value.length > 1)
          losses.push({
            where: at(key),
            keyword: key,
            value: value.slice(1),
            why: "3.0 has one example per schema; the first is kept as `example`",
          });
      }
    } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      if (typeof value !== "number") throw new Error(`${at(key)}: ${key} must be a number in 3.1`);
      const bound = key === "exclusiveMinimum" ? "minimum" : "maximum";
      if (bound in schema) out.allOf = [...(out.allOf ?? []), { [bound]: value, [key]: true }];
      else Object.assign(out, { [bound]: value, [key]: true });
    } else if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, schemaTo30(property, at(key, name), losses)]),
      );
    } else if (key === "additionalProperties") {
      out.additionalProperties = typeof value === "boolean" ? value : schemaTo30(value, at(key), losses);
    } else if (ONE_SCHEMA.has(key)) {
      out[key] = schemaTo30(value, at(key), losses);
    } else if (SCHEMA_LISTS.has(key)) {
      out[key] = [
        ...(out[key] ?? []),
        ...value.map((branch, index) => schemaTo30(branch, at(key, index), losses)),
      ];
    } else if (key in DROPPED) {
      losses.push({ where: at(key), keyword: key, value, why: DROPPED[key] });
    } else if (SAME_IN_3_0.has(key) || key.startsWith("x-")) {
      out[key] = value;
    } else {
      throw new Error(
        `${at(key)}: no OpenAPI 3.0 form for the keyword ${key}; teach scripts/spec/openapi-3.0.mjs`,
      );
    }
  }
  if (split) {
    for (const keyword of new Set(split.flatMap((branch) => Object.keys(branch))))
      if (keyword !== "type" && keyword !== "nullable") delete out[keyword];
    if ("anyOf" in out) out.allOf = [...(out.allOf ?? []), { anyOf: split }];
    else out.anyOf = split;
  }
  // 3.0 requires items beside type: array; absent items in 3.1 means any item.
  if (out.type === "array" && !("items" in out)) out.items = {};
  return out;
}

/** Where schemas sit outside components.schemas: a parameter's, a header's, a media type's. */
function convertContainer(node, where, losses, convertRef) {
  return convertRef(node, where, (plain) => {
    const out = { ...plain };
    if (plain.schema) out.schema = schemaTo30(plain.schema, `${where}/schema`, losses);
    if (plain.content)
      out.content = Object.fromEntries(
        Object.entries(plain.content).map(([type, media]) => {
          const mediaWhere = `${where}/content/${pointerPart(type)}`;
          const converted = { ...media };
          if (media.schema) converted.schema = schemaTo30(media.schema, `${mediaWhere}/schema`, losses);
          if (media.encoding)
            converted.encoding = Object.fromEntries(
              Object.entries(media.encoding).map(([name, encoding]) => [
                name,
                encoding.headers
                  ? {
                      ...encoding,
                      headers: mapValues(
                        encoding.headers,
                        `${mediaWhere}/encoding/${pointerPart(name)}/headers`,
                        losses,
                        convertRef,
                      ),
                    }
                  : encoding,
              ]),
            );
          return [type, converted];
        }),
      );
    if (plain.headers) out.headers = mapValues(plain.headers, `${where}/headers`, losses, convertRef);
    return out;
  });
}

function mapValues(map, where, losses, convertRef) {
  return Object.fromEntries(
    Object.entries(map).map(([name, node]) => [
      name,
      convertContainer(node, `${where}/${pointerPart(name)}`, losses, convertRef),
    ]),
  );
}

/**
 * The 3.0.3 edition of a bundled 3.1 document: `{ document, losses }`. `losses` lists what 3.0
 * cannot say, as also written at the end of `document.info.description`.
 */
export function toOpenApi30(spec) {
  if (!/^3\.1\./.test(spec.openapi ?? ""))
    throw new Error(`expected an OpenAPI 3.1 document, got openapi: ${spec.openapi}`);
  for (const key of ["webhooks"])
    if (key in spec) throw new Error(`${key}: OpenAPI 3.0 has no ${key}; teach scripts/spec/openapi-3.0.mjs`);
  if (spec.components?.pathItems)
    throw new Error("components.pathItems: OpenAPI 3.0 has none; teach scripts/spec/openapi-3.0.mjs");
  const losses = [];
  // A Reference Object's summary and description are 3.1's; in 3.0 a $ref has no siblings.
  const convertRef = (node, where, convert) => {
    if (!node.$ref) return convert(node);
    for (const [key, value] of Object.entries(node))
      if (key !== "$ref")
        losses.push({
          where: `${where}/${pointerPart(key)}`,
          keyword: key,
          value,
          why: "3.0 ignores what sits beside a $ref outside schemas",
        });
    return { $ref: node.$ref };
  };
  const convertOperation = (operation, where) => {
    const out = { ...operation };
    if (operation.parameters)
      out.parameters = operation.parameters.map((parameter, index) =>
        convertContainer(parameter, `${where}/parameters/${index}`, losses, convertRef),
      );
    if (operation.requestBody)
      out.requestBody = convertContainer(operation.requestBody, `${where}/requestBody`, losses, convertRef);
    if (operation.responses)
      out.responses = mapValues(operation.responses, `${where}/responses`, losses, convertRef);
    if (operation.callbacks)
      throw new Error(`${where}/callbacks: not converted yet; teach scripts/spec/openapi-3.0.mjs`);
    return out;
  };
  const methods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

  const document = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key === "openapi") document.openapi = "3.0.3";
    else if (key === "jsonSchemaDialect") {
      if (value !== "https://json-schema.org/draft/2020-12/schema")
        throw new Error(`jsonSchemaDialect ${value}: only the 2020-12 default is converted`);
    } else if (key === "info")
      document.info = value; // rewritten below, once the losses are known
    else if (key === "paths")
      document.paths = Object.fromEntries(
        Object.entries(value).map(([route, item]) => {
          const where = `#/paths/${pointerPart(route)}`;
          return [
            route,
            convertRef(item, where, (plain) =>
              Object.fromEntries(
                Object.entries(plain).map(([field, entry]) => {
                  if (field === "parameters")
                    return [
                      field,
                      entry.map((parameter, index) =>
                        convertContainer(parameter, `${where}/parameters/${index}`, losses, convertRef),
                      ),
                    ];
                  if (methods.has(field)) return [field, convertOperation(entry, `${where}/${field}`)];
                  return [field, entry];
                }),
              ),
            ),
          ];
        }),
      );
    else if (key === "components")
      document.components = Object.fromEntries(
        Object.entries(value).map(([kind, entries]) => {
          const where = `#/components/${kind}`;
          if (kind === "schemas")
            return [
              kind,
              Object.fromEntries(
                Object.entries(entries).map(([name, schema]) => [
                  name,
                  schemaTo30(schema, `${where}/${pointerPart(name)}`, losses),
                ]),
              ),
            ];
          if (kind === "parameters" || kind === "headers" || kind === "responses" || kind === "requestBodies")
            return [kind, mapValues(entries, where, losses, convertRef)];
          return [kind, entries];
        }),
      );
    else document[key] = value;
  }
  if (document.components?.securitySchemes)
    for (const [name, scheme] of Object.entries(document.components.securitySchemes))
      if (scheme.type === "mutualTLS")
        throw new Error(`#/components/securitySchemes/${name}: 3.0 has no mutualTLS`);
  document.info = info30(spec.info, losses);
  return { document, losses };
}

/** 3.0's info: no summary (it opens the description) and no license identifier (it becomes the SPDX URL). */
function info30(info, losses) {
  const out = {};
  for (const [key, value] of Object.entries(info)) {
    if (key === "summary") continue;
    if (key === "license") {
      const { identifier, ...license } = value;
      out.license =
        identifier && !license.url
          ? { ...license, url: `https://spdx.org/licenses/${identifier}.html` }
          : license;
    } else out[key] = value;
  }
  const opening = info.summary ? `${info.summary}\n\n` : "";
  out.description = `${opening}${info.description ?? ""}${lossNote(losses)}`;
  return out;
}

/** The paragraph that closes the 3.0 edition's description: where it came from and what it lost. */
export function lossNote(losses) {
  const head =
    "\n**This is the OpenAPI 3.0.3 edition** (`openapi-3.0.json`), generated from the 3.1 description (`openapi.json`) for tools that read 3.0 only. Its schemas are rewritten to the 3.0 forms that accept the same JSON values";
  if (losses.length === 0) return `${head}; nothing was lost.\n`;
  return `${head}, except what 3.0 cannot say, dropped here (the 3.1 description keeps it):\n\n${lossList(losses)}\n`;
}

/** The losses as a Markdown list, one line each: where, what was dropped, and what that means. */
export function lossList(losses) {
  return losses
    .map(
      ({ where, keyword, value, why }) =>
        `- \`${where}\`: \`${keyword}: ${JSON.stringify(value)}\` dropped: ${why}.`,
    )
    .join("\n");
}
