// Many updates at Callbell's rate limit (`callbell-openapi/bulk`): every item checked before it is
// sent, sends paced and retried by the batch so that retries count against its rate, one request at a
// time per contact in input order, a stop at the first refused token, one result per item.
import { updateProblems, uuidProblems } from "./contact-problems.js";
import { AdaptiveRate } from "./adaptive-rate.js";
import { Wakeup } from "./wakeup.js";
import type { CallbellClient, Contact, ContactUpdate } from "../client/client.js";
import {
  AuthenticationError,
  CallbellAPIError,
  CallbellConnectionError,
  CallbellInputError,
  NotSentError,
  PermissionDeniedError,
} from "../client/errors.js";
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
  /** Items never sent: refused by the schema, or left when the batch stopped (aborted, token refused, input failed). */
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
  /**
   * The most items held at once: in flight, waiting for a retry, or waiting behind an earlier
   * update of the same contact (reading pauses at this many). Default: half the rate, at least 10.
   */
  concurrency?: number | undefined;
  /** Stops sending: what is in flight settles, the rest of the items are reported as not sent (NotSentError). */
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

export { NotSentError };

interface Job {
  index: number;
  uuid: string;
  update: ContactUpdate;
  attempts: number;
  readyAt: number;
  lastError?: Error;
}

