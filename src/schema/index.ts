// `callbell-openapi/schema`: the generated types, and an empty module at runtime, so that an import
// that keeps only its specifiers' types (`import { type paths }` under verbatimModuleSyntax) still loads.
export type * from "../../generated/schema.js";
