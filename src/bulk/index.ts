// Many updates at Callbell's rate limit (`callbell-openapi/bulk`): every item checked before it is
// sent, sends paced and retried by the batch so that retries count against its rate, one result per item.
import { validateContactUpdate, validateContactUuid, type SchemaProblem } from "../../generated/contact-validators.js";
import { AdaptiveRate } from "./adaptive-rate.js";
import type { CallbellClient, Contact, ContactUpdate } from "../client/client.js";
import { CallbellAPIError, CallbellConnectionError, CallbellError, CallbellInputError } from "../client/errors.js";
import { backoffMs, isRetryableStatus, RETRY_AFTER_CAP_MS, retryAfterMs } from "../client/retry-policy.js";

export interface BulkItem {
  uuid: string;
  update: ContactUpdate;
}

/**
 * One item's outcome. `index` is the item's position in the input, from 0; `attempts` counts the
 * requests sent for it.
 */
export type BulkResult =
  | { index: number; uuid: string; ok: true; contact: Contact; attempts: number }
  | { index: number; uuid: string; ok: false; error: Error; attempts: number };

export interface BulkProgress {
  /** Items with a result. */
  done: number;
  updated: number;
  /** Items that failed, not sent ones included. */
  failed: number;
  /** Items never sent: refused by the schema, or left when the batch was aborted. */
  notSent: number;
  /** Requests sent so far, retries included. */
  requests: number;
  /** Of those, how many got a 429. */
  rateLimited: number;
  /** The batch's current rate, in requests per second (lower than asked after 429s). */
  ratePerSecond: number;
}

export interface UpdateContactsOptions {
  /** The most requests per second, retries included. Default 280: see DEFAULT_RATE_PER_SECOND. */
  ratePerSecond?: number | undefined;
  /** The most items in flight (sent, or waiting for a retry). Default: half the rate, at least 10. */
  concurrency?: number | undefined;
  /** Stops sending: what is in flight settles, the rest of the items are reported as not sent. */
  signal?: AbortSignal | undefined;
  /** Called after every result. */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  /** Retries per item after its first request. Default 2, as the client's. */
  maxRetries?: number | undefined;
  /** Each request's time limit; default the client's (30 000 ms). */
  timeoutMs?: number | undefined;
  /**
   * The wait before an item's retry when the server gave no Retry-After. Default the client's: 0.5 s
   * doubling to 8 s, jittered.
   */
  retryDelayMs?: ((retry: number) => number) | undefined;
}

/**
 * Callbell allows 300 requests per second per account. The default leaves 20 of them: for
 * anything else using the same account, and because requests paced evenly here do not arrive
 * evenly there (network jitter bunches them in Callbell's window).
 */
export const DEFAULT_RATE_PER_SECOND = 280;

/** The result of an item that was never sent, because the batch was aborted first; `cause` is the signal's reason. */
export class NotSentError extends CallbellError {
  override name = "NotSentError";
  constructor(cause: unknown) {
    super("Not sent: the batch was aborted before this item's request.", { cause });
  }
}

interface Job {
  index: number;
  uuid: string;
  update: ContactUpdate;
  attempts: number;
  readyAt: number;
  lastError?: Error;
}

/**
 * Updates contacts from any iterable or async iterable of `{ uuid, update }`, read lazily (only
 * what is in flight is held), and yields one result per item in completion order.
 * Options are checked at once (a CallbellInputError); the batch starts on the first read.
 */
export function updateContacts(
  callbell: CallbellClient,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  options: UpdateContactsOptions = {},
): AsyncGenerator<BulkResult, void, undefined> {
  const {
    ratePerSecond = DEFAULT_RATE_PER_SECOND,
    signal,
    onProgress,
    maxRetries = 2,
    timeoutMs,
    retryDelayMs = backoffMs,
  } = options;
  if (!(typeof ratePerSecond === "number" && ratePerSecond > 0 && Number.isFinite(ratePerSecond)))
    throw new CallbellInputError("ratePerSecond", "ratePerSecond must be a number above 0.");
  const { concurrency = Math.max(10, Math.ceil(ratePerSecond / 2)) } = options;
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw new CallbellInputError("concurrency", "concurrency must be a whole number, 1 or more.");
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0))
    throw new CallbellInputError("maxRetries", "maxRetries must be a whole number, 0 or more.");
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs < 2 ** 31))
    throw new CallbellInputError("timeoutMs", "timeoutMs must be a number of ms above 0, below 2^31.");
  if (typeof retryDelayMs !== "function") throw new CallbellInputError("retryDelayMs", "retryDelayMs must be a function.");
  if (items == null || !(Symbol.asyncIterator in Object(items) || Symbol.iterator in Object(items)))
    throw new CallbellInputError("items", "items must be an iterable or async iterable of { uuid, update }.");
  return run(callbell, items, { ratePerSecond, concurrency, signal, onProgress, maxRetries, timeoutMs, retryDelayMs });
}

