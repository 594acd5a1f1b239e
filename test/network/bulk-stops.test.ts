// updateContacts' stops and hand-overs, against a fetch that holds each request until the test
// answers it (no socket: these are questions of "what happens next", which a held fetch makes
// exact) and inputs that count what they were asked (next() after done, return(), reads while the
// loop pauses): what is sent and read when the loop pauses, breaks, or an onProgress throws; an
// abort during a long retry wait; the items left reported in input order; an invalid item that
// must not free its contact early; an item that throws when read; no listener left on the signal.
// "Nothing more happens" is checked after a pause (100 ms): on a loaded machine a wrong batch may
// take longer to show itself, but the right one can never fail it.
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import {
  NotSentError,
  updateContacts,
  type BulkItem,
  type BulkResult,
  type UpdateContactsOptions,
} from "../../src/bulk/index.js";
import {
  CallbellAPIError,
  CallbellInputError,
  createCallbellClient,
  type CallbellClient,
} from "../../src/client/index.js";
import { json } from "../support/stub-fetch.js";

const TOKEN = "stops_SECRET_0123456789abcdef";
const FAST = { ratePerSecond: 10_000 } satisfies UpdateContactsOptions;

const uuidOf = (contact: number) => `d${contact.toString(16).padStart(31, "0")}`;
/** Item `index` of a batch, for contact `contact` (its own by default); its update's name is `i<index>`. */
const itemOf = (index: number, contact = index): BulkItem => ({
  uuid: uuidOf(contact),
  update: { name: `i${index}` },
});
const itemsOf = (count: number) => Array.from({ length: count }, (_, index) => itemOf(index));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Waits until `condition` holds (polling), failing after `ms`. */
async function until(condition: () => boolean, what: string, ms = 10_000) {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}
/** The promise's outcome, or "hung" when it has not settled within `ms`: for what must end, not hang. */
function within<T>(promise: Promise<T>, ms = 5_000): Promise<T | "hung"> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), ms))),
  ]).finally(() => clearTimeout(timer));
}
/** A promise the test opens: where the loop pauses (a slow loop body, a slow input). */
function gate() {
  let open!: () => void;
  const closed = new Promise<void>((resolve) => (open = resolve));
  return { closed, open };
}

interface HeldRequest {
  /** The item's index, read from its update's name. */
  index: number;
  uuid: string;
  /** The signal fetch was given: aborted when the batch abandons the request. */
  signal: AbortSignal;
  answered: boolean;
  answer(status?: number, headers?: Record<string, string>): void;
}

/**
 * A client whose fetch holds each request until the test (or `auto`, given the request, returning a
 * status, or a status and headers) answers it; 200 answers with the contact. Counts a request that arrived while another for
 * its contact was unanswered (`overlaps`). An aborted request rejects with its signal's reason.
 */
type Answer = number | { status: number; headers: Record<string, string> } | undefined;

function heldClient(auto: (request: HeldRequest) => Answer = () => undefined) {
  const requests: HeldRequest[] = [];
  const open = new Map<string, number>();
  let overlaps = 0;
  const fetch: typeof globalThis.fetch = (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = String(input instanceof Request ? input.url : input);
      const uuid = url.slice(url.lastIndexOf("/") + 1);
      const name = (JSON.parse(String(init?.body)) as { name: string }).name;
      const signal = init!.signal!;
      if ((open.get(uuid) ?? 0) > 0) overlaps++;
      open.set(uuid, (open.get(uuid) ?? 0) + 1);
      const close = () => {
        request.answered = true;
        open.set(uuid, open.get(uuid)! - 1);
      };
      const request: HeldRequest = {
        index: Number(name.slice(1)),
        uuid,
        signal,
        answered: false,
        answer(status = 200, headers = {}) {
          if (request.answered) return;
          close();
          resolve(
            status === 200
              ? json(200, { contact: { uuid, name } })
              : json(status, { message: `Answer ${status}` }, headers),
          );
        },
      };
      signal.addEventListener("abort", () => {
        if (request.answered) return;
        close();
        reject(signal.reason);
      });
      requests.push(request);
      const answer = auto(request);
      if (typeof answer === "number") request.answer(answer);
      else if (answer) request.answer(answer.status, answer.headers);
    });
  const callbell = createCallbellClient({ token: TOKEN, baseUrl: "http://127.0.0.1:9/v1", fetch });
  return { callbell, requests, overlaps: () => overlaps };
}

