// The batch's pacing, on a simulated clock: never more than the rate (plus 10 ms of catch-up)
// in any second, whatever the lag between wake-ups; one decrease per second of 429s; a
// Retry-After pauses every send; increases never pass the ceiling.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdaptiveRate } from "../../src/bulk/adaptive-rate.js";

const SEED = Number(process.env.FC_SEED ?? 20_261_125);

/** Sends as soon as allowed, waking up `lags[i]` ms late each time; returns the send times. */
function simulate(rate: AdaptiveRate, lags: number[], until: number): number[] {
  const sent: number[] = [];
  let now = 0;
  for (let i = 0; now < until; i++) {
    const delay = rate.delay(now);
    if (delay > 0) now += delay + (lags[i % lags.length] ?? 0);
    else {
      rate.book(now);
      sent.push(now);
    }
  }
  return sent;
}

function busiestSecond(times: number[]): number {
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 1_000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe("AdaptiveRate", () => {
  it("sends at most the rate, plus 10 ms of catch-up, in any second, and keeps pace when wake-ups are late", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 20 }),
        (perSecond, lags) => {
          const sent = simulate(new AdaptiveRate(perSecond), lags, 5_000);
          expect(busiestSecond(sent)).toBeLessThanOrEqual(Math.ceil(perSecond * 1.01) + 1);
          // Late wake-ups cost at most what the catch-up cannot recover.
          const worstLag = Math.max(...lags);
          const expected =
            (5_000 * perSecond) / 1_000 / Math.max(1, (worstLag - 10) / (1_000 / perSecond) + 1);
          expect(sent.length).toBeGreaterThanOrEqual(Math.floor(expected) - 1);
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });

  it("decreases once per second of 429s, pauses for a Retry-After, and climbs back no higher than the ceiling", () => {
    const rate = new AdaptiveRate(100);
    rate.recordRateLimited(0, 10, undefined);
    expect(rate.rate).toBeCloseTo(80);
    // Requests sent within a second of that decrease say nothing about the new rate.
    rate.recordRateLimited(500, 600, undefined);
    expect(rate.rate).toBeCloseTo(80);
    rate.recordRateLimited(1_020, 1_100, 2_000);
    expect(rate.rate).toBeCloseTo(64);
    expect(rate.delay(1_100)).toBeCloseTo(2_000);
    for (let i = 0; i < 10_000; i++) rate.recordSuccess();
    expect(rate.rate).toBe(100);
    const floor = new AdaptiveRate(5);
    for (let i = 0; i < 50; i++) floor.recordRateLimited(i * 2_000, i * 2_000, undefined);
    expect(floor.rate).toBe(1);
  });
});

describe("AdaptiveRate's window", () => {
  it("counts a 429 for a request sent exactly one window after the last decrease", () => {
    const rate = new AdaptiveRate(100);
    rate.recordRateLimited(0, 0, undefined);
    expect(rate.rate).toBe(80);
    rate.recordRateLimited(999, 999, undefined);
    expect(rate.rate).toBe(80);
    rate.recordRateLimited(1_000, 1_000, undefined);
    expect(rate.rate).toBe(64);
  });
});