/**
 * Updates contacts from any iterable or async iterable of `{ uuid, update }`, read lazily (at most
 * `concurrency` items held), and yields one result per item in completion order.
 *
 * - One contact, one request at a time, in input order: an item whose uuid has an earlier item
 *   still held waits until that one's result has been handed to the loop (and the loop asked for
 *   the next), then is sent, even if the earlier one failed. Other contacts are not held back.
 * - A 401 or 403 (the token refused) stops the batch: nothing more is sent, what is in flight
 *   reports its real outcome, every item not sent gets a NotSentError whose `cause` is that error.
 * - An input that throws stops the batch the same way (its NotSentError's `cause` is the input's
 *   error); once every item read has its result, the loop throws the input's error.
 *
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
  // Number.isFinite is false for anything that is not a number (a string "5" included).
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0))
    throw new CallbellInputError("ratePerSecond", "ratePerSecond must be a number above 0.");
  const { concurrency = Math.max(10, Math.ceil(ratePerSecond / 2)) } = options;
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw new CallbellInputError("concurrency", "concurrency must be a whole number, 1 or more.");
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0))
    throw new CallbellInputError("maxRetries", "maxRetries must be a whole number, 0 or more.");
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs < 2 ** 31))
    throw new CallbellInputError("timeoutMs", "timeoutMs must be a number of ms above 0, below 2^31.");
  if (typeof retryDelayMs !== "function")
    throw new CallbellInputError("retryDelayMs", "retryDelayMs must be a function.");
  // Object(null) and Object(undefined) are {}: refused with the rest.
  if (!(Symbol.asyncIterator in Object(items) || Symbol.iterator in Object(items)))
    throw new CallbellInputError("items", "items must be an iterable or async iterable of { uuid, update }.");
  return run(callbell, items, {
    ratePerSecond,
    concurrency,
    signal,
    onProgress,
    maxRetries,
    timeoutMs,
    retryDelayMs,
  });
}

type RunOptions = Required<
  Pick<UpdateContactsOptions, "ratePerSecond" | "concurrency" | "maxRetries" | "retryDelayMs">
> &
  Pick<UpdateContactsOptions, "signal" | "onProgress" | "timeoutMs">;

async function* run(
  callbell: CallbellClient,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  { ratePerSecond, concurrency, signal, onProgress, maxRetries, timeoutMs, retryDelayMs }: RunOptions,
): AsyncGenerator<BulkResult, void, undefined> {
  const iterator: AsyncIterator<BulkItem> | Iterator<BulkItem> =
    Symbol.asyncIterator in Object(items)
      ? (items as AsyncIterable<BulkItem>)[Symbol.asyncIterator]()
      : (items as Iterable<BulkItem>)[Symbol.iterator]();
  const rate = new AdaptiveRate(ratePerSecond);
  // Each request's own controller, aborted only when the caller stops reading results (breaks out
  // of the loop); one per request, since a shared signal would collect a listener per request.
  const inFlightControllers = new Set<AbortController>();
  const pumpWake = new Wakeup();
  const readerWake = new Wakeup();
  // Results not yet handed to the reader; `release`: the item's contact may send its next update once it is.
  const ready: { result: BulkResult; release: boolean }[] = [];
  const retries: Job[] = [];
  // One contact, one request at a time, in input order. A contact is busy from the moment one of
  // its items is taken until that item's result has been handed to the reader; `busy` maps it to
  // the items read meanwhile, in input order. When the result is handed over, the next of them
  // moves to `unblocked`, which is sent before anything new is read.
  const busy = new Map<string, Job[]>();
  const unblocked: Job[] = [];
  const progress: BulkProgress = {
    done: 0,
    updated: 0,
    failed: 0,
    notSent: 0,
    requests: 0,
    rateLimited: 0,
    ratePerSecond,
  };
  let holding = 0; // items read and not yet settled: in flight, waiting for a retry, or waiting behind their contact
  let inFlight = 0;
  let nextIndex = 0;
  let stopped = false;
  let pumpDone = false;
  let pumpFailure: { error: unknown } | undefined;
  let inputFailure: { error: unknown } | undefined;
  // Why the batch stopped sending, first come: an abort, a refused token or an input that threw. It
  // makes the NotSentError of each item left.
  let halt: (() => NotSentError) | undefined;

  const emit = (result: BulkResult, release = false) => {
    if (stopped) return; // nobody reads results any more
    ready.push({ result, release });
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
  const settle = (result: BulkResult) => {
    holding--;
    emit(result, true);
  };
  const fail = (job: Job, error: Error) =>
    settle({ index: job.index, uuid: job.uuid, ok: false, error, attempts: job.attempts });

  /** The item's result was handed to the reader: its contact's next item, if one was read, may go. */
  function release(uuid: string) {
    const waiting = busy.get(uuid);
    if (!waiting) return;
    const next = waiting.shift();
    if (next) unblocked.push(next);
    else busy.delete(uuid);
    pumpWake.notify();
  }

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
          settle({ index: job.index, uuid: job.uuid, ok: true, contact, attempts: job.attempts });
        },
        (error: unknown) => onFailure(job, error, sentAt),
      )
      // An onProgress or retryDelayMs that throws ends the batch with its error at once.
      .catch(crash)
      .finally(() => {
        // Stryker disable next-line CallExpression: a settled call no longer listens to its signal, so aborting its controller at the end reaches nothing; the delete only frees memory.
        inFlightControllers.delete(controller);
        inFlight--;
        pumpWake.notify();
      });
  }

  function crash(error: unknown) {
    pumpFailure ??= { error };
    readerWake.notify();
    // Stryker disable next-line CallExpression: the send's .finally, chained right after this .catch, notifies the pump in the same microtask run (no timer can fire between).
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
    // A token Callbell refuses (401), or that may not update contacts (403, the contract's only
    // meaning of it), fails every request alike: nothing more is sent.
    if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
      halt ??= () =>
        new NotSentError(
          "Not sent: the batch stopped because Callbell refused the API token on an earlier item (the cause); " +
            "check the token, then send this item again.",
          { cause: failure },
        );
      // Stryker disable next-line CallExpression: the send's .finally notifies the pump in the same microtask run, and the pump checks `halt` before every send.
      pumpWake.notify();
      return fail(job, failure);
    }
    const status = error instanceof CallbellAPIError ? error.status : undefined;
    const retryable =
      status !== undefined ? isRetryableStatus(status) : error instanceof CallbellConnectionError;
    const now = performance.now();
    const waitMs = error instanceof CallbellAPIError ? retryAfterMs(error.headers) : undefined;
    if (status === 429) {
      progress.rateLimited++;
      rate.recordRateLimited(
        sentAt,
        now,
        waitMs === undefined ? undefined : Math.min(waitMs, RETRY_AFTER_CAP_MS),
      );
    }
    // As the client: beyond the cap, retrying sooner than asked would only fail again.
    if (!retryable || job.attempts > maxRetries || halt || stopped || (waitMs ?? 0) > RETRY_AFTER_CAP_MS)
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
    if (item === null || typeof item !== "object")
      return refuse("item", "An item must be an object { uuid, update }.");
    const badUuid = uuidProblems(uuid);
    if (badUuid.length) return refuse("uuid", `${badUuid.join("; ")}.`);
    const badUpdate = updateProblems(update);
    if (badUpdate.length) return refuse("update", `${badUpdate.join("; ")}.`);
    return { index, uuid: id, update: update as ContactUpdate, attempts: 0, readyAt: 0 };
  }

  /**
   * The input's next item; a throw stops the batch as an abort does, and the loop ends with that error
   * once every item read has its result.
   */
  async function read(): Promise<IteratorResult<BulkItem> | undefined> {
    try {
      return await iterator.next();
    } catch (error) {
      inputFailure = { error };
      halt ??= () =>
        new NotSentError("Not sent: the batch stopped because reading its input failed (the cause).", {
          cause: error,
        });
      return undefined;
    }
  }

  const onAbort = () => {
    halt ??= () =>
      new NotSentError("Not sent: the batch was aborted before this item's request.", {
        cause: signal?.reason,
      });
    pumpWake.notify();
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort);

  async function pump(): Promise<void> {
    let inputDone = false;
    let job: Job | undefined;
    for (;;) {
      if (pumpFailure) return;
      if (stopped || halt) break;
      // The reader is behind: start nothing new until it catches up, so memory stays flat.
      if (ready.length >= concurrency) {
        await pumpWake.wait();
        continue;
      }
      const now = performance.now();
      job = takeReadyRetry(now) ?? unblocked.shift();
      if (!job && !inputDone && holding < concurrency) {
        const next = await read();
        if (!next || next.done) {
          inputDone = true;
          continue;
        }
        const checked = check(next.value, nextIndex++);
        if (!("readyAt" in checked)) {
          emit(checked);
          continue;
        }
        holding++;
        // Its contact is busy: it waits behind the earlier items, and counts toward the read-ahead.
        const waiting = busy.get(checked.uuid);
        if (waiting) {
          waiting.push(checked);
          continue;
        }
        busy.set(checked.uuid, []);
        job = checked;
      }
      if (!job) {
        if (inputDone && holding === 0) break;
        await pumpWake.wait(nextRetryIn(now));
        continue;
      }
      for (
        let delay = rate.delay(performance.now());
        delay > 0 && !stopped && !halt;
        delay = rate.delay(performance.now())
      )
        await pumpWake.wait(delay);
      // Checked right before sending, with nothing awaited in between: nothing goes out after an abort or a refusal.
      if (stopped || halt) break;
      rate.book(performance.now());
      send(job);
      job = undefined;
    }
    // Stopped (or done): let what is in flight settle; retries not yet sent end with their last
    // error, every other item read with a NotSentError.
    while (inFlight > 0 && !pumpFailure && !stopped) await pumpWake.wait();
    if (stopped || pumpFailure) return;
    const left = [
      ...(job ? [job] : []),
      ...retries.splice(0),
      ...unblocked.splice(0),
      ...[...busy.values()].flat(),
    ];
    // Stryker disable next-line CallExpression: equivalent: nothing is sent from busy (nor from unblocked, which release feeds) after the main loop; clearing only lets the items go.
    busy.clear();
    for (const waiting of left.sort((a, b) => a.index - b.index)) {
      if (waiting.lastError) fail(waiting, waiting.lastError);
      else fail(waiting, halt!());
    }
    if (inputDone) return;
    for (;;) {
      if (stopped || pumpFailure) return;
      if (ready.length >= concurrency) {
        await pumpWake.wait();
        continue;
      }
      const next = await read();
      if (!next || next.done) return;
      // Still checked: a bad item says what is wrong with it, whether or not the batch ran.
      const checked = check(next.value, nextIndex++);
      emit(
        "readyAt" in checked
          ? { index: checked.index, uuid: checked.uuid, ok: false, error: halt!(), attempts: 0 }
          : checked,
      );
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
        // Stryker disable next-line BooleanLiteral: equivalent: pumpFailure is set above, and every read of pumpDone follows a check of pumpFailure or only awaits this settled pump.
        pumpDone = true;
        readerWake.notify();
      },
    );
    for (;;) {
      if (pumpFailure) throw pumpFailure.error;
      const next = ready.shift();
      if (next) {
        pumpWake.notify();
        yield next.result;
        // The reader asked for the next result: it has this one.
        if (next.release) release(next.result.uuid);
      } else if (pumpDone) {
        if (inputFailure) throw inputFailure.error;
        return;
      } else await readerWake.wait();
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
    if (unfinished && !inputFailure) await Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