/** A sync iterable over `items` that counts what it is asked; its next() throws `failure` at call `throwAt`. */
function countingInput(items: unknown[], { throwAt, failure }: { throwAt?: number; failure?: Error } = {}) {
  const counts = { next: 0, nextAfterDone: 0, returns: 0 };
  let position = 0;
  let done = false;
  const input = {
    [Symbol.iterator]() {
      return this;
    },
    next(): IteratorResult<BulkItem> {
      counts.next++;
      if (done) counts.nextAfterDone++;
      if (counts.next === throwAt) throw failure;
      if (position < items.length) return { done: false, value: items[position++] as BulkItem };
      done = true;
      return { done: true, value: undefined };
    },
    return(): IteratorResult<BulkItem> {
      counts.returns++;
      done = true;
      return { done: true, value: undefined };
    },
  };
  return { input: input as Iterable<BulkItem>, counts };
}

const summary = (results: BulkResult[]) =>
  results.map((result) => [result.index, result.ok ? "ok" : result.error.constructor.name, result.attempts]);

/**
 * Runs a batch whose onProgress throws on its second call, with a loop that waits at `pause` after
 * each result it takes: what it took, how often onProgress was called, and what the loop threw.
 */
function loopWithFailingProgress(
  callbell: CallbellClient,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  options: UpdateContactsOptions,
) {
  const failure = new Error("onProgress failed");
  const pause = gate();
  const seen = { calls: 0, results: [] as BulkResult[], thrown: undefined as unknown };
  const loop = (async () => {
    try {
      for await (const result of updateContacts(callbell, items, {
        ...options,
        onProgress: () => {
          if (++seen.calls === 2) throw failure;
        },
      })) {
        seen.results.push(result);
        await pause.closed;
      }
    } catch (error) {
      seen.thrown = error;
    }
  })();
  return { failure, pause, seen, loop };
}

describe("one contact, one request at a time: results that free a contact", () => {
  it("an invalid item of a contact whose update is in flight does not let that contact's next item go early", async () => {
    const { callbell, requests, overlaps } = heldClient();
    // Item 1 has contact 0's uuid but an update the schema refuses: its result comes at once.
    const items = [itemOf(0, 0), { uuid: uuidOf(0), update: { bot_status: "bot_maybe" } }, itemOf(2, 0)];
    const results: BulkResult[] = [];
    const loop = (async () => {
      for await (const result of updateContacts(callbell, items as BulkItem[], FAST)) results.push(result);
    })();
    await until(() => results.length === 1, "the invalid item's result");
    expect(results[0]).toMatchObject({
      index: 1,
      ok: false,
      attempts: 0,
      error: expect.any(CallbellInputError),
    });
    // The loop has asked for the next result; item 2 must still wait for item 0's.
    await sleep(100);
    expect(requests.map((request) => request.index)).toEqual([0]);
    requests[0]!.answer();
    await until(() => requests.length === 2, "item 2's request");
    requests[1]!.answer();
    await loop;
    expect(overlaps()).toBe(0);
    expect(summary(results)).toEqual([
      [1, "CallbellInputError", 0],
      [0, "ok", 1],
      [2, "ok", 1],
    ]);
  });
});

