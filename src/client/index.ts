export { createCallbellClient, DEFAULT_BASE_URL } from "./client.js";
export type {
  ApiInit,
  CallbellApi,
  CallbellClient,
  CallbellClientOptions,
  Contact,
  ContactUpdate,
  RequestOptions,
} from "./client.js";
export type { TokenSource } from "./internal/transport.js";
export type { ExtraHeaders } from "./internal/headers.js";
export * from "./errors.js";
export type { components, operations, paths } from "../../generated/schema.js";
