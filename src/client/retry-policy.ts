// When a failed attempt is tried again, and how long to wait first; the policy and why are in
// docs/client.md.

/** The longest `Retry-After` the client waits for; beyond it the caller gets the error at once. */
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

/**
 * How long the server asked to wait, in ms, from a `Retry-After` of delta-seconds (`120`) or an
 * HTTP-date (measured against the local clock; a past date means no wait); `undefined` when there
 * is none or it is anything else (`-1`, `1.5`, `1, 2`, `2 Dec`), and the client then backs off.
 *
 * An HTTP-date is one of RFC 9110 §5.6.7's three forms: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37
 * GMT`), or the obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6
 * 08:49:37 1994`) forms. The two obsolete ones are rewritten as IMF-fixdate, and a date counts only
 * if Date prints it back exactly: that refuses every other shape, and a day, time or weekday that
 * does not exist.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  let value = headers.get("retry-after");
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  let match = /^(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d\d)-(\w{3})-(\d\d) (\S{8}) GMT$/.exec(value);
  if (match) {
    // A two-digit year more than 50 years ahead is the most recent past year with those digits (until 2050).
    let year = 2000 + Number(match[4]);
    if (year > new Date(now).getUTCFullYear() + 50) year -= 100;
    value = `${match[1]!.slice(0, 3)}, ${match[2]} ${match[3]} ${year} ${match[5]} GMT`;
  } else if ((match = /^(\w{3}) (\w{3}) ([ \d]\d) (\S{8}) (\d{4})$/.exec(value)))
    value = `${match[1]}, ${match[3]!.replace(" ", "0")} ${match[2]} ${match[5]} ${match[4]} GMT`;
  const date = Date.parse(value);
  return new Date(date).toUTCString() === value ? Math.max(0, date - now) : undefined;
}
