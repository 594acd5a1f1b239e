export { createCallbellClient, DEFAULT_BASE_URL } from "./client.js";
export type { CallbellClient, CallbellClientOptions, Contact, ContactUpdate, RequestOptions } from "./client.js";
export { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from "./transport.js";
export type { CallbellLogger, TokenSource } from "./transport.js";
export { RETRY_AFTER_CAP_MS } from "./retry-policy.js";
export * from "./errors.js";
export type { components, operations, paths } from "../generated/schema.js";