describe("the loop pauses: reading and sending wait for it", () => {
  it("with concurrency 1 and a loop that takes one result and pauses, exactly two items are read and two requests sent", async () => {
    const { callbell, requests } = heldClient(() => 200);
    const { input, counts } = countingInput(itemsOf(10));
    const pause = gate();
    const results: BulkResult[] = [];
    const loop = (async () => {
      for await (const result of updateContacts(callbell, input, { ...FAST, concurrency: 1 })) {
        results.push(result);
        if (results.length === 1) await pause.closed;
      }
    })();
    await until(() => results.length === 1 && requests.length === 2, "the first result and a second request");
    await sleep(100);
    // One result handed over, one waiting to be: nothing more read or sent.
    expect(requests).toHaveLength(2);
    expect(counts.next).toBe(2);
    pause.open();
    await loop;
    expect(results).toHaveLength(10);
    expect(requests).toHaveLength(10);
  });

  it("after an abort, with concurrency 1 and a loop that takes one result and pauses, the rest of the input is read two items ahead, no more (one handed over, one waiting)", async () => {
    const { callbell, requests } = heldClient(() => 200);
    const { input, counts } = countingInput(itemsOf(10));
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const pause = gate();
    const results: BulkResult[] = [];
    const loop = (async () => {
      for await (const result of updateContacts(callbell, input, {
        ...FAST,
        concurrency: 1,
        signal: controller.signal,
      })) {
        results.push(result);
        if (results.length === 1) await pause.closed;
      }
    })();
    await until(() => results.length === 1 && counts.next === 2, "the first result and a second read");
    await sleep(100);
    expect(counts.next).toBe(2);
    pause.open();
    await loop;
    expect(requests).toHaveLength(0);
    expect(summary(results)).toEqual(itemsOf(10).map((_, index) => [index, "NotSentError", 0]));
    expect(counts.next).toBe(11);
  });
});

describe("an abort", () => {
  it("ends a batch at once even while it waits 30 s for a retry", async () => {
    const { callbell, requests } = heldClient(() => 503);
    const controller = new AbortController();
    let waiting = false;
    const results: BulkResult[] = [];
    const loop = (async () => {
      for await (const result of updateContacts(callbell, [itemOf(0)], {
        ...FAST,
        signal: controller.signal,
        retryDelayMs: () => ((waiting = true), 30_000),
      }))
        results.push(result);
    })();
    await until(() => waiting, "the item waiting for its retry");
    controller.abort(new Error("stop"));
    expect(await within(loop, 10_000)).not.toBe("hung");
    expect(summary(results)).toEqual([[0, "InternalServerError", 1]]);
    // Its last error, the 503, not a NotSentError: it was sent once.
    expect(results[0]).toMatchObject({ error: expect.any(CallbellAPIError) });
    expect((results[0] as { error: Error }).error).toMatchObject({ status: 503 });
    expect(requests).toHaveLength(1);
  }, 20_000);

  it("reports the items held in input order: a retry's last error and the NotSentErrors by index", async () => {
    // Item 0 (contact 0) hangs; item 1 (contact 0 again) waits behind it; item 2 gets a 503 and a 30 s retry wait.
    const { callbell, requests } = heldClient((request) => (request.index === 2 ? 503 : undefined));
    const controller = new AbortController();
    let waiting = false;
    const results: BulkResult[] = [];
    const loop = (async () => {
      for await (const result of updateContacts(callbell, [itemOf(0, 0), itemOf(1, 0), itemOf(2, 2)], {
        ...FAST,
        signal: controller.signal,
        retryDelayMs: () => ((waiting = true), 30_000),
      }))
        results.push(result);
    })();
    await until(() => requests.length === 2 && waiting, "item 2 waiting for its retry");
    controller.abort(new Error("stop"));
    requests[0]!.answer();
    await loop;
    expect(summary(results)).toEqual([
      [0, "ok", 1],
      [1, "NotSentError", 0],
      [2, "InternalServerError", 1],
    ]);
  });
});

