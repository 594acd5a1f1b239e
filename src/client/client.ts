// The typed client: openapi-fetch for types and the raw API, plus auth, input checks, one Contact out
// of either envelope and typed errors; timeouts, retries and the body cap live in internal/transport.ts.
import createClient, { type FetchOptions, type FetchResponse } from "openapi-fetch";
import type { components, paths } from "../../generated/schema.js";
import { CallbellAPIError, CallbellInputError, CallbellResponseFormatError } from "./errors.js";
import { redactHeaders } from "./internal/redaction.js";
import { checkHeaders, type ExtraHeaders } from "./internal/headers.js";
import { createSend, type Sent, type SendOptions, type TokenSource } from "./internal/transport.js";

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
  /**
   * Defaults to https://api.callbell.eu/v1; point it at a mock to test. http(s), with no user info,
   * query or fragment.
   */
  baseUrl?: string | undefined;
  /** A fetch implementation; defaults to the global one. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Each attempt's time limit in ms, for the token function, the response's headers and body together.
   * Default 30 000.
   */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, on connection errors, timeouts, 408, 429 and 5xx. Default 2; 0 turns them off. */
  maxRetries?: number | undefined;
  /**
   * The longest response body read, in bytes after decompression. Default 1 MiB; a longer one is a
   * CallbellResponseTooLargeError.
   */
  maxResponseBytes?: number | undefined;
  /**
   * Headers for every request, such as a tracing id; per-call `headers` add to them. Not
   * `Authorization`: that is `token`.
   */
  headers?: ExtraHeaders | undefined;
}

/**
 * Per-call options: `signal`, `headers` (added to the client's), and `timeoutMs`, `maxRetries` or
 * `maxResponseBytes` to override the client's.
 */
export type RequestOptions = SendOptions & { headers?: ExtraHeaders | undefined };

type PatchOperation = paths["/contacts/{uuid}"]["patch"];
// What the client fixes for every call: a per-call fetch, Request, baseUrl, serializer or
// middleware would bypass its checks or its transport, so the types leave them out (and a
// baseUrl passed anyway is refused at run time, as it would take the token elsewhere). The body
// has been read by the time openapi-fetch parses it, as JSON or text (see readBack).
type Fixed =
  "baseUrl" | "fetch" | "Request" | "bodySerializer" | "pathSerializer" | "querySerializer" | "middleware";
export type ApiInit = Omit<FetchOptions<PatchOperation>, Fixed | "parseAs"> &
  RequestOptions & { [key in Fixed]?: never } & { parseAs?: "json" | "text" };

/** The openapi-fetch client for the one operation, with the same checks, transport and errors as updateContact. */
export interface CallbellApi {
  PATCH<Init extends ApiInit>(
    url: "/contacts/{uuid}",
    init: Init,
  ): Promise<FetchResponse<PatchOperation, Init, "application/json">>;
}

export interface CallbellClient {
  /** Updates a contact and resolves to it as Callbell returns it after the update. */
  updateContact(uuid: string, update: ContactUpdate, options?: RequestOptions): Promise<Contact>;
  /**
   * The underlying openapi-fetch client, with auth, checks, timeouts and retries applied, for `{ data,
   * error, response }`.
   */
  readonly api: CallbellApi;
}

const JSON_TYPE = "application/json";
// A function, not a module constant, so that mutation testing can change its text (docs/mutation.md).
const baseUrlRefused = () =>
  new CallbellInputError("baseUrl", "baseUrl must be an http(s) URL with no user info, query or fragment.");

interface CallRequest {
  url: string;
  init: RequestInit & SendOptions;
}

/**
 * What openapi-fetch builds for each call in place of a Request (its `Request` option): the
 * transport reads it and sends with fetch. A real Request per call cost as much as the rest of
 * the call, and its signal follows the caller's with a listener that only garbage collection removes.
 */
function CallRequest(url: string, init: RequestInit & SendOptions): CallRequest {
  return { url, init };
}

export function createCallbellClient(options: CallbellClientOptions = {}): CallbellClient {
  const baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  // `globalThis.process` so that the client also loads where there is no Node (browsers, workers).
  // The token is held in transport.ts's closure only, so it never shows on the client object.
  const send = createSend({
    ...options,
    // Stryker disable next-line StringLiteral: any other text that is not a bearer token is refused alike.
    token: options.token ?? globalThis.process?.env?.CALLBELL_API_TOKEN ?? "",
  });
  const clientHeaders = checkHeaders(options.headers);

  const client = createClient<paths, "application/json">({
    baseUrl,
    headers: { Accept: JSON_TYPE, ...clientHeaders },
    Request: CallRequest as unknown as typeof Request,
    bodySerializer: serializeBody,
    // Stryker disable next-line OptionalChaining: openapi-fetch calls it only when `params.path` is set.
    pathSerializer: (pathname, params) => pathname.replace("{uuid}", encodeUuid(params?.uuid)),
    async fetch(request) {
      const { url, init } = request as unknown as CallRequest;
      if (!url.startsWith(`${baseUrl}/`)) throw baseUrlRefused();
      // openapi-fetch fills the path in only when `params.path` is given; else "{uuid}" stays as written
      // (a uuid is percent-encoded and `baseUrl` is a parsed href, so neither can hold a brace).
      if (url.includes("{uuid}"))
        throw new CallbellInputError("uuid", "uuid is missing: pass params.path.uuid.");
      const sent = await send(
        url,
        init.method!,
        checkHeaders(Object.fromEntries(init.headers as Headers)),
        init.body as string | undefined,
        init,
      );
      const { response, body, redact } = sent;
      if (response.ok) contactFrom(sent);
      return readBack(
        response,
        response.ok ? body : redact(body),
        !response.ok && {
          statusText: { value: redact(response.statusText) },
          headers: { value: redactHeaders(response.headers, redact) },
        },
      );
    },
  });

  // openapi-fetch turns per-call headers into a Headers before the transport sees them, and that
  // throws a bare TypeError on what fetch cannot send: check them first, as updateContact does.
  const api = {
    PATCH: async (url: "/contacts/{uuid}", init: ApiInit) => (
      checkHeaders(init.headers),
      client.PATCH(url, init as never)
    ),
  } as CallbellApi;

  async function updateContact(uuid: string, update: ContactUpdate, requestOptions?: RequestOptions) {
    const path = `/contacts/${encodeUuid(uuid)}`;
    const sent = await send(
      baseUrl + path,
      "PATCH",
      {
        accept: JSON_TYPE,
        "content-type": JSON_TYPE,
        ...clientHeaders,
        ...checkHeaders(requestOptions?.headers),
      },
      serializeBody(update),
      requestOptions,
    );
    if (!sent.response.ok) throw apiError(sent, "PATCH", path);
    return contactFrom(sent);
  }

  return { updateContact, api };
}

