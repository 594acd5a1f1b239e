// Every request to Callbell goes through one loop, `send`: the token per attempt, a timeout per
// attempt that covers headers and body, and retries with backoff or Retry-After.
//
// Where the loop sits: under openapi-fetch, as its `fetch` (see client.ts), so `callbell.api`
// gets it; updateContact calls `send` directly. Not as middleware, because openapi-fetch runs
// `onRequest` once per call and has no way to send again, so a middleware would have to call
// fetch itself and hand back the response, which is this same loop in a less obvious place.
// updateContact skips openapi-fetch because it has nothing to add there (the path, body and
// response handling are updateContact's own), and going through it would cost a Request built
// and read back on every call, about doubling the client's own cost per call.
import {
  CallbellConnectionError,
  CallbellInputError,
  CallbellTimeoutError,
} from "./errors.js";
import { backoffMs, isRetryableStatus, RETRY_AFTER_CAP_MS, retryAfterMs } from "./retry-policy.js";

/** The API token, or a function that returns it (called for every attempt, so it can rotate). */
export type TokenSource = string | (() => string | Promise<string>);

/** Receives one line per retry; `console` will do. The Authorization header is always masked. */
export interface CallbellLogger {
  debug(message: string, details: Record<string, unknown>): void;
}

export interface RetryOptions {
  /** Each attempt's time limit in ms, for the response's headers and body together. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, on connection errors, timeouts, 408, 429 and 5xx. Default 2. */
  maxRetries?: number;
}

export interface SendOptions extends RetryOptions {
  /** Aborts the call at once, also between attempts; it then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface TransportOptions extends RetryOptions {
  token: TokenSource;
  fetch?: typeof globalThis.fetch;
  logger?: CallbellLogger | undefined;
}

/** The last attempt's response, its body read in full, and how many attempts it took. */
export interface Sent {
  response: Response;
  body: ArrayBuffer;
  attempts: number;
  /** The token that attempt used, so that errors can mask it where the server echoed it. */
  token: string;
}

export type Send = (
  input: string | Request,
  method: string,
  headers: Record<string, string>,
  body: string | ArrayBuffer | undefined,
  options: SendOptions | undefined,
) => Promise<Sent>;

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 2;

// RFC 6750's b64token: anything else could not travel in an Authorization header.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const NO_OPTIONS: SendOptions = {};

export function createSend(options: TransportOptions): Send {
  const { token, logger } = options;
  const timeoutDefault = checkTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxRetriesDefault = checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES);
  // A string token is checked once here; a function's answer on every attempt.
  const fixedAuthorization = typeof token === "string" ? `Bearer ${checkToken(token)}` : undefined;
  if (!fixedAuthorization && typeof token !== "function") checkToken(token);

  return async function send(input, method, headers, body, sendOptions = NO_OPTIONS) {
    const { signal } = sendOptions;
    const timeoutMs = sendOptions.timeoutMs === undefined ? timeoutDefault : checkTimeout(sendOptions.timeoutMs);
    const maxRetries = sendOptions.maxRetries === undefined ? maxRetriesDefault : checkMaxRetries(sendOptions.maxRetries);
    // Looked up per call, not captured once, so that a test or polyfill installed later is used.
    const fetch = options.fetch ?? globalThis.fetch;

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw signal.reason;
      const currentToken = fixedAuthorization ? (token as string) : checkToken(await (token as () => string | Promise<string>)());
      headers.authorization = fixedAuthorization ?? `Bearer ${currentToken}`;

      const attemptController = new AbortController();
      const timer = setTimeout(abortOnTimeout, timeoutMs, attemptController);
      const forwardAbort = signal && (() => attemptController.abort(signal.reason));
      if (forwardAbort) signal.addEventListener("abort", forwardAbort);
      let response: Response | undefined;
      let responseBody: ArrayBuffer | undefined;
      let failure: unknown;
      try {
        response = await fetch(input, { method, headers, body, signal: attemptController.signal });
        // Read here, inside the timeout, so that a stalled or cut-off body is retried like any failure.
        responseBody = await response.arrayBuffer();
      } catch (error) {
        failure = error;
      } finally {
        clearTimeout(timer);
        if (forwardAbort) signal.removeEventListener("abort", forwardAbort);
      }
      if (signal?.aborted) throw signal.reason;

      let waitMs: number;
      if (!response || !responseBody) {
        const timedOut = attemptController.signal.aborted;
        if (attempt > maxRetries)
          throw timedOut ? new CallbellTimeoutError(timeoutMs, attempt) : new CallbellConnectionError(reasonOf(failure), attempt, { cause: failure });
        waitMs = backoffMs(attempt);
        logger?.debug(`Callbell: ${method} attempt ${attempt} ${timedOut ? "timed out" : "failed"}; retrying in ${Math.round(waitMs)} ms`, {
          ...logDetails(input, method, headers, attempt, waitMs),
          error: timedOut ? "timeout" : reasonOf(failure),
        });
      } else {
        const sent = { response, body: responseBody, attempts: attempt, token: currentToken };
        if (attempt > maxRetries || !isRetryableStatus(response.status)) return sent;
        const askedMs = retryAfterMs(response.headers);
        // Retrying sooner than the server asked would only fail again: see RETRY_AFTER_CAP_MS.
        if (askedMs !== undefined && askedMs > RETRY_AFTER_CAP_MS) {
          logger?.debug(`Callbell: ${method} got ${response.status} asking to retry in ${askedMs} ms, above the ${RETRY_AFTER_CAP_MS} ms cap; not retrying`, {
            ...logDetails(input, method, headers, attempt, undefined),
            status: response.status,
          });
          return sent;
        }
        waitMs = askedMs ?? backoffMs(attempt);
        logger?.debug(`Callbell: ${method} attempt ${attempt} got ${response.status}; retrying in ${Math.round(waitMs)} ms`, {
          ...logDetails(input, method, headers, attempt, waitMs),
          status: response.status,
        });
      }
      await sleep(waitMs, signal);
    }
  };
}

function abortOnTimeout(controller: AbortController): void {
  controller.abort(new DOMException("The attempt timed out.", "TimeoutError"));
}

/** Waits, unless the caller aborts first: then it rejects with the abort's reason at once. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// undici wraps socket errors in a TypeError("fetch failed") whose cause says what happened.
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  const message = typeof cause?.message === "string" && cause.message ? cause.message : (error as Error | undefined)?.message || String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function logDetails(input: string | Request, method: string, headers: Record<string, string>, attempt: number, waitMs: number | undefined) {
  return {
    method,
    url: typeof input === "string" ? input : input.url,
    attempt,
    waitMs,
    headers: { ...headers, authorization: "Bearer [redacted]" },
  };
}

function checkToken(token: unknown): string {
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
  return token;
}

// setTimeout fires at once for delays above 2^31 - 1 ms, which would turn a long timeout into none.
const MAX_TIMER_MS = 2_147_483_647;

function checkTimeout(timeoutMs: unknown): number {
  if (typeof timeoutMs !== "number" || !(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS))
    throw new CallbellInputError("timeoutMs", `timeoutMs must be a number of milliseconds above 0 and at most ${MAX_TIMER_MS}.`);
  return timeoutMs;
}

function checkMaxRetries(maxRetries: unknown): number {
  if (typeof maxRetries !== "number" || !Number.isInteger(maxRetries) || maxRetries < 0)
    throw new CallbellInputError("maxRetries", "maxRetries must be a whole number, 0 or more (0 turns retries off).");
  return maxRetries;
}
