// How fast a batch may send: evenly spaced sends at a rate that backs off on 429s and creeps back up
// on successes (AIMD), never above the caller's rate. Why our own: docs/bulk-and-cli.md.

/** Sends due late (a busy event loop) may catch up by this much: a burst of at most 10 ms of sends. */
const CATCH_UP_MS = 10;
/** Callbell counts requests per second: for a second after a decrease, its window still holds requests sent faster. */
const WINDOW_MS = 1_000;
/** On a 429, the rate is multiplied by this. */
const DECREASE = 0.8;
/** Each success adds this share of the ceiling divided by the rate: +10 % of the ceiling per second at full pace. */
const INCREASE = 0.1;

export class AdaptiveRate {
  readonly ceiling: number;
  readonly floor: number;
  #rate: number;
  #nextAt = -Infinity;
  #pausedUntil = -Infinity;
  #lastDecreaseAt = -Infinity;

  constructor(ratePerSecond: number) {
    this.ceiling = ratePerSecond;
    // Above 0, so that a storm of 429s slows the batch down without ever stopping it.
    this.floor = Math.min(ratePerSecond, 1);
    this.#rate = ratePerSecond;
  }

  /** The current rate, in requests per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Milliseconds until the next send may go; 0 when it may go now. */
  delay(now: number): number {
    return Math.max(0, this.#nextAt - now, this.#pausedUntil - now);
  }

  /** Takes the slot of a send made now (after `delay(now)` reached 0). */
  book(now: number): void {
    this.#nextAt = Math.max(this.#nextAt, now - CATCH_UP_MS) + 1_000 / this.#rate;
  }

  recordSuccess(): void {
    this.#rate = Math.min(this.ceiling, this.#rate + (INCREASE * this.ceiling) / this.#rate);
  }

  /**
   * A request sent at `sentAt` got a 429. One decrease per window: a 429 for a request sent less
   * than a window after the last decrease still reflects the old rate, and counting it would
   * collapse the rate (every request is refused until the server's window has drained).
   */
  recordRateLimited(sentAt: number, now: number, retryAfterMs: number | undefined): void {
    if (retryAfterMs !== undefined) this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
    if (sentAt < this.#lastDecreaseAt + WINDOW_MS) return;
    this.#rate = Math.max(this.floor, this.#rate * DECREASE);
    this.#lastDecreaseAt = now;
  }
}
