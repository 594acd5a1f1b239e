// When a failed attempt is tried again, and how long to wait first. openai-node's policy
// (the Stainless SDKs'), except that a Retry-After above the cap fails fast instead of being
// replaced by a shorter wait of our own.

/**
 * The longest `Retry-After` the client waits for: 60 s, as openai-node. Callbell limits requests
 * per second, so a legitimate wait is about a second; a longer one is an outage or a quota,
 * and waiting it out inside one call would hold the caller far beyond its timeouts. Retrying
 * sooner than asked would only earn another 429, so beyond the cap the client does not retry:
 * the caller gets the RateLimitError (or InternalServerError) with the header, and decides.
 */
export const RETRY_AFTER_CAP_MS = 60_000;

/** Request timeouts, rate limits and server errors; never the other 4xx, which would fail again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The wait before retry number `retry` (1, 2, …) when the server did not say: 0.5 s doubling up
 * to 8 s, each shortened by up to a quarter at random so that clients that failed together do
 * not all come back in the same instant.
 */
export function backoffMs(retry: number): number {
  return Math.min(500 * 2 ** (retry - 1), 8_000) * (1 - Math.random() * 0.25);
}

const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * How long the server asked to wait, in ms, from a `Retry-After` of delta-seconds (`120`) or an
 * HTTP-date (measured against the local clock); `undefined` when there is none or it cannot be
 * read. Date.parse also reads some garbage ("-1") as a date in the past, which means no wait:
 * harmless, as the retries are counted anyway.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  const ms = DELTA_SECONDS.test(value) ? Number(value) * 1_000 : Date.parse(value) - now;
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}