type RunOptions = Required<Pick<UpdateContactsOptions, "ratePerSecond" | "concurrency" | "maxRetries" | "retryDelayMs">> &
  Pick<UpdateContactsOptions, "signal" | "onProgress" | "timeoutMs">;

async function* run(
  callbell: CallbellClient,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  { ratePerSecond, concurrency, signal, onProgress, maxRetries, timeoutMs, retryDelayMs }: RunOptions,
): AsyncGenerator<BulkResult, void, undefined> {
  const iterator: AsyncIterator<BulkItem> | Iterator<BulkItem> =
    Symbol.asyncIterator in Object(items) ? (items as AsyncIterable<BulkItem>)[Symbol.asyncIterator]() : (items as Iterable<BulkItem>)[Symbol.iterator]();
  const rate = new AdaptiveRate(ratePerSecond);
  // Each request's own controller, aborted only when the caller stops reading results (breaks out
  // of the loop); one per request, since a shared signal would collect a listener per request.
  const inFlightControllers = new Set<AbortController>();
  const pumpWake = new Wakeup();
  const readerWake = new Wakeup();
  const ready: BulkResult[] = [];
  const retries: Job[] = [];
  const progress: BulkProgress = { done: 0, updated: 0, failed: 0, notSent: 0, requests: 0, rateLimited: 0, ratePerSecond };
  let holding = 0; // items read and not yet settled: in flight or waiting for a retry
  let inFlight = 0;
  let nextIndex = 0;
  let stopped = false;
  let pumpDone = false;
  let pumpFailure: { error: unknown } | undefined;

  const emit = (result: BulkResult) => {
    if (stopped) return; // nobody reads results any more
    ready.push(result);
    progress.done++;
    if (result.ok) progress.updated++;
    else {
      progress.failed++;
      if (result.attempts === 0) progress.notSent++;
    }
    progress.ratePerSecond = rate.rate;
    onProgress?.({ ...progress });
    readerWake.notify();
  };
  const settle = (job: Job, result: BulkResult) => {
    holding--;
    emit(result);
  };
  const fail = (job: Job, error: Error) => settle(job, { index: job.index, uuid: job.uuid, ok: false, error, attempts: job.attempts });

  function send(job: Job) {
    job.attempts++;
    progress.requests++;
    inFlight++;
    const sentAt = performance.now();
    const controller = new AbortController();
    inFlightControllers.add(controller);
    callbell
      .updateContact(job.uuid, job.update, { maxRetries: 0, timeoutMs, signal: controller.signal })
      .then(
        (contact) => {
          rate.recordSuccess();
          settle(job, { index: job.index, uuid: job.uuid, ok: true, contact, attempts: job.attempts });
        },
        (error: unknown) => onFailure(job, error, sentAt),
      )
      // An onProgress or retryDelayMs that throws ends the batch with its error, as an input that throws does.
      .catch(crash)
      .finally(() => {
        inFlightControllers.delete(controller);
        inFlight--;
        pumpWake.notify();
      });
  }

  function crash(error: unknown) {
    pumpFailure ??= { error };
    readerWake.notify();
    pumpWake.notify();
  }

  function onFailure(job: Job, error: unknown, sentAt: number) {
    const failure = error instanceof Error ? error : new Error(String(error));
    // Refused by the client before sending (a `.` uuid, a lone surrogate): no request was made.
    if (error instanceof CallbellInputError) {
      job.attempts--;
      progress.requests--;
      return fail(job, failure);
    }
    const status = error instanceof CallbellAPIError ? error.status : undefined;
    const retryable = status !== undefined ? isRetryableStatus(status) : error instanceof CallbellConnectionError;
    const now = performance.now();
    const waitMs = error instanceof CallbellAPIError ? retryAfterMs(error.headers) : undefined;
    if (status === 429) {
      progress.rateLimited++;
      rate.recordRateLimited(sentAt, now, waitMs === undefined ? undefined : Math.min(waitMs, RETRY_AFTER_CAP_MS));
    }
    // As the client: beyond the cap, retrying sooner than asked would only fail again.
    if (!retryable || job.attempts > maxRetries || signal?.aborted || stopped || (waitMs ?? 0) > RETRY_AFTER_CAP_MS)
      return fail(job, failure);
    job.lastError = failure;
    job.readyAt = now + (waitMs ?? retryDelayMs(job.attempts));
    retries.push(job);
  }

  function takeReadyRetry(now: number): Job | undefined {
    let best = -1;
    for (let i = 0; i < retries.length; i++)
      if (retries[i]!.readyAt <= now && (best < 0 || retries[i]!.readyAt < retries[best]!.readyAt)) best = i;
    return best < 0 ? undefined : retries.splice(best, 1)[0];
  }

  const nextRetryIn = (now: number) =>
    retries.length ? Math.max(0, Math.min(...retries.map((job) => job.readyAt)) - now) : undefined;

  function check(item: unknown, index: number): Job | BulkResult {
    const { uuid, update } = (item ?? {}) as Partial<BulkItem>;
    const id = typeof uuid === "string" ? uuid : "";
    const refuse = (field: string, message: string): BulkResult => ({
      index,
      uuid: id,
      ok: false,
      error: new CallbellInputError(field, message),
      attempts: 0,
    });
    if (item === null || typeof item !== "object") return refuse("item", "An item must be an object { uuid, update }.");
    if (!validateContactUuid(uuid)) {
      const shown = JSON.stringify(uuid) ?? "undefined";
      const problems = describeProblems(validateContactUuid.errors);
      return refuse("uuid", `uuid ${shown} does not match the ContactUuid parameter: ${problems}.`);
    }
    if (!validateContactUpdate(update))
      return refuse("update", `The update does not match ContactUpdate: ${describeProblems(validateContactUpdate.errors)}.`);
    return { index, uuid: id, update: update as ContactUpdate, attempts: 0, readyAt: 0 };
  }

  const onAbort = () => pumpWake.notify();
  signal?.addEventListener("abort", onAbort);

  async function pump(): Promise<void> {
    let inputDone = false;
    let job: Job | undefined;
    for (;;) {
      if (pumpFailure) return;
      if (stopped || signal?.aborted) break;
      // The reader is behind: start nothing new until it catches up, so memory stays flat.
      if (ready.length >= concurrency) {
        await pumpWake.wait();
        continue;
      }
      const now = performance.now();
      job = takeReadyRetry(now);
      if (!job && !inputDone && holding < concurrency) {
        const next = await iterator.next();
        if (next.done) {
          inputDone = true;
          continue;
        }
        const checked = check(next.value, nextIndex++);
        if (!("readyAt" in checked)) {
          emit(checked);
          continue;
        }
        job = checked;
        holding++;
      }
      if (!job) {
        if (inputDone && holding === 0) break;
        await pumpWake.wait(nextRetryIn(now));
        continue;
      }
      for (let delay = rate.delay(performance.now()); delay > 0 && !stopped && !signal?.aborted; delay = rate.delay(performance.now()))
        await pumpWake.wait(delay);
      // Checked right before sending, with nothing awaited in between: nothing goes out after an abort.
      if (stopped || signal?.aborted) break;
      rate.book(performance.now());
      send(job);
      job = undefined;
    }
    if (stopped || pumpFailure) return;
    // Aborted (or done): let what is in flight settle; retries not yet sent end with their last error.
    while (inFlight > 0 && !pumpFailure) await pumpWake.wait();
    for (const waiting of [job, ...retries.splice(0)]) {
      if (!waiting) continue;
      if (waiting.lastError) fail(waiting, waiting.lastError);
      else fail(waiting, new NotSentError(signal?.reason));
    }
    if (inputDone) return;
    for (;;) {
      if (stopped || pumpFailure) return;
      if (ready.length >= concurrency) {
        await pumpWake.wait();
        continue;
      }
      const next = await iterator.next();
      if (next.done) return;
      // Still checked: a bad item says what is wrong with it, whether or not the batch ran.
      const checked = check(next.value, nextIndex++);
      emit("readyAt" in checked ? { index: checked.index, uuid: checked.uuid, ok: false, error: new NotSentError(signal?.reason), attempts: 0 } : checked);
    }
  }

  let pumping: Promise<void> | undefined;
  try {
    pumping = pump().then(
      () => {
        pumpDone = true;
        readerWake.notify();
      },
      (error: unknown) => {
        pumpFailure ??= { error };
        pumpDone = true;
        readerWake.notify();
      },
    );
    for (;;) {
      if (pumpFailure) throw pumpFailure.error;
      const result = ready.shift();
      if (result) {
        pumpWake.notify();
        yield result;
      } else if (pumpDone) return;
      else await readerWake.wait();
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // The caller stopped reading, or the batch failed: stop sending, abandon what is in flight,
    // close the input if it was left half read (one that threw is closed already).
    const unfinished = !pumpDone || pumpFailure !== undefined;
    stopped = true;
    for (const controller of inFlightControllers) controller.abort();
    if (!pumpDone) {
      pumpWake.notify();
      await pumping;
    }
    if (unfinished) await Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

function describeProblems(problems: SchemaProblem[] | null | undefined): string {
  return (problems ?? []).map((problem) => `${problem.instancePath || "(the value)"} ${problem.message ?? problem.keyword}`).join("; ");
}

/** A one-shot wake-up for one waiter: a notify before the wait is not lost. */
class Wakeup {
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
