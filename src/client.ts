// The typed client: openapi-fetch for types and the raw API, plus what it leaves to us (auth,
// input checks, one Contact out of either envelope, typed errors); timeouts, retries and the
// body cap live in transport.ts, which both updateContact and `api` go through.
import createClient, { type FetchOptions, type FetchResponse } from "openapi-fetch";
import type { components, paths } from "../generated/schema.js";
import { CallbellAPIError, CallbellInputError, CallbellResponseFormatError } from "./errors.js";
import { redactHeaders } from "./redaction.js";
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
  token?: TokenSource;
  /** Defaults to https://api.callbell.eu/v1; point it at a mock to test. http(s), with no user info, query or fragment. */
  baseUrl?: string;
  /** A fetch implementation; defaults to the global one. */
  fetch?: typeof globalThis.fetch;
  /** Each attempt's time limit in ms, for the token function, the response's headers and body together. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, on connection errors, timeouts, 408, 429 and 5xx. Default 2; 0 turns them off. */
  maxRetries?: number;
  /** The longest response body read, in bytes after decompression. Default 1 MiB; a longer one is a CallbellResponseTooLargeError. */
  maxResponseBytes?: number;
}

/** Per-call options: `signal`, and `timeoutMs`, `maxRetries` or `maxResponseBytes` to override the client's for this call. */
export type RequestOptions = SendOptions;

type PatchOperation = paths["/contacts/{uuid}"]["patch"];
// What the client fixes for every call: a per-call fetch, Request, baseUrl, serializer or
// middleware would bypass the checks and the transport, and is refused.
const FIXED = ["baseUrl", "fetch", "Request", "bodySerializer", "pathSerializer", "querySerializer", "middleware"] as const;
export type ApiInit = Omit<FetchOptions<PatchOperation>, (typeof FIXED)[number]> & RequestOptions;

/** The openapi-fetch client for the one operation, with the same checks, transport and errors as updateContact. */
export interface CallbellApi {
  PATCH<Init extends ApiInit>(url: "/contacts/{uuid}", init: Init): Promise<FetchResponse<PatchOperation, Init, "application/json">>;
}

export interface CallbellClient {
  /** Updates a contact and resolves to it as Callbell returns it after the update. */
  updateContact(uuid: string, update: ContactUpdate, options?: RequestOptions): Promise<Contact>;
  /** The underlying openapi-fetch client, with auth, checks, timeouts and retries applied, for `{ data, error, response }`. */
  readonly api: CallbellApi;
}

const JSON_TYPE = "application/json";

/**
 * What openapi-fetch builds for each call in place of a Request (its `Request` option): the
 * transport reads it and sends with fetch. A real Request per call cost as much as the rest of
 * the call, and its signal follows the caller's with a listener that only garbage collection removes.
 */
class CallRequest {
  declare method: string;
  constructor(
    readonly url: string,
    readonly init: RequestInit & SendOptions,
  ) {
    this.method = init.method!;
  }
}

export function createCallbellClient(options: CallbellClientOptions = {}): CallbellClient {
  const baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  // `globalThis.process` so that the client also loads where there is no Node (browsers, workers).
  // The token is held in transport.ts's closure only, so it never shows on the client object.
  const send = createSend({ ...options, token: options.token ?? globalThis.process?.env?.CALLBELL_API_TOKEN ?? "" });

  const client = createClient<paths, "application/json">({
    baseUrl,
    headers: { Accept: JSON_TYPE },
    Request: CallRequest as unknown as typeof Request,
    bodySerializer: serializeBody,
    pathSerializer: (pathname, params) => pathname.replace("{uuid}", encodeUuid(params?.uuid)),
    async fetch(request) {
      const { url, init } = request as unknown as CallRequest;
      const path = url.slice(baseUrl.length);
      const sent = await send(url, init.method!, Object.fromEntries(init.headers as Headers), init.body as string | undefined, init);
      const { response, body, redact } = sent;
      if (response.ok) {
        contactFrom(sent);
        return new Response(body, response);
      }
      // A Response cannot carry a status HTTP does not define (600 and up): that is an error here too.
      if (response.status > 599) throw apiError(sent, init.method!, path);
      return new Response(redact(body) || null, { status: response.status, statusText: redact(response.statusText), headers: redactHeaders(response.headers, redact) });
    },
  });

  const api: CallbellApi = {
    PATCH(url, init) {
      const fixed = FIXED.find((key) => init && key in init);
      return fixed
        ? Promise.reject(new CallbellInputError(fixed, `${fixed} is set on the client; callbell.api does not take it per call.`))
        : (client.PATCH(url, init as never) as never);
    },
  };

  async function updateContact(uuid: string, update: ContactUpdate, requestOptions?: RequestOptions) {
    const path = `/contacts/${encodeUuid(uuid)}`;
    const sent = await send(baseUrl + path, "PATCH", { accept: JSON_TYPE, "content-type": JSON_TYPE }, serializeBody(update), requestOptions);
    if (!sent.response.ok) throw apiError(sent, "PATCH", path);
    return contactFrom(sent);
  }

  return { updateContact, api };
}

