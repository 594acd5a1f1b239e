// Validators compiled from the bundled spec, so tests check against the contract itself
// rather than a re-typed copy of it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export const spec = JSON.parse(readFileSync(path.resolve("generated/openapi.json"), "utf8"));

// strict: false because the OpenAPI document around the schemas has keywords Ajv does not know.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(spec, "openapi.json");

/** A validator for `#/components/schemas/<name>` of the bundled spec. */
export function schemaValidator(name: string): ValidateFunction {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
  if (!validate) throw new Error(`No schema ${name} in generated/openapi.json`);
  return validate;
}

export const operation = spec.paths["/contacts/{uuid}"].patch;

/** The operation's named request examples, with their $refs resolved: name → body. */
export function requestExamples(): Record<string, unknown> {
  const named = operation.requestBody.content["application/json"].examples as Record<
    string,
    { $ref?: string; value?: unknown }
  >;
  return Object.fromEntries(Object.entries(named).map(([name, example]) => [name, resolve(example).value]));
}

/** Follows a local `#/…` $ref of the bundled spec. */
export function resolve<T extends { $ref?: string }>(node: T): any {
  if (!node.$ref) return node;
  return node.$ref
    .slice(2)
    .split("/")
    .reduce((at: any, key) => at[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
}

/** A validator for the schema of `#/components/parameters/<name>` of the bundled spec. */
export function parameterValidator(name: string): ValidateFunction {
  const validate = ajv.getSchema(`openapi.json#/components/parameters/${name}/schema`);
  if (!validate) throw new Error(`No parameter ${name} in generated/openapi.json`);
  return validate;
}

/** The operation's named 200 examples, with their $refs resolved: name → envelope. */
export function successExamples(): Record<string, { contact: unknown }> {
  const named = operation.responses["200"].content["application/json"].examples as Record<
    string,
    { $ref?: string; value?: unknown }
  >;
  return Object.fromEntries(Object.entries(named).map(([name, example]) => [name, resolve(example).value]));
}