/** The base URL without a trailing slash; refuses what would send the path, or a secret, elsewhere. */
function checkBaseUrl(baseUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {}
  // Never quotes the URL: it may hold a password. (`/^https?:/` for the first pattern is equivalent: a
  // protocol ends at its only colon. See docs/mutation.md.)
  // Stryker disable next-line StringLiteral: an unparsable URL fails the protocol test whatever stands in for it.
  if (!/^https?:$/.test(url?.protocol ?? "") || url!.username || url!.password || /[?#]/.test(url!.href))
    throw baseUrlRefused();
  return url!.href.replace(/\/+$/, "");
}

/** The uuid as one path segment; refuses what cannot be one. */
function encodeUuid(uuid: unknown): string {
  // A URL parser resolves "." and "..", which would send the PATCH to another path.
  if (typeof uuid !== "string" || /^\.{0,2}$/.test(uuid))
    throw new CallbellInputError("uuid", 'uuid must be a string other than "", "." or "..".');
  try {
    return encodeURIComponent(uuid);
  } catch {
    throw new CallbellInputError("uuid", "uuid has a lone surrogate.");
  }
}

// Refuses anything JSON.stringify would change or drop, rather than send something other than
// what the caller wrote: NaN and Infinity (sent as null), functions and symbols (dropped), a
// Map, Set or boxed value (sent as {} or unboxed), an invalid Date (null), a toJSON that gives
// undefined (dropped), a cycle or a throwing getter (JSON.stringify's own error). `undefined`
// properties are dropped, as in TS an optional field left undefined means "leave unchanged".
function serializeBody(body: unknown): string {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new CallbellInputError("update", "The update must be an object.");
  try {
    return JSON.stringify(body, function (this: object, key: string, value: unknown) {
      const type = typeof value;
      // What the holder has, read without running a getter twice: the value before toJSON.
      const held = Object.getOwnPropertyDescriptor(this, key)?.value;
      const prototype = type === "object" && value && Object.getPrototypeOf(value);
      const unfit =
        type === "number"
          ? !Number.isFinite(value) && String(value)
          : type === "bigint" || type === "function" || type === "symbol"
            ? `a ${type}`
            : prototype
              ? prototype !== Object.prototype &&
                prototype !== Array.prototype &&
                (prototype.constructor?.name
                  ? `a ${prototype.constructor.name}`
                  : "an object of another prototype")
              : value === null
                ? held instanceof Date && "an invalid Date"
                : value === undefined && (Array.isArray(this) || held !== undefined) && "undefined";
      if (unfit) {
        const where =
          key === "" ? "The update" : Array.isArray(this) ? `Index ${key} of a list` : `Field "${key}"`;
        throw new CallbellInputError("update", `${where} is ${unfit}, which JSON cannot carry.`);
      }
      return value;
    });
  } catch (error) {
    throw error instanceof CallbellInputError
      ? error
      : new CallbellInputError("update", "The update cannot be JSON (its `cause`).", { cause: error });
  }
}

/**
 * The response as it came, for openapi-fetch to read its body from: the transport has read the
 * body already (under the timeout and the cap), so its readers give that text back. Cheaper than a
 * new Response (about 20 µs each), and it keeps any status, 600 and up included. An error answer
 * shows its body, status line and headers with the token masked. (So `parseAs` is "json" or "text".)
 */
function readBack(response: Response, text: string, masked: PropertyDescriptorMap | false): Response {
  return Object.defineProperties(response, {
    ...masked,
    text: { value: async () => text },
    json: { value: async () => JSON.parse(text) },
  });
}

function apiError(
  { response, body, redact, attempts }: Sent,
  method: string,
  path: string,
): CallbellAPIError {
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
    // The caller's uuid may hold the token (a pasted log line): masked before the message cuts it.
    path: redact(path),
    attempts,
  });
}

function contactFrom({ response, body: text, redact, attempts }: Sent): Contact {
  const fail = (problem: string) =>
    new CallbellResponseFormatError(
      problem,
      response.status,
      redactHeaders(response.headers, redact),
      redact(text),
      attempts,
    );
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw fail("the body is not JSON");
  }
  const contact = (body as { contact?: unknown } | null)?.contact;
  // Callbell's example wraps the contact in an array of one; its field table says an object.
  const one = Array.isArray(contact) && contact.length === 1 ? contact[0] : contact;
  if (typeof (one as { uuid?: unknown } | null)?.uuid !== "string")
    throw fail("the body has no `contact` with a `uuid`");
  return one as Contact;
}
