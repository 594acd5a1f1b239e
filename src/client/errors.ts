// Every error the client throws. Callers can catch CallbellError for all of them, or a subclass
// for one failure mode. None of them ever holds the API token.
// (Fields are `declare`d and assigned in constructors: the same objects, less code in the bundle.)
import { cut } from "./internal/redaction.js";
import { retryAfterMs } from "./retry-policy.js";

export class CallbellError extends Error {
  override name = "CallbellError";
}

/** The call was refused before anything was sent: a missing token, an unusable uuid or body. */
export class CallbellInputError extends CallbellError {
  override name = "CallbellInputError";
  /** Which argument or option was wrong, for instance `uuid` or `token`. */
  declare readonly field: string;
  /** `options.cause`: what failed underneath, such as the token function's own error. */
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.field = field;
  }
}

/** No complete HTTP response arrived, on any attempt: DNS failure, refused or reset connection, TLS error. */
export class CallbellConnectionError extends CallbellError {
  override name = "CallbellConnectionError";
  /** How many attempts were made, retries included. */
  declare readonly attempts: number;
  /** `reason`: what went wrong on the last attempt, such as `connect ECONNREFUSED 127.0.0.1:443`. */
  constructor(reason: string, attempts: number, options?: ErrorOptions) {
    super(`Could not reach Callbell after ${attemptCount(attempts)}: ${cut(reason)}.`, options);
    this.attempts = attempts;
  }
}

/**
 * Every attempt ran out of time (`timeoutMs`, which covers the response's headers and body).
 * A connection error, as in openai-node: code that catches CallbellConnectionError for "no
 * answer" catches this too, and code that cares can tell the two apart.
 */
export class CallbellTimeoutError extends CallbellConnectionError {
  override name = "CallbellTimeoutError";
  /** The per-attempt timeout that ran out. */
  declare readonly timeoutMs: number;
  constructor(timeoutMs: number, attempts: number) {
    super(`no answer within the ${timeoutMs} ms timeout (timeoutMs)`, attempts);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A 2xx response whose body is not the documented `{ contact }` (not JSON, or no contact in it), or
 * any body too long to read.
 */
export class CallbellResponseFormatError extends CallbellError {
  override name = "CallbellResponseFormatError";
  declare readonly status: number;
  declare readonly headers: Headers;
  /** The raw body text, for debugging. */
  declare readonly bodyText: string;
  /** How many attempts were made, retries of earlier failures included. */
  declare readonly attempts: number;
  /** `problem`: what is wrong with the body, such as `the body is not JSON`. */
  constructor(problem: string, status: number, headers: Headers, bodyText: string, attempts: number) {
    super(`Callbell answered ${status} after ${attemptCount(attempts)} but ${problem}.`);
    Object.assign(this, { status, headers, bodyText, attempts });
  }
}

/**
 * The response's body was longer than `maxResponseBytes` (after decompression), whatever its
 * status; the rest was not downloaded, and `bodyText` is empty. Not retried: the same answer would
 * come again, and each try would download it again.
 */
export class CallbellResponseTooLargeError extends CallbellResponseFormatError {
  override name = "CallbellResponseTooLargeError";
  /** The limit that was passed, in bytes. */
  declare readonly maxResponseBytes: number;
  constructor(maxResponseBytes: number, status: number, headers: Headers, attempts: number) {
    super(`the body is over maxResponseBytes (${maxResponseBytes})`, status, headers, "", attempts);
    this.maxResponseBytes = maxResponseBytes;
  }
}

/**
 * In a batch (`callbell-openapi/bulk`), the result of an item that was never sent, because the
 * batch stopped first: aborted (`cause` is the signal's reason), a token Callbell refused (`cause`
 * is that 401 or 403), or an input that threw (`cause` is its error). Send the item again later.
 */
export class NotSentError extends CallbellError {
  override name = "NotSentError";
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
  declare readonly status: number;
  declare readonly body: unknown;
  declare readonly headers: Headers;
  /** The server's request id (`X-Request-Id`), when it sent one: quote it to Callbell support. */
  declare readonly requestId: string | undefined;
  /** How many attempts were made, retries included; the error describes the last one's response. */
  declare readonly attempts: number;

  constructor(init: APIErrorInit) {
    super(describe(init));
    const { status, body, headers, attempts } = init;
    Object.assign(this, {
      status,
      body,
      headers,
      requestId: headers.get("x-request-id") ?? undefined,
      attempts,
    });
  }

  /** The subclass that fits the status: BadRequestError for 400, RateLimitError for 429, …. */
  static from(init: APIErrorInit): CallbellAPIError {
    const ErrorClass =
      ERROR_CLASSES[init.status] ?? (init.status >= 500 ? InternalServerError : CallbellAPIError);
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
  /** `Retry-After` in milliseconds (a date measured against the local clock), when it can be read. */
  get retryAfterMs(): number | undefined {
    return retryAfterMs(this.headers);
  }
}
/** 5xx: Callbell failed; usually safe to retry. */
export class InternalServerError extends CallbellAPIError {
  override name = "InternalServerError";
}

const ERROR_CLASSES: Record<number, typeof CallbellAPIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

function attemptCount(attempts: number): string {
  return `${attempts} attempt${attempts === 1 ? "" : "s"}`;
}

// What a message quotes from the server or from the caller's own input (a whole CSV cell pasted
// as a uuid) is cut to 200 characters (redaction.ts's `cut`; the status text to 100): enough for
// a title and a sentence, or to recognise the uuid. Cut after the token is masked, so no part of
// a token can remain.
const QUOTED_CHARS = 200;

function describe({ status, statusText, body, method, path, attempts }: APIErrorInit): string {
  const detail = detailOf(body);
  // A percent escape cut in two would read as other characters: the cut goes before it.
  const shownStatus = `${status}${statusText ? ` ${cut(statusText, 100)}` : ""}`;
  const shownPath = cut(path).replace(/%\w?…$/, "…");
  const head = `Callbell answered ${shownStatus} to ${method} ${shownPath} after ${attemptCount(attempts)}`;
  return detail ? `${head}: ${detail}` : head;
}

// Callbell's error body is undocumented: use whichever of the usual members it has. Server text is
// cut before it is processed, so an error page of any size costs the same.
function detailOf(body: unknown): string | undefined {
  // Text as it reads: an error page's tags go (its title and heading say what happened).
  if (typeof body === "string")
    return (
      cut(
        body
          .slice(0, 10 * QUOTED_CHARS)
          .replace(/<[^<>]*>/g, " ")
          .replace(/\s+/g, " ")
          .trim(),
      ) || undefined
    );
  const { message, error } = (body ?? {}) as { message?: unknown; error?: { message?: unknown } };
  const detail = [message, error, error?.message].find(
    (detail): detail is string => typeof detail === "string" && detail !== "",
  );
  return detail && cut(detail);
}
