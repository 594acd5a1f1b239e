// The typed client: openapi-fetch for types and the raw API, plus what it leaves to us (auth,
// input checks, one Contact out of either envelope, typed errors); timeouts and retries live in
// transport.ts, which both updateContact and `api` go through.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../generated/schema.js";
import {
  CallbellAPIError,
  CallbellInputError,
  CallbellResponseFormatError,
} from "./errors.js";
import { checkHeaders, type ExtraHeaders } from "./headers.js";
import { createSend, type Sent, type SendOptions, type TokenSource } from "./transport.js";

export type Contact = components["schemas"]["Contact"];
export type ContactUpdate = components["schemas"]["ContactUpdate"];

/** The spec's `servers[0].url`; a unit test keeps the two equal. */
export const DEFAULT_BASE_URL = "https://api.callbell.eu/v1";

export interface CallbellClientOptions {
  /**
   * The API token from the Callbell dashboard, or a function (possibly async) that returns it,
   * called for every attempt. Defaults to the `CALLBELL_API_TOKEN` environment variable.
   */
  token?: TokenSource | undefined;
  /** Defaults to https://api.callbell.eu/v1; point it at a mock to test. */
  baseUrl?: string | undefined;
  /** A fetch implementation; defaults to the global one. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Each attempt's time limit in ms, for the response's headers and body together. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, on connection errors, timeouts, 408, 429 and 5xx. Default 2; 0 turns them off. */
  maxRetries?: number | undefined;
  /** Headers for every request, such as a tracing id; per-call `headers` add to them. Not `Authorization`: that is `token`. */
  headers?: ExtraHeaders | undefined;
}

/** Per-call options: `signal`, `headers` (added to the client's), and `timeoutMs` or `maxRetries` to override the client's. */
export type RequestOptions = SendOptions & { headers?: ExtraHeaders | undefined };

export interface CallbellClient {
  /** Updates a contact and resolves to it as Callbell returns it after the update. */
  updateContact(uuid: string, update: ContactUpdate, options?: RequestOptions): Promise<Contact>;
  /** The underlying openapi-fetch client, with auth, timeouts and retries applied, for `{ data, error, response }`. */
  readonly api: Client<paths, "application/json">;
}

const JSON_TYPE = "application/json";

export function createCallbellClient(options: CallbellClientOptions = {}): CallbellClient {
  // `globalThis.process` so that the client also loads where there is no Node (browsers, workers).
  // The token is held in transport.ts's closure only, so it never shows on the client object.
  const send = createSend({ ...options, token: options.token ?? globalThis.process?.env?.CALLBELL_API_TOKEN ?? "" });
  // new URL() throws a TypeError for a baseUrl that is not an absolute URL, here rather than on every attempt.
  const baseUrl = new URL(options.baseUrl ?? DEFAULT_BASE_URL).href.replace(/\/+$/, "");
  const clientHeaders = checkHeaders(options.headers);

  const api = createClient<paths, "application/json">({
    baseUrl,
    headers: { Accept: JSON_TYPE, ...clientHeaders },
    bodySerializer: serializeBody,
    // openapi-fetch has built the Request; read its body once, so that every attempt sends the same bytes.
    async fetch(request: Request) {
      const body = request.body ? await request.arrayBuffer() : undefined;
      const { response, body: text } = await send(request, request.method, checkHeaders(Object.fromEntries(request.headers)), body, { signal: request.signal });
      // An empty body must be null: a Response for 204 or 304 cannot have one.
      return new Response(text || null, response);
    },
  });

  async function updateContact(uuid: string, update: ContactUpdate, requestOptions?: RequestOptions) {
    const path = `/contacts/${encodeUuid(uuid)}`;
    checkUpdate(update);
    const headers = { accept: JSON_TYPE, "content-type": JSON_TYPE, ...clientHeaders, ...checkHeaders(requestOptions?.headers) };
    const sent = await send(baseUrl + path, "PATCH", headers, serializeBody(update), requestOptions);
    const { response } = sent;
    const text = sent.body;
    if (!response.ok) {
      throw CallbellAPIError.from({
        status: response.status,
        statusText: response.statusText,
        body: parseErrorBody(text),
        headers: response.headers,
        method: "PATCH",
        path,
        attempts: sent.attempts,
      });
    }
    return contactFrom(text, sent);
  }

  return { updateContact, api };
}

/** The uuid as one path segment; refuses what cannot be one. */
function encodeUuid(uuid: unknown): string {
  if (typeof uuid !== "string" || uuid === "")
    throw new CallbellInputError("uuid", "uuid must be a non-empty string.");
  // A URL parser resolves these segments, which would send the PATCH to another path.
  if (uuid === "." || uuid === "..")
    throw new CallbellInputError("uuid", `uuid "${uuid}" would address another path.`);
  try {
    return encodeURIComponent(uuid);
  } catch {
    throw new CallbellInputError("uuid", "uuid has a lone surrogate (not text).");
  }
}

function checkUpdate(update: unknown): void {
  if (update === null || typeof update !== "object" || Array.isArray(update))
    throw new CallbellInputError("update", 'The update must be an object, such as { name: "Joe" }.');
}

// JSON.stringify quietly turns NaN into null and drops functions; refuse instead of sending
// something other than what the caller wrote. `undefined` properties are dropped, as in TS
// an optional field left undefined means "leave unchanged".
function serializeBody(body: unknown): string {
  return JSON.stringify(body, function (this: unknown, key: string, value: unknown) {
    const type = typeof value;
    const unfit =
      type === "number" ? !Number.isFinite(value) && String(value)
      : type === "bigint" || type === "function" || type === "symbol" ? `a ${type}`
      : value === undefined && Array.isArray(this) && "undefined";
    if (unfit)
      throw new CallbellInputError("update", `${key === "" ? "The update" : Array.isArray(this) ? `Index ${key} of a list` : `Field "${key}"`} is ${unfit}, which JSON cannot carry.`);
    return value;
  });
}

function parseErrorBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function contactFrom(text: string, { response, attempts }: Sent): Contact {
  const fail = (problem: string) => new CallbellResponseFormatError(problem, response.status, response.headers, text, attempts);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw fail(text ? "the body is not JSON" : "the body is empty");
  }
  const contact = (body as { contact?: unknown } | null)?.contact;
  // Callbell's example wraps the contact in an array of one; its field table says an object.
  const one = Array.isArray(contact) ? (contact.length === 1 ? contact[0] : undefined) : contact;
  if (!one || typeof one !== "object" || Array.isArray(one))
    throw fail(Array.isArray(contact) ? `\`contact\` holds ${contact.length} entries, not one` : "the body has no `contact` object");
  return one as Contact;
}
