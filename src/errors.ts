// Every error the client throws. Callers can catch CallbellError for all of them, or a subclass
// for one failure mode. None of them ever holds the API token.

export class CallbellError extends Error {
  override name = "CallbellError";
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

/** No HTTP response arrived: DNS failure, refused or reset connection, TLS error. */
export class CallbellConnectionError extends CallbellError {
  override name = "CallbellConnectionError";
}

/** A 2xx response whose body is not the documented `{ contact }` (not JSON, or no contact in it). */
export class CallbellResponseFormatError extends CallbellError {
  override name = "CallbellResponseFormatError";
  constructor(
    message: string,
    readonly status: number,
    readonly headers: Headers,
    /** The raw body text, for debugging. */
    readonly bodyText: string,
  ) {
    super(message);
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
}

/** Callbell answered with a non-2xx status. */
export class CallbellAPIError extends CallbellError {
  override name = "CallbellAPIError";
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
  /** The server's request id (`X-Request-Id`), when it sent one: quote it to Callbell support. */
  readonly requestId: string | undefined;

  constructor(init: APIErrorInit) {
    super(describe(init));
    this.status = init.status;
    this.body = init.body;
    this.headers = init.headers;
    this.requestId = init.headers.get("x-request-id") ?? undefined;
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

function describe({ status, statusText, body, method, path }: APIErrorInit): string {
  const detail = detailOf(body);
  const head = `Callbell answered ${status}${statusText ? ` ${statusText}` : ""} to ${method} ${path}`;
  return detail ? `${head}: ${detail}` : head;
}

// Callbell's error body is undocumented: use whichever of the usual members it has.
function detailOf(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim().slice(0, 200) || undefined;
  if (!body || typeof body !== "object") return undefined;
  const { message, error } = body as { message?: unknown; error?: unknown };
  if (typeof message === "string" && message) return message;
  if (typeof error === "string" && error) return error;
  if (error && typeof error === "object" && typeof (error as { message?: unknown }).message === "string")
    return (error as { message: string }).message;
  return undefined;
}
