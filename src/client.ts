// The typed client: openapi-fetch for transport and types, plus the few things it leaves to us
// (auth, input checks, one Contact out of either envelope, typed errors).
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "../generated/schema.js";
import {
  CallbellAPIError,
  CallbellConnectionError,
  CallbellError,
  CallbellInputError,
  CallbellResponseFormatError,
} from "./errors.js";

export type Contact = components["schemas"]["Contact"];
export type ContactUpdate = components["schemas"]["ContactUpdate"];

/** The spec's `servers[0].url`; a unit test keeps the two equal. */
export const DEFAULT_BASE_URL = "https://api.callbell.eu/v1";

export interface CallbellClientOptions {
  /** The API token from the Callbell dashboard. Defaults to the `CALLBELL_API_TOKEN` environment variable. */
  token?: string;
  /** Defaults to https://api.callbell.eu/v1; point it at a mock to test. */
  baseUrl?: string;
  /** A fetch implementation; defaults to the global one. */
  fetch?: typeof globalThis.fetch;
}

export interface RequestOptions {
  /** Aborts the request; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface CallbellClient {
  /** Updates a contact and resolves to it as Callbell returns it after the update. */
  updateContact(uuid: string, update: ContactUpdate, options?: RequestOptions): Promise<Contact>;
  /** The underlying openapi-fetch client, with auth applied, for `{ data, error, response }`. */
  readonly api: Client<paths, "application/json">;
}

// RFC 6750's b64token: anything else could not travel in an Authorization header.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function createCallbellClient(options: CallbellClientOptions = {}): CallbellClient {
  // `globalThis.process` so that the client also loads where there is no Node (browsers, workers).
  const token = options.token ?? globalThis.process?.env?.CALLBELL_API_TOKEN;
  checkToken(token);

  const api = createClient<paths, "application/json">({
    baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
    fetch: options.fetch,
    headers: { Accept: "application/json" },
    bodySerializer: serializeBody,
  });
  // Held in this closure only, so the token never shows on the client object.
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
  api.use(auth);

  async function updateContact(uuid: string, update: ContactUpdate, requestOptions: RequestOptions = {}) {
    checkUuid(uuid);
    checkUpdate(update);
    const { signal } = requestOptions;
    const path = `/contacts/${encodeURIComponent(uuid)}`;
    let result;
    try {
      result = await api.PATCH("/contacts/{uuid}", {
        params: { path: { uuid } },
        body: update,
        signal,
        parseAs: "text",
      });
    } catch (error) {
      throw transportError(error, signal);
    }
    const { response } = result;
    if (!response.ok) {
      throw CallbellAPIError.from({
        status: response.status,
        statusText: response.statusText,
        body: result.error,
        headers: response.headers,
        method: "PATCH",
        path,
      });
    }
    return contactFrom(result.data ?? "", response);
  }

  return { updateContact, api };
}

function checkToken(token: string | undefined): asserts token is string {
  if (token === undefined || token === "")
    throw new CallbellInputError(
      "token",
      "No Callbell API token: pass `token` to createCallbellClient or set CALLBELL_API_TOKEN.",
    );
  if (typeof token !== "string" || !BEARER_TOKEN.test(token))
    throw new CallbellInputError(
      "token",
      "The Callbell API token has characters a bearer token cannot have (letters, digits and -._~+/ then =); check for spaces or line breaks.",
    );
}

function checkUuid(uuid: unknown): asserts uuid is string {
  if (typeof uuid !== "string" || uuid === "")
    throw new CallbellInputError("uuid", "uuid must be a non-empty string (the contact's Callbell id).");
  // A URL parser resolves these segments, which would send the PATCH to another path.
  if (uuid === "." || uuid === "..")
    throw new CallbellInputError("uuid", `uuid "${uuid}" is not a contact id: it would address another path.`);
}

function checkUpdate(update: unknown): void {
  if (update === null || typeof update !== "object" || Array.isArray(update))
    throw new CallbellInputError("update", "The update must be an object of the fields to change, such as { name: \"Joe\" }.");
}

// JSON.stringify quietly turns NaN into null and drops functions; refuse instead of sending
// something other than what the caller wrote. `undefined` properties are dropped, as in TS
// an optional field left undefined means "leave unchanged".
function serializeBody(body: unknown): string {
  return JSON.stringify(body, function (this: unknown, key: string, value: unknown) {
    const where = key === "" ? "the update" : `field "${key}"`;
    if (typeof value === "number" && !Number.isFinite(value))
      throw new CallbellInputError("update", `${where} is ${value}, which JSON cannot carry.`);
    if (typeof value === "bigint") throw new CallbellInputError("update", `${where} is a bigint, which JSON cannot carry.`);
    if (typeof value === "function" || typeof value === "symbol")
      throw new CallbellInputError("update", `${where} is a ${typeof value}, which JSON cannot carry.`);
    if (value === undefined && Array.isArray(this))
      throw new CallbellInputError("update", `a list holds undefined at index ${key}, which JSON would send as null.`);
    return value;
  });
}

function transportError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof CallbellError) return error;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new CallbellConnectionError(`Could not reach Callbell: ${reason}.`, { cause: error });
}

function contactFrom(text: string, response: Response): Contact {
  const fail = (what: string) =>
    new CallbellResponseFormatError(
      `Callbell answered ${response.status} but ${what}.`,
      response.status,
      response.headers,
      text,
    );
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
