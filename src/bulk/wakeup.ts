// How the batch's two loops (the pump that sends, the reader that hands results out) wait for each
// other without polling: each sleeps on its own Wakeup, and every change the other may be waiting
// for notifies it.

/** A one-shot wake-up for one waiter: a notify before the wait is not lost. */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;

  notify(): void {
    if (this.#resolve) {
      const resolve = this.#resolve;
      this.#resolve = undefined;
      resolve();
    } else this.#pending = true;
  }

  /** Resolves on the next notify, or after `timeoutMs` when given. */
  wait(timeoutMs?: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.notify(), timeoutMs);
      this.#resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
