// The batch's wake-up (src/bulk/wakeup.ts): a notify is never lost, a wait never ends without a
// notify or its own timeout, and a timeout that was beaten by a notify leaves nothing behind. A lost
// notify stalls a batch until something else happens; a spurious one makes it spin.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Wakeup } from "../../src/bulk/wakeup.js";

/** Whether `promise` has settled after the microtasks queued so far (and `ms` of fake time). */
async function settledAfter(promise: Promise<unknown>, ms = 0): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

describe("Wakeup", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a wait with no notify and no timeout does not end", async () => {
    vi.useFakeTimers();
    expect(await settledAfter(new Wakeup().wait(), 60_000)).toBe(false);
  });

  it("a wait ends on the next notify, and only one wait per notify", async () => {
    vi.useFakeTimers();
    const wake = new Wakeup();
    const first = wake.wait();
    expect(await settledAfter(first)).toBe(false);
    wake.notify();
    expect(await settledAfter(first)).toBe(true);
    expect(await settledAfter(wake.wait(), 60_000)).toBe(false);
  });

  it("a notify before the wait is kept for it, once", async () => {
    vi.useFakeTimers();
    const wake = new Wakeup();
    wake.notify();
    wake.notify();
    expect(await settledAfter(wake.wait())).toBe(true);
    expect(await settledAfter(wake.wait(), 60_000)).toBe(false);
  });

  it("a wait with a timeout ends at the timeout, not before", async () => {
    vi.useFakeTimers();
    const wait = new Wakeup().wait(500);
    expect(await settledAfter(wait, 499)).toBe(false);
    expect(await settledAfter(wait, 1)).toBe(true);
  });

  it("a timeout beaten by a notify is cleared: it does not end a later wait", async () => {
    vi.useFakeTimers();
    const wake = new Wakeup();
    const first = wake.wait(500);
    wake.notify();
    expect(await settledAfter(first)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(await settledAfter(wake.wait(), 10_000)).toBe(false);
  });
});
