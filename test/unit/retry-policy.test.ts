import { afterEach, describe, expect, it, vi } from "vitest";
import {
  backoffMs,
  isRetryableStatus,
  RETRY_AFTER_CAP_MS,
  retryAfterMs,
} from "../../src/client/retry-policy.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("isRetryableStatus", () => {
  it.each([408, 429, 500, 501, 502, 503, 504, 599])("retries %i", (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });
  it.each([200, 201, 301, 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 428, 431])(
    "does not retry %i",
    (status) => {
      expect(isRetryableStatus(status)).toBe(false);
    },
  );
});

describe("backoffMs", () => {
  it("doubles from 0.5 s and stops at 8 s, with no jitter when random() is 0", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMs)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });
  it("shortens each wait by up to a quarter", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999_999);
    for (const [retry, full] of [
      [1, 500],
      [2, 1_000],
      [5, 8_000],
    ] as const) {
      expect(backoffMs(retry)).toBeGreaterThan(full * 0.75 - 0.01);
      expect(backoffMs(retry)).toBeLessThan(full * 0.75 + 0.01);
    }
  });
});

describe("retryAfterMs", () => {
  const NOW = Date.parse("2026-11-25T19:08:14Z");
  const headers = (retryAfter: string) => new Headers({ "Retry-After": retryAfter });

  it.each([
    ["delta-seconds", "120", 120_000],
    ["zero", "0", 0],
    ["spaces around", " 3 ", 3_000],
    ["an IMF-fixdate, against the local clock", "Wed, 25 Nov 2026 19:08:20 GMT", 6_000],
    ["an RFC 850 date", "Wednesday, 25-Nov-26 19:08:20 GMT", 6_000],
    ["an asctime date", "Wed Nov 25 19:08:20 2026", 6_000],
    ["an asctime date with a one-digit day", "Thu Dec  3 19:08:14 2026", 8 * 86_400_000],
    ["an RFC 850 year more than 50 years ahead, as the past century's", "Sunday, 06-Nov-94 08:49:37 GMT", 0],
    ["a date in the past", "Wed, 25 Nov 2026 19:00:00 GMT", 0],
  ])("reads %s", (_what, value, expected) => {
    expect(retryAfterMs(headers(value), NOW)).toBe(expected);
  });

  it.each([
    "",
    "soon",
    "1e3",
    "0x10",
    "Wed, 99 Foo 2026",
    "-1",
    "+1",
    "1.5",
    "1.5.3",
    "1,5",
    "1, 2",
    "2 Dec",
    "wed, 25 Nov 2026 19:08:20 GMT",
    "Wed, 25 Nov 2026 19:08:20 UTC",
    "Wed, 31 Feb 2026 19:08:20 GMT",
    "Wed, 25 Nov 2026 24:00:00 GMT",
    "Wed, 25 Nov 2026 19:60:00 GMT",
    "2026-11-25T19:08:20Z",
    "Wed, 25 Nov 2026",
  ])("gives undefined for %j, which is neither delta-seconds nor an HTTP-date", (value) => {
    expect(retryAfterMs(headers(value), NOW)).toBeUndefined();
  });

  it("gives undefined without the header", () => {
    expect(retryAfterMs(new Headers(), NOW)).toBeUndefined();
  });

  it("caps at 60 s, as openai-node", () => {
    expect(RETRY_AFTER_CAP_MS).toBe(60_000);
  });
});

describe("retryAfterMs, at the edges of each form", () => {
  const now = Date.parse("Wed, 25 Nov 2026 19:08:14 GMT");
  const read = (value: string) => retryAfterMs(new Headers({ "Retry-After": value }), now);

  it.each([
    "xSunday, 06-Nov-94 08:49:37 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMTx",
    "xSun Nov  6 08:49:37 1994",
    "Sun Nov  6 08:49:37 1994x",
  ])("refuses an obsolete date with anything before or after it: %j", (value) => {
    expect(read(value)).toBeUndefined();
  });

  it("reads an RFC 850 year exactly 50 years ahead as this century's", () => {
    expect(read("Friday, 06-Nov-76 00:00:00 GMT")).toBe(Date.parse("Fri, 06 Nov 2076 00:00:00 GMT") - now);
  });
});
