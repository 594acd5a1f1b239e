import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffMs, isRetryableStatus, RETRY_AFTER_CAP_MS, retryAfterMs } from "../../src/retry-policy.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("isRetryableStatus", () => {
  it.each([408, 429, 500, 501, 502, 503, 504, 599])("retries %i", (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });
  it.each([200, 201, 301, 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 428, 431])("does not retry %i", (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe("backoffMs", () => {
  it("doubles from 0.5 s and stops at 8 s, with no jitter when random() is 0", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMs)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });
  it("shortens each wait by up to a quarter", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999_999);
    for (const [retry, full] of [[1, 500], [2, 1_000], [5, 8_000]] as const) {
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
    ["a fraction (not RFC 9110, but unambiguous)", "1.5", 1_500],
    ["an IMF-fixdate, against the local clock", "Wed, 25 Nov 2026 19:08:20 GMT", 6_000],
    ["an RFC 850 date", "Wednesday, 25-Nov-26 19:08:20 GMT", 6_000],
    ["a date in the past", "Wed, 25 Nov 2026 19:00:00 GMT", 0],
  ])("reads %s", (_what, value, expected) => {
    expect(retryAfterMs(headers(value), NOW)).toBe(expected);
  });

  it.each(["", "soon", "1e3", "0x10", "Wed, 99 Foo 2026"])("gives undefined for %j", (value) => {
    expect(retryAfterMs(headers(value), NOW)).toBeUndefined();
  });

  it.each(["-1", "1.5.3"])("gives 0 for %j, which Date.parse reads as a date in the past", (value) => {
    expect(retryAfterMs(headers(value), NOW)).toBe(0);
  });

  it("gives undefined without the header", () => {
    expect(retryAfterMs(new Headers(), NOW)).toBeUndefined();
  });

  it("caps at 60 s, as openai-node", () => {
    expect(RETRY_AFTER_CAP_MS).toBe(60_000);
  });
});