describe("leaving the loop", () => {
  it("abandons the requests in flight at once (their fetch is aborted), and onProgress is not called again", async () => {
    const { callbell, requests } = heldClient();
    let calls = 0;
    const results: BulkResult[] = [];
    const loop = (async () => {
      for await (const result of updateContacts(callbell, itemsOf(3), {
        ...FAST,
        onProgress: () => calls++,
      })) {
        results.push(result);
        break;
      }
    })();
    await until(() => requests.length === 3, "three requests");
    requests[0]!.answer();
    await loop;
    expect(summary(results)).toEqual([[0, "ok", 1]]);
    expect(requests.map((request) => request.signal.aborted)).toEqual([false, true, true]);
    await sleep(100);
    expect(calls).toBe(1);
  });

  it("ends at once even while the batch waits 30 s for a retry", async () => {
    // Item 1 gets a 503 and waits for its retry; item 0 is answered later, and the loop leaves on its result.
    const { callbell, requests } = heldClient((request) => (request.index === 1 ? 503 : undefined));
    let waiting = false;
    const results: BulkResult[] = [];
    const loop = (async () => {
      for await (const result of updateContacts(callbell, itemsOf(2), {
        ...FAST,
        retryDelayMs: () => ((waiting = true), 30_000),
      })) {
        results.push(result);
        break;
      }
    })();
    await until(() => waiting, "item 1 waiting for its retry");
    requests[0]!.answer();
    expect(await within(loop, 10_000)).not.toBe("hung");
    expect(summary(results)).toEqual([[0, "ok", 1]]);
    expect(requests).toHaveLength(2);
  }, 20_000);

  it("while the rest of the input is reported not sent: no more items are read, and the input is closed", async () => {
    const { callbell, requests } = heldClient();
    const { input, counts } = countingInput(itemsOf(10));
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    let readAtBreak = -1;
    const loop = (async () => {
      for await (const result of updateContacts(callbell, input, {
        ...FAST,
        concurrency: 2,
        signal: controller.signal,
      })) {
        expect(result).toMatchObject({ index: 0, ok: false, error: expect.any(NotSentError) });
        readAtBreak = counts.next;
        break;
      }
    })();
    expect(await within(loop)).not.toBe("hung");
    expect(readAtBreak).toBeGreaterThan(0);
    expect(counts.next).toBe(readAtBreak);
    expect(counts.returns).toBe(1);
    expect(requests).toHaveLength(0);
  });

  it("while a read of the input is pending: the input is closed once that read is back, never during it, and its item is not sent", async () => {
    const { callbell, requests } = heldClient(() => 200);
    const slowRead = gate();
    const counts = { next: 0, pending: 0, returns: 0, returnsWhilePending: 0 };
    const input: AsyncIterableIterator<BulkItem> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        counts.next++;
        if (counts.next === 1) return { done: false, value: itemOf(0) };
        counts.pending++;
        await slowRead.closed;
        counts.pending--;
        return { done: false, value: itemOf(1) };
      },
      async return() {
        counts.returns++;
        if (counts.pending > 0) counts.returnsWhilePending++;
        return { done: true, value: undefined };
      },
    };
    let broke = false;
    let left = false;
    const loop = (async () => {
      for await (const result of updateContacts(callbell, input, FAST)) {
        expect(result).toMatchObject({ index: 0, ok: true });
        broke = true;
        break;
      }
      left = true;
    })();
    await until(() => counts.next === 2 && broke, "the second read and the break");
    await sleep(100);
    expect(counts.returns).toBe(0);
    slowRead.open();
    await loop;
    expect(left).toBe(true);
    expect(counts).toEqual({ next: 2, pending: 0, returns: 1, returnsWhilePending: 0 });
    expect(requests).toHaveLength(1);
  });

  it("leaves no listener on the caller's signal, whether the batch ran to its end or the loop was left", async () => {
    const { callbell } = heldClient(() => 200);
    const signal = new AbortController().signal;
    for await (const result of updateContacts(callbell, itemsOf(3), { ...FAST, signal }))
      expect(result.ok).toBe(true);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    for await (const result of updateContacts(callbell, itemsOf(3), { ...FAST, signal })) {
      expect(getEventListeners(signal, "abort")).toHaveLength(1);
      expect(result.ok).toBe(true);
      break;
    }
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });
});

