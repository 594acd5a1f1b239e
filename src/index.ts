export { createCallbellClient, DEFAULT_BASE_URL } from "./client.js";
export type { ApiInit, CallbellApi, CallbellClient, CallbellClientOptions, Contact, ContactUpdate, RequestOptions } from "./client.js";
export type { TokenSource } from "./transport.js";
export type { ExtraHeaders } from "./headers.js";
export * from "./errors.js";
export type { components, operations, paths } from "../generated/schema.js";
