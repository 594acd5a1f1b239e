// The one loop every request goes through: per attempt the token, the request and the body read up to
// a byte cap under one timeout and the caller's signal, then retries (updateContact and `api` alike).
import {
  CallbellConnectionError,
  CallbellError,
  CallbellInputError,
  CallbellResponseTooLargeError,
  CallbellTimeoutError,
} from "../errors.js";
import { redactHeaders, redactor, type Redact } from "./redaction.js";
import { backoffMs, isRetryableStatus, RETRY_AFTER_CAP_MS, retryAfterMs } from "../retry-policy.js";

/** The API token, or a function that returns it (called for every attempt, so it can rotate). */
export type TokenSource = string | (() => string | Promise<string>);

export interface RetryOptions {
  /**
   * Each attempt's time limit in ms, for the token function, the response's headers and its body
   * together. Default 30 000.
   */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt, on connection errors, timeouts, 408, 429 and 5xx. Default 2. */
  maxRetries?: number | undefined;
  /**
   * The longest response body read, in bytes after decompression. Default 1 MiB (1 048 576): a
   * contact is well under 10 KB even with many custom fields and tags, so this is over 100 times
   * the largest plausible answer, and still small enough that a hostile or broken server cannot
   * exhaust memory. A longer answer is a CallbellResponseTooLargeError, not retried.
   */
  maxResponseBytes?: number | undefined;
}

export interface SendOptions extends RetryOptions {
  /** Aborts the call at once, also between attempts; it then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface TransportOptions extends RetryOptions {
  token: TokenSource;
  fetch?: typeof globalThis.fetch | undefined;
}

/** The last attempt's response, its body read in full as text, how many attempts it took, and how to mask its token. */
export interface Sent {
  response: Response;
  /** As the server sent it: only what the client shows is masked, with `redact`. */
  body: string;
  attempts: number;
  redact: Redact;
}

export type Send = (
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  options: SendOptions | undefined,
) => Promise<Sent>;

// RFC 6750's b64token: anything else could not travel in an Authorization header.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
export const DEFAULT_MAX_RESPONSE_BYTES = 1 << 20;

export function createSend({ token, fetch: customFetch, ...defaults }: TransportOptions): Send {
  checkRetryOptions(defaults);
  // A string token is checked once here; a function's answer on every attempt.
  const fixedToken = typeof token === "function" ? undefined : checkToken(token);

  return async function send(url, method, headers, body, options = {}) {
    checkRetryOptions(options);
    const {
      signal,
      timeoutMs = defaults.timeoutMs ?? 30_000,
      maxRetries = defaults.maxRetries ?? 2,
      maxResponseBytes = defaults.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    } = options;
    // Looked up per call, not captured once, so that a test or polyfill installed later is used.
    const fetch = customFetch ?? globalThis.fetch;

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw signal.reason;
      const attemptController = new AbortController();
      const timer = setTimeout(() => attemptController.abort(), timeoutMs);
      const unwatch = signal && watch(signal, attemptController);
      let attemptToken = fixedToken;
      let response: Response | undefined;
      let text: string | null = null;
      let failure: unknown;
      try {
        attemptToken ??= await tokenFrom(token as () => string | Promise<string>, attemptController.signal);
        headers.authorization = `Bearer ${attemptToken}`;
        // As pairs: fetch reads an object through a record that drops a header named `__proto__`.
        response = await fetch(url, {
          method,
          headers: Object.entries(headers),
          body,
          signal: attemptController.signal,
        });
        // Read here, inside the timeout, so that a stalled or cut-off body is retried like any failure.
        text = await readText(response, maxResponseBytes, attemptController);
        if (text === null)
          throw new CallbellResponseTooLargeError(
            maxResponseBytes,
            response.status,
            redactHeaders(response.headers, redactor(attemptToken)),
            attempt,
          );
      } catch (error) {
        failure = error;
      } finally {
        clearTimeout(timer);
        unwatch?.();
      }
      if (signal?.aborted) throw signal.reason;
      // The token function's failure, its answer refused, or a body over the cap: trying again would not help.
      if (failure instanceof CallbellError) throw failure;
      const redact = redactor(attemptToken);

      let sent: Sent | undefined;
      if (text !== null) {
        sent = { response: response!, body: text, attempts: attempt, redact };
        if (attempt > maxRetries || !isRetryableStatus(response!.status)) return sent;
      } else if (attempt > maxRetries) {
        // Only the timer aborts this controller once the caller's signal is ruled out.
        throw attemptController.signal.aborted
          ? new CallbellTimeoutError(timeoutMs, attempt)
          : new CallbellConnectionError(redact(reasonOf(failure)), attempt, { cause: failure });
      }
      const waitMs = (sent && retryAfterMs(sent.response.headers)) ?? backoffMs(attempt);
      // Retrying sooner than the server asked would only fail again: see RETRY_AFTER_CAP_MS.
      if (sent && waitMs > RETRY_AFTER_CAP_MS) return sent;
      await sleep(waitMs, signal);
    }
  };
}

