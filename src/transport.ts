// Every request to Callbell goes through one loop, `send`: the token per attempt, a timeout per
// attempt that covers headers and body, and retries with backoff or Retry-After.
//
// Where the loop sits: under openapi-fetch, as its `fetch` (see client.ts), so `callbell.api`
// gets it; updateContact calls `send` directly. Not as middleware, because openapi-fetch runs
// `onRequest` once per call and has no way to send again, so a middleware would have to call
// fetch itself and hand back the response, which is this same loop in a less obvious place.
// updateContact skips openapi-fetch because it has nothing to add there (the path, body and
// response handling are updateContact's own), and going through it would cost a Request built
// and read back on every call: with a stubbed fetch, updateContact costs about 0.6 of a bare
// openapi-fetch call, `callbell.api.PATCH` about 2.
import { CallbellConnectionError, CallbellInputError, CallbellTimeoutError } from "./errors.js";
import { backoffMs, isRetryableStatus, RETRY_AFTER_CAP_MS, retryAfterMs } from "./retry-policy.js";

/** The API token, or a function that returns it (called for every attempt, so it can rotate). */
export type TokenSource = string | (() => string | Promise<string>);

export interface RetryOptions {
  /** Each attempt's time limit in ms, for the response's headers and body together. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, on connection errors, timeouts, 408, 429 and 5xx. Default 2. */
  maxRetries?: number | undefined;
}

export interface SendOptions extends RetryOptions {
  /** Aborts the call at once, also between attempts; it then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface TransportOptions extends RetryOptions {
  token: TokenSource;
  fetch?: typeof globalThis.fetch | undefined;
}

/**
 * The last attempt's response, its body read in full as text (every answer of this API is JSON,
 * or an error page) with the token masked, and how many attempts it took.
 */
export interface Sent {
  response: Response;
  body: string;
  attempts: number;
}

export type Send = (
  input: string | Request,
  method: string,
  headers: Record<string, string>,
  body: string | ArrayBuffer | undefined,
  options: SendOptions | undefined,
) => Promise<Sent>;

// RFC 6750's b64token: anything else could not travel in an Authorization header.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const NO_OPTIONS: SendOptions = {};

export function createSend({ token, fetch: customFetch, ...defaults }: TransportOptions): Send {
  checkRetryOptions(defaults);
  // A string token is checked once here; a function's answer on every attempt.
  if (typeof token !== "function") checkToken(token);

  return async function send(input, method, headers, body, options = NO_OPTIONS) {
    checkRetryOptions(options);
    const { signal, timeoutMs = defaults.timeoutMs ?? 30_000, maxRetries = defaults.maxRetries ?? 2 } = options;
    // Looked up per call, not captured once, so that a test or polyfill installed later is used.
    const fetch = customFetch ?? globalThis.fetch;

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw signal.reason;
      const attemptToken = typeof token === "function" ? checkToken(await token()) : token;
      headers.authorization = `Bearer ${attemptToken}`;

      const attemptController = new AbortController();
      const timer = setTimeout(abortOnTimeout, timeoutMs, attemptController);
      const forwardAbort = signal && (() => attemptController.abort(signal.reason));
      if (forwardAbort) signal.addEventListener("abort", forwardAbort);
      let response: Response | undefined;
      let responseBody: string | undefined;
      let failure: unknown;
      try {
        response = await fetch(input, { method, headers, body, signal: attemptController.signal });
        // Read here, inside the timeout, so that a stalled or cut-off body is retried like any failure.
        responseBody = await response.text();
      } catch (error) {
        failure = error;
      } finally {
        clearTimeout(timer);
        if (forwardAbort) signal.removeEventListener("abort", forwardAbort);
      }
      if (signal?.aborted) throw signal.reason;

      let sent: Sent | undefined;
      if (response && responseBody !== undefined) {
        // A server may echo the token it was sent: it never comes back out of the client.
        sent = { response, body: responseBody.replaceAll(attemptToken, "[redacted]"), attempts: attempt };
        if (attempt > maxRetries || !isRetryableStatus(response.status)) return sent;
      } else if (attempt > maxRetries) {
        // Only the timer aborts this controller once the caller's signal is ruled out.
        throw attemptController.signal.aborted
          ? new CallbellTimeoutError(timeoutMs, attempt)
          : new CallbellConnectionError(reasonOf(failure), attempt, { cause: failure });
      }
      const waitMs = (sent && retryAfterMs(sent.response.headers)) ?? backoffMs(attempt);
      // Retrying sooner than the server asked would only fail again: see RETRY_AFTER_CAP_MS.
      if (sent && waitMs > RETRY_AFTER_CAP_MS) return sent;
      await sleep(waitMs, signal);
    }
  };
}

function abortOnTimeout(controller: AbortController): void {
  controller.abort();
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
  const failure = error as { cause?: { message?: string }; message?: string } | undefined;
  return failure?.cause?.message || failure?.message || String(error);
}

function checkToken(token: unknown): string {
  if (typeof token !== "string" || !BEARER_TOKEN.test(token))
    throw new CallbellInputError("token", "No usable Callbell API token: pass `token` or set CALLBELL_API_TOKEN (no spaces or line breaks).");
  return token;
}

// setTimeout fires at once for delays above 2^31 - 1 ms, which would turn a long timeout into none.
function checkRetryOptions({ timeoutMs, maxRetries }: RetryOptions): void {
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs < 2 ** 31))
    throw new CallbellInputError("timeoutMs", "timeoutMs must be a number of ms above 0, below 2^31.");
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0))
    throw new CallbellInputError("maxRetries", "maxRetries must be a whole number, 0 or more.");
}
