// Every error the client throws. Callers can catch CallbellError for all of them, or a subclass
// for one failure mode. None of them ever holds the API token.
import { retryAfterMs } from "./retry-policy.js";

export class CallbellError extends Error {
  override name = "CallbellError";

  /** What loggers that serialize errors with JSON.stringify get: name, message and the fields. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) json[key] = value instanceof Headers ? Object.fromEntries(value) : value;
    return json;
  }
}

/** The call was refused before anything was sent: a missing token, an unusable uuid or body. */
export class CallbellInputError extends CallbellError {
  override name = "CallbellInputError";
  constructor(
    /** Which argument or option was wrong, for instance `uuid` or `token`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** No complete HTTP response arrived, on any attempt: DNS failure, refused or reset connection, TLS error. */
export class CallbellConnectionError extends CallbellError {
  override name = "CallbellConnectionError";
  constructor(
    /** What went wrong on the last attempt, such as `connect ECONNREFUSED 127.0.0.1:443`. */
    reason: string,
    /** How many attempts were made, retries included. */
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(`Could not reach Callbell after ${attemptCount(attempts)}: ${reason}.`, options);
  }
}

/**
 * Every attempt ran out of time (`timeoutMs`, which covers the response's headers and body).
 * A connection error, as in openai-node: code that catches CallbellConnectionError for "no
 * answer" catches this too, and code that cares can tell the two apart.
 */
export class CallbellTimeoutError extends CallbellConnectionError {
  override name = "CallbellTimeoutError";
  constructor(
    /** The per-attempt timeout that ran out. */
    readonly timeoutMs: number,
    attempts: number,
  ) {
    super(`no answer within the ${timeoutMs} ms timeout (timeoutMs)`, attempts);
  }
}

/** A 2xx response whose body is not the documented `{ contact }` (not JSON, or no contact in it). */
export class CallbellResponseFormatError extends CallbellError {
  override name = "CallbellResponseFormatError";
  constructor(
    /** What is wrong with the body, such as `the body is not JSON`. */
    problem: string,
    readonly status: number,
    readonly headers: Headers,
    /** The raw body text, for debugging. */
    readonly bodyText: string,
    /** How many attempts were made, retries of earlier failures included. */
    readonly attempts: number,
  ) {
    super(`Callbell answered ${status} after ${attemptCount(attempts)} but ${problem}.`);
  }
}

export interface APIErrorInit {
  status: number;
  statusText: string;
  /** The parsed JSON body, or the raw text when it is not JSON; `undefined` when empty. */
  body: unknown;
  headers: Headers;
  method: string;
  /** The request's path, such as `/contacts/414a…`, never the full URL with credentials. */
  path: string;
  /** How many attempts were made; the error describes the last one's response. */
  attempts: number;
}

/** Callbell answered with a non-2xx status. */
export class CallbellAPIError extends CallbellError {
  override name = "CallbellAPIError";
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
  /** The server's request id (`X-Request-Id`), when it sent one: quote it to Callbell support. */
  readonly requestId: string | undefined;
  /** How many attempts were made, retries included; the error describes the last one's response. */
  readonly attempts: number;

  constructor(init: APIErrorInit) {
    super(describe(init));
    this.status = init.status;
    this.body = init.body;
    this.headers = init.headers;
    this.requestId = init.headers.get("x-request-id") ?? undefined;
    this.attempts = init.attempts;
  }

  /** The subclass that fits the status: BadRequestError for 400, RateLimitError for 429, …. */
  static from(init: APIErrorInit): CallbellAPIError {
    const ErrorClass = errorClassForStatus(init.status);
    return new ErrorClass(init);
  }
}

/** 400: the request could not be read (malformed JSON, for instance). */
export class BadRequestError extends CallbellAPIError {
  override name = "BadRequestError";
}
/** 401: the token is missing, malformed or not accepted. */
export class AuthenticationError extends CallbellAPIError {
  override name = "AuthenticationError";
}
/** 403: the token may not do this. */
export class PermissionDeniedError extends CallbellAPIError {
  override name = "PermissionDeniedError";
}
/** 404: no contact with that uuid in the account. */
export class NotFoundError extends CallbellAPIError {
  override name = "NotFoundError";
}
/** 422: the body was read but a field is not valid (unknown field, wrong type, unknown tag…). */
export class UnprocessableEntityError extends CallbellAPIError {
  override name = "UnprocessableEntityError";
}
/** 429: above Callbell's rate limit (300 requests per second). */
export class RateLimitError extends CallbellAPIError {
  override name = "RateLimitError";
  /** The `Retry-After` header as sent (seconds or an HTTP date), when the server sent one. */
  get retryAfter(): string | undefined {
    return this.headers.get("retry-after") ?? undefined;
  }
  /** `Retry-After` in milliseconds (a date is measured from the response's `Date`), when it can be read. */
  get retryAfterMs(): number | undefined {
    return retryAfterMs(this.headers);
  }
}
/** 5xx: Callbell failed; usually safe to retry. */
export class InternalServerError extends CallbellAPIError {
  override name = "InternalServerError";
}

function errorClassForStatus(status: number): typeof CallbellAPIError {
  switch (status) {
    case 400:
      return BadRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 422:
      return UnprocessableEntityError;
    case 429:
      return RateLimitError;
    default:
      return status >= 500 ? InternalServerError : CallbellAPIError;
  }
}

function attemptCount(attempts: number): string {
  return attempts === 1 ? "1 attempt" : `${attempts} attempts`;
}

function describe({ status, statusText, body, method, path, attempts }: APIErrorInit): string {
  const detail = detailOf(body);
  const head = `Callbell answered ${status}${statusText ? ` ${statusText}` : ""} to ${method} ${path} after ${attemptCount(attempts)}`;
  return detail ? `${head}: ${detail}` : head;
}

// Callbell's error body is undocumented: use whichever of the usual members it has.
function detailOf(body: unknown): string | undefined {
  if (typeof body === "string") {
    // A proxy's error page: its title says more than 200 characters of markup.
    if (/^\s*</.test(body) && /<html/i.test(body)) {
      const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
      return title ? `an HTML page titled "${title.slice(0, 200)}"` : "an HTML page";
    }
    return body.trim().slice(0, 200) || undefined;
  }
  if (!body || typeof body !== "object") return undefined;
  const { message, error } = body as { message?: unknown; error?: unknown };
  if (typeof message === "string" && message) return message;
  if (typeof error === "string" && error) return error;
  if (error && typeof error === "object" && typeof (error as { message?: unknown }).message === "string")
    return (error as { message: string }).message;
  return undefined;
}