// One listener per caller's signal, however many calls share it: each attempt (or wait) adds its
// controller to the signal's set and takes it out when done; the listener goes with the last one.
// (A listener per call gives MaxListenersExceededWarning at 11 concurrent calls.)
interface Abortable {
  abort(reason: unknown): void;
}
const watched = new WeakMap<AbortSignal, Set<Abortable>>();

function watch(signal: AbortSignal, controller: Abortable): () => void {
  let controllers = watched.get(signal);
  if (!controllers) {
    watched.set(signal, (controllers = new Set()));
    signal.addEventListener("abort", abortAll);
  }
  controllers.add(controller);
  return () => {
    controllers.delete(controller);
    if (!controllers.size) {
      signal.removeEventListener("abort", abortAll);
      watched.delete(signal);
    }
  };
}

function abortAll(this: AbortSignal): void {
  for (const controller of watched.get(this) ?? []) controller.abort(this.reason);
}

/** The token function's answer, checked; it runs under the attempt's signal (its timeout and the caller's abort). */
function tokenFrom(token: () => string | Promise<string>, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason));
    Promise.resolve()
      .then(token)
      .then(checkToken, (cause: unknown) => {
        throw new CallbellInputError("token", "The token function failed (its `cause`).", { cause });
      })
      .then(resolve, reject);
  });
}

/** The body as text, read as a stream; `null` once it passes `maxBytes`, and the rest is not downloaded. */
async function readText(
  response: Response,
  maxBytes: number,
  controller: AbortController,
): Promise<string | null> {
  const { body } = response;
  // No body to read (204, 205, 304): fetch drops what a server sends anyway, and on a 205 undici
  // then keeps the socket open for good. The abort closes such a socket; on a finished one it does nothing.
  if (!body) return (controller.abort(), "");
  // Bytes as they arrive, decompressed: Content-Length counts compressed bytes, and may lie.
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let bytes = 0; ;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    if ((bytes += value.byteLength) > maxBytes) {
      reader.cancel().catch(() => {});
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** Waits, unless the caller aborts first: then it rejects with the abort's reason at once. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unwatch?.();
      resolve();
    }, ms);
    const unwatch =
      signal &&
      watch(signal, {
        abort(reason) {
          clearTimeout(timer);
          unwatch!();
          reject(reason);
        },
      });
  });
}

// undici wraps socket errors in a TypeError("fetch failed") whose cause says what happened.
function reasonOf(error: unknown): string {
  const failure = error as { cause?: { message?: string }; message?: string } | undefined;
  return String(failure?.cause?.message || failure?.message || error);
}

function checkToken(token: unknown): string {
  if (typeof token !== "string" || !BEARER_TOKEN.test(token))
    throw new CallbellInputError(
      "token",
      "No usable Callbell API token: pass `token` or set CALLBELL_API_TOKEN.",
    );
  return token;
}

function checkRetryOptions(options: RetryOptions): void {
  // Inside the function, not a module constant, so that mutation testing can change its texts (docs/mutation.md).
  const limits: [keyof RetryOptions, (value: number) => boolean, string][] = [
    // setTimeout fires at once for delays above 2^31 - 1 ms, which would turn a long timeout into none.
    ["timeoutMs", (ms) => ms > 0 && ms < 2 ** 31, "above 0, below 2^31"],
    ["maxRetries", (count) => Number.isInteger(count) && count >= 0, "an integer >= 0"],
    ["maxResponseBytes", (bytes) => Number.isSafeInteger(bytes) && bytes > 0, "an integer > 0"],
  ];
  for (const [name, fits, what] of limits) {
    const value = options[name];
    if (value !== undefined && !(typeof value === "number" && fits(value)))
      throw new CallbellInputError(name, `${name} must be ${what}.`);
  }
}
