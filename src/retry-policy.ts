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

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = MONTHS.join("|");
const TIME = "(\\d\\d):(\\d\\d):(\\d\\d)";
// RFC 9110 §5.6.7's three forms, nothing else: IMF-fixdate, then the obsolete RFC 850 and asctime.
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d\\d) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\\d\\d)-(${MONTH})-(\\d\\d) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** An HTTP-date in ms since the epoch, or undefined when `value` is not one of the three forms. */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  let match: RegExpExecArray | null;
  let day, month, year, hours, minutes, seconds: string | undefined;
  if ((match = IMF_FIXDATE.exec(value))) [, day, month, year, hours, minutes, seconds] = match;
  else if ((match = ASCTIME_DATE.exec(value))) [, month, day, hours, minutes, seconds, year] = match;
  else if ((match = RFC850_DATE.exec(value))) {
    [, day, month, year, hours, minutes, seconds] = match;
    // A two-digit year more than 50 years ahead is the most recent past year with those digits.
    const thisYear = new Date(now).getUTCFullYear();
    const full = thisYear - (thisYear % 100) + Number(year);
    year = String(full > thisYear + 50 ? full - 100 : full);
  } else return undefined;
  const date = new Date(Date.UTC(2000, MONTHS.indexOf(month!), Number(day), Number(hours), Number(minutes), Number(seconds)));
  date.setUTCFullYear(Number(year)); // Date.UTC would read years 0-99 as 1900-1999
  // Refuse what Date would roll over: 31 Feb, 25:00, 12:60 (a leap second :60 is kept).
  return date.getUTCDate() === Number(day) && Number(hours) < 24 && Number(minutes) < 60 && Number(seconds) <= 60 ? date.getTime() : undefined;
}

/**
 * How long the server asked to wait, in ms, from a `Retry-After` of delta-seconds (`120`) or an
 * HTTP-date (measured against the local clock; a past date means no wait); `undefined` when there
 * is none or it is anything else (`-1`, `1.5`, `1, 2`, `2 Dec`), and the client then backs off.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  const date = parseHttpDate(value, now);
  return date === undefined ? undefined : Math.max(0, date - now);
}