describe("an onProgress that throws", () => {
  it("while the loop is busy with an earlier result: nothing more is sent, the loop throws its error, and the input is closed", async () => {
    const { callbell, requests } = heldClient();
    const { input, counts } = countingInput(itemsOf(10));
    const { failure, pause, seen, loop } = loopWithFailingProgress(callbell, input, {
      ...FAST,
      concurrency: 3,
    });
    await until(() => requests.length === 3, "three requests");
    requests[0]!.answer();
    // Item 0's result frees a place: item 3 is read and sent.
    await until(() => seen.results.length === 1 && requests.length === 4, "item 0's result and item 3 sent");
    requests[1]!.answer();
    await until(() => seen.calls === 2, "the onProgress that throws");
    await sleep(100);
    expect(requests).toHaveLength(4);
    expect(counts.next).toBe(4);
    pause.open();
    await loop;
    expect(seen.thrown).toBe(failure);
    expect(summary(seen.results)).toEqual([[0, "ok", 1]]);
    expect(counts.returns).toBe(1);
    expect(seen.calls).toBe(2);
  });

  it("while the batch is stopping after an abort: no more results are reported (onProgress not called again)", async () => {
    // Items 0, 1 and 2 go out; item 3 (contact 0 again) waits behind item 0.
    const { callbell, requests } = heldClient();
    const controller = new AbortController();
    const { failure, pause, seen, loop } = loopWithFailingProgress(
      callbell,
      [itemOf(0, 0), itemOf(1), itemOf(2), itemOf(3, 0)],
      { ...FAST, signal: controller.signal },
    );
    await until(() => requests.length === 3, "three requests");
    requests[1]!.answer();
    await until(() => seen.results.length === 1, "item 1's result");
    controller.abort(new Error("stop"));
    await sleep(20);
    requests[0]!.answer();
    await until(() => seen.calls === 2, "the onProgress that throws");
    await sleep(100);
    expect(seen.calls).toBe(2);
    pause.open();
    await loop;
    expect(seen.thrown).toBe(failure);
    expect(summary(seen.results)).toEqual([[1, "ok", 1]]);
    expect(seen.calls).toBe(2);
  });
});

describe("the input", () => {
  it("read to its end is never asked for another item, nor asked to close", async () => {
    const { callbell } = heldClient(() => 200);
    const { input, counts } = countingInput(itemsOf(3));
    const results: BulkResult[] = [];
    for await (const result of updateContacts(callbell, input, FAST)) results.push(result);
    expect(results).toHaveLength(3);
    expect(counts).toEqual({ next: 4, nextAfterDone: 0, returns: 0 });
  });

  it("that threw is not asked to close: the loop throws its error", async () => {
    const { callbell } = heldClient(() => 200);
    const failure = new Error("read failed");
    const { input, counts } = countingInput(itemsOf(5), { throwAt: 3, failure });
    const results: BulkResult[] = [];
    await expect(
      (async () => {
        for await (const result of updateContacts(callbell, input, FAST)) results.push(result);
      })(),
    ).rejects.toBe(failure);
    expect(summary(results).sort()).toEqual([
      [0, "ok", 1],
      [1, "ok", 1],
    ]);
    expect(counts).toEqual({ next: 3, nextAfterDone: 0, returns: 0 });
  });

  it("an item whose property read throws (a getter on uuid) ends the loop with that error, not a hang", async () => {
    const { callbell, requests } = heldClient(() => 200);
    const failure = new Error("uuid getter failed");
    const item = {
      get uuid(): string {
        throw failure;
      },
      update: { name: "i0" },
    };
    const results: BulkResult[] = [];
    const loop = (async () => {
      for await (const result of updateContacts(callbell, [item], FAST)) results.push(result);
    })();
    const outcome = await within(
      loop.then(
        () => "ended",
        (error: unknown) => error,
      ),
    );
    expect(outcome).toBe(failure);
    expect(results).toHaveLength(0);
    expect(requests).toHaveLength(0);
  });
});