/** The base URL without a trailing slash; refuses what would send the path, or a secret, elsewhere. */
function checkBaseUrl(baseUrl: unknown): string {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl as string);
  } catch {}
  // Never quotes the URL: it may hold a password.
  const problem =
    typeof baseUrl !== "string" || !url ? "is not an absolute URL"
    : !/^https?:$/.test(url.protocol) ? "must start with http:// or https://"
    : url.username || url.password ? "must not hold a user name or password (the token is the credential)"
    : /[?#]/.test(url.href) ? "must not have a query or fragment (the path is added after it)"
    : "";
  if (problem) throw new CallbellInputError("baseUrl", `baseUrl ${problem}.`);
  return url!.href.replace(/\/+$/, "");
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

// Refuses anything JSON.stringify would change or drop, rather than send something other than
// what the caller wrote: NaN and Infinity (sent as null), functions and symbols (dropped), a
// Map, Set or boxed value (sent as {} or unboxed), an invalid Date (null), a toJSON that gives
// undefined (dropped), a cycle or a throwing getter (JSON.stringify's own error). `undefined`
// properties are dropped, as in TS an optional field left undefined means "leave unchanged".
function serializeBody(body: unknown): string {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new CallbellInputError("update", 'The update must be an object, such as { name: "Joe" }.');
  try {
    return JSON.stringify(body, function (this: Record<string, unknown>, key: string, value: unknown) {
      const type = typeof value;
      const unfit =
        type === "number" ? !Number.isFinite(value) && String(value)
        : type === "bigint" || type === "function" || type === "symbol" ? `a ${type}`
        : type === "object" ? value !== null && !isPlain(value as object) && `a ${(value as object).constructor?.name ?? "non-plain"} object`
        : value === undefined && (Array.isArray(this) ? "undefined" : changedToJSON(this, key));
      const null_ = value === null && Object.getOwnPropertyDescriptor(this, key)?.value instanceof Date && "an invalid Date";
      if (unfit || null_)
        throw new CallbellInputError("update", `${key === "" ? "The update" : Array.isArray(this) ? `Index ${key} of a list` : `Field "${key}"`} is ${unfit || null_}, which JSON cannot carry.`);
      return value;
    });
  } catch (error) {
    if (error instanceof CallbellInputError) throw error;
    throw new CallbellInputError("update", `The update cannot be written as JSON: ${String((error as Error)?.message ?? error).slice(0, 200)}`, { cause: error });
  }
}

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === Array.prototype || prototype === null;
}

// An undefined value where the property held something: a toJSON gave undefined, and JSON would drop it.
function changedToJSON(holder: object, key: string): string | false {
  return Object.getOwnPropertyDescriptor(holder, key)?.value !== undefined && "something whose toJSON gives undefined";
}

function apiError({ response, body, redact, attempts }: Sent, method: string, path: string): CallbellAPIError {
  const text = redact(body);
  let parsed: unknown = text || undefined;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return CallbellAPIError.from({
    status: response.status,
    statusText: redact(response.statusText),
    body: parsed,
    headers: redactHeaders(response.headers, redact),
    method,
    path,
    attempts,
  });
}

function contactFrom({ response, body: text, redact, attempts }: Sent): Contact {
  const fail = (problem: string) => new CallbellResponseFormatError(problem, response.status, redactHeaders(response.headers, redact), redact(text), attempts);
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
  if (typeof (one as { uuid?: unknown }).uuid !== "string") throw fail("the contact has no `uuid`");
  return one as Contact;
}
