// updateContacts' retries, its rate's recovery and its early ends, against local servers on
// 127.0.0.1: scripted servers (test/fakes/scripted-api.ts) that answer each contact's nth request
// as planned, and the rate-limited stand-in (test/fakes/rate-limited-api.mjs). What a caller can
// see: when a retry reaches the server (not before retryDelayMs(attempt) or the server's
// Retry-After, up to the client's 60 s cap; beyond it the item fails at once); which of several due
// retries goes first (the one due first); that the batch sleeps (one timer, no polling) only until
// the earliest retry is due; onProgress's ratePerSecond climbing back after a 429; an onProgress
// that throws stopping the sends at once; a break out of the loop closing the connections still
// open. Time is bounded only from below (a wait the batch must make), or by orders with margins of
// hundreds of ms or more: the machine is shared.
import type { IncomingMessage } from "node:http";
import { afterAll, describe, expect, it, vi } from "vitest";
import { contact, reply, startScriptedServer, type ScriptedServer } from "../fakes/scripted-api.js";
import { startRateLimitedStandIn } from "../fakes/rate-limited-api.mjs";
import { updateContacts, type BulkItem, type BulkProgress, type BulkResult } from "../../src/bulk/index.js";
import { createCallbellClient, RateLimitError, type CallbellClient } from "../../src/client/index.js";

const TOKEN = "retries_SECRET_0123456789abcdef";
const uuidOf = (index: number) => `f${index.toString(16).padStart(31, "0")}`;
const itemsOf = (count: number): BulkItem[] =>
  Array.from({ length: count }, (_, index) => ({ uuid: uuidOf(index), update: { name: `Item ${index}` } }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How the server answers one request: a status (with headers, after a delay), or never. */
type Answer = { status: number; headers?: Record<string, string>; delayMs?: number } | "hang";

const servers: ScriptedServer[] = [];
afterAll(() => Promise.all(servers.map((server) => server.close())));

/** A server that answers contact `uuid`'s `nth` request (from 1) as `plan` says; 200 with the contact by default. */
async function serve(plan: (uuid: string, nth: number, request: IncomingMessage) => Answer | undefined) {
  const seen = new Map<string, number>();
  const server = await startScriptedServer(async (request, response, arrival) => {
    const uuid = arrival.url.split("/").pop()!;
    const nth = (seen.get(uuid) ?? 0) + 1;
    seen.set(uuid, nth);
    const answer = plan(uuid, nth, request) ?? { status: 200 };
    if (answer === "hang") return;
    if (answer.delayMs) await sleep(answer.delayMs);
    const body =
      answer.status === 200 ? { contact: { ...contact, uuid } } : { message: `Planned ${answer.status}` };
    await reply(answer.status, body, answer.headers)(request, response, arrival);
  });
  servers.push(server);
  return server;
}

/** The uuids of the requests the server saw, in arrival order, and when each arrived. */
const arrivalsOf = (server: ScriptedServer) =>
  server.arrivals.map(({ url, at }) => ({ uuid: url.split("/").pop()!, at }));

async function collect(
  callbell: CallbellClient,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  options: Parameters<typeof updateContacts>[2] = {},
) {
  const results: BulkResult[] = [];
  for await (const result of updateContacts(callbell, items, options)) results.push(result);
  return results;
}

const clientOf = (server: { url: string }, fetch?: typeof globalThis.fetch) =>
  createCallbellClient({ token: TOKEN, baseUrl: server.url, ...(fetch && { fetch }) });

async function until(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(5);
  }
}

describe("a retry waits before it is sent again", () => {
  it("waits retryDelayMs(attempt) ms before each retry, called with the retry's number", async () => {
    const server = await serve((_uuid, nth) => (nth < 3 ? { status: 503 } : undefined));
    const asked: number[] = [];
    const results = await collect(clientOf(server), itemsOf(1), {
      retryDelayMs: (retry) => {
        asked.push(retry);
        return retry * 150;
      },
    });
    expect(results).toMatchObject([{ index: 0, ok: true, attempts: 3 }]);
    expect(asked).toEqual([1, 2]);
    const [first, second, third] = arrivalsOf(server).map(({ at }) => at);
    // The retry is sent no sooner than its wait after the failure, which came after the request arrived.
    expect(second! - first!).toBeGreaterThanOrEqual(149);
    expect(third! - second!).toBeGreaterThanOrEqual(299);
  });

  it("waits a 503's Retry-After (1 s) before the retry, instead of retryDelayMs", async () => {
    const server = await serve((_uuid, nth) =>
      nth === 1 ? { status: 503, headers: { "retry-after": "1" } } : undefined,
    );
    const asked: number[] = [];
    const results = await collect(clientOf(server), itemsOf(1), {
      retryDelayMs: (retry) => (asked.push(retry), 10),
    });
    expect(results).toMatchObject([{ index: 0, ok: true, attempts: 2 }]);
    expect(asked).toEqual([]);
    const [first, second] = arrivalsOf(server).map(({ at }) => at);
    expect(second! - first!).toBeGreaterThanOrEqual(999);
  });

  /** One item answered 429 with this Retry-After, and an abort after `abortAfterMs`: its result, and whether it came after the abort. */
  async function oneItemAnswered429(retryAfter: string, abortAfterMs: number) {
    const server = await serve(() => ({ status: 429, headers: { "retry-after": retryAfter } }));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error("enough")), abortAfterMs);
    const results: { result: BulkResult; afterAbort: boolean }[] = [];
    try {
      for await (const result of updateContacts(clientOf(server), itemsOf(1), { signal: controller.signal }))
        results.push({ result, afterAbort: controller.signal.aborted });
    } finally {
      clearTimeout(timer);
    }
    expect(results).toMatchObject([{ result: { index: 0, ok: false, attempts: 1 } }]);
    expect(server.arrivals).toHaveLength(1);
    const error = (results[0]!.result as { error: Error }).error;
    expect(error).toBeInstanceOf(RateLimitError);
    return { error: error as RateLimitError, afterAbort: results[0]!.afterAbort };
  }

  it("waits for a Retry-After of exactly 60 s, the client's cap: no result until the batch is aborted", async () => {
    // Waiting for its retry when the abort came: it reports its last error, the 429.
    const { error, afterAbort } = await oneItemAnswered429("60", 400);
    expect(afterAbort).toBe(true);
    expect(error.retryAfterMs).toBe(60_000);
  });

  it("fails an item at once on a Retry-After of 61 s, one above the client's cap, as the client does", async () => {
    const { error, afterAbort } = await oneItemAnswered429("61", 10_000);
    expect(afterAbort).toBe(false);
    expect(error.retryAfterMs).toBe(61_000);
  });
});

describe("several retries waiting", () => {
  const [A, B] = itemsOf(2) as [BulkItem, BulkItem];

  /**
   * A and B both fail with a 503 and wait `waits[0]` and `waits[1]` ms (retryDelayMs, called in
   * failure order: B is sent 100 ms after A and answered 200 ms late, so A fails about 300 ms
   * first). Meanwhile the batch waits for its input, which ends once both retries are due: then it
   * picks between them. Returns the order in which the retries reached the server.
   */
  async function retryOrder(waits: [number, number]) {
    const server = await serve((uuid, nth) =>
      nth === 1 ? { status: 503, delayMs: uuid === B.uuid ? 200 : 0 } : undefined,
    );
    const queue = [...waits];
    let bothFailed!: () => void;
    const failed = new Promise<void>((resolve) => (bothFailed = resolve));
    const retryDelayMs = () => {
      if (queue.length === 1) bothFailed();
      return queue.shift()!;
    };
    async function* input() {
      yield A;
      yield B;
      await failed;
      await sleep(Math.max(...waits) + 200);
    }
    // 10 per second: the two retries leave 100 ms apart, so they arrive in the order they were sent.
    const results = await collect(clientOf(server), input(), { retryDelayMs, ratePerSecond: 10 });
    expect(
      results.map(({ index, ok, attempts }) => ({ index, ok, attempts })).sort((a, b) => a.index - b.index),
    ).toEqual([
      { index: 0, ok: true, attempts: 2 },
      { index: 1, ok: true, attempts: 2 },
    ]);
    expect(queue).toEqual([]);
    const order = arrivalsOf(server).map(({ uuid }) => (uuid === A.uuid ? "A" : "B"));
    expect(order.slice(0, 2)).toEqual(["A", "B"]);
    return order.slice(2);
  }

  it("of two retries due, sends first the one due first: here the earlier failure's", async () => {
    // A due at about 400 ms (after the batch went to read its input, at about 100 ms), B at about 900 ms.
    expect(await retryOrder([400, 600])).toEqual(["A", "B"]);
  });

  it("of two retries due, sends first the one due first: here the later failure's, which asked for a shorter wait", async () => {
    // A due at about 1,000 ms, B at about 350 ms.
    expect(await retryOrder([1_000, 50])).toEqual(["B", "A"]);
  });

  it("sleeps only until the earliest retry is due: a 20 ms retry and the next item go before a 2 s one", async () => {
    const [, , C] = itemsOf(3) as [BulkItem, BulkItem, BulkItem];
    // A's 503 says nothing (retryDelayMs: 20 ms); B's asks for 2 s. Two items held at once: C waits for A.
    const server = await serve((uuid, nth) =>
      nth > 1
        ? undefined
        : uuid === A.uuid
          ? { status: 503 }
          : uuid === B.uuid
            ? { status: 503, headers: { "retry-after": "2" } }
            : undefined,
    );
    const results = await collect(clientOf(server), [A, B, C], { retryDelayMs: () => 20, concurrency: 2 });
    expect(results.map(({ index, ok, attempts }) => ({ index, ok, attempts }))).toEqual([
      { index: 0, ok: true, attempts: 2 },
      { index: 2, ok: true, attempts: 1 },
      { index: 1, ok: true, attempts: 2 },
    ]);
    const arrivals = arrivalsOf(server);
    const name = (uuid: string) => ({ [A.uuid]: "A", [B.uuid]: "B", [C.uuid]: "C" })[uuid];
    expect(
      arrivals
        .slice(0, 2)
        .map(({ uuid }) => name(uuid))
        .sort(),
    ).toEqual(["A", "B"]);
    expect(arrivals.slice(2).map(({ uuid }) => name(uuid))).toEqual(["A", "C", "B"]);
    const at = (who: string, nth: number) => arrivals.filter(({ uuid }) => name(uuid) === who)[nth - 1]!.at;
    expect(at("A", 2) - at("A", 1)).toBeGreaterThanOrEqual(19);
    expect(at("B", 2) - at("B", 1)).toBeGreaterThanOrEqual(1_999);
  });

  it("sleeps while it waits for a retry: a handful of timers for a 1 s wait, not one every millisecond", async () => {
    const server = await serve((_uuid, nth) =>
      nth === 1 ? { status: 503, headers: { "retry-after": "1" } } : undefined,
    );
    const callbell = clientOf(server);
    const timers = vi.spyOn(globalThis, "setTimeout");
    let results: BulkResult[];
    let timersSet: number;
    try {
      results = await collect(callbell, itemsOf(1));
    } finally {
      timersSet = timers.mock.calls.length;
      timers.mockRestore();
    }
    expect(results).toMatchObject([{ index: 0, ok: true, attempts: 2 }]);
    expect(timersSet).toBeLessThan(50);
  });
});

describe("the rate after 429s", () => {
  it("climbs back with each success once a 429 lowered it (onProgress's ratePerSecond)", async () => {
    // The first request gets a 429 with no Retry-After: the rate drops by a fifth, 100 → 80.
    const standIn = await startRateLimitedStandIn({
      limit: 5_000,
      script: ({ uuid, nth }) => (uuid === uuidOf(0) && nth === 1 ? { status: 429 } : undefined),
    });
    try {
      const progress: BulkProgress[] = [];
      const results = await collect(clientOf(standIn), itemsOf(5), {
        ratePerSecond: 100,
        concurrency: 1,
        retryDelayMs: () => 5,
        onProgress: (snapshot) => progress.push(snapshot),
      });
      expect(results.map(({ index, ok }) => ({ index, ok }))).toEqual(
        [0, 1, 2, 3, 4].map((index) => ({ index, ok: true })),
      );
      expect(progress.map(({ requests, rateLimited }) => [requests, rateLimited])).toEqual([
        [2, 1],
        [3, 1],
        [4, 1],
        [5, 1],
        [6, 1],
      ]);
      // Each success adds a tenth of the asked rate divided by the current one: 80 + 10 / 80 first.
      const rates = progress.map(({ ratePerSecond }) => ratePerSecond);
      expect(rates[0]).toBe(80.125);
      for (let at = 1; at < rates.length; at++) expect(rates[at]).toBeGreaterThan(rates[at - 1]!);
      expect(rates[4]).toBeLessThan(100);
    } finally {
      await standIn.close();
    }
  });
});

describe("the loop's early ends", () => {
  it("an onProgress that throws ends the loop at once, while the batch waits for its next slot: nothing more is sent", async () => {
    const server = await serve(() => undefined);
    let fetches = 0;
    const callbell = clientOf(server, (input, init) => {
      fetches++;
      return fetch(input, init);
    });
    const failure = new Error("onProgress failed");
    let fetchesAtEnd = -1;
    const consume = async () => {
      try {
        // 2 per second: the second item waits about 500 ms for its slot when the first result comes.
        for await (const _result of updateContacts(callbell, itemsOf(3), {
          ratePerSecond: 2,
          onProgress: () => {
            throw failure;
          },
        })) {
          // onProgress throws before the first result is handed over
        }
      } finally {
        fetchesAtEnd = fetches;
      }
    };
    await expect(consume()).rejects.toBe(failure);
    expect(fetchesAtEnd).toBe(1);
    await sleep(700);
    expect(fetches).toBe(1);
    expect(server.arrivals).toHaveLength(1);
  });

  it("breaking out of the loop aborts the requests still in flight: their connections close", async () => {
    let connectionClosed!: () => void;
    const closed = new Promise<void>((resolve) => (connectionClosed = resolve));
    const server = await serve((uuid, _nth, request) => {
      if (uuid !== uuidOf(1)) return undefined;
      request.socket.once("close", connectionClosed);
      return "hang";
    });
    const signals: AbortSignal[] = [];
    const callbell = clientOf(server, (input, init) => {
      signals.push(init!.signal!);
      return fetch(input, init);
    });
    // Without the abort, item 1's request would stay open until its 15 s timeout.
    for await (const result of updateContacts(callbell, itemsOf(2), { timeoutMs: 15_000 })) {
      expect(result).toMatchObject({ index: 0, ok: true });
      await until(() => server.arrivals.length === 2);
      break;
    }
    expect(signals).toHaveLength(2);
    expect(signals[1]!.aborted).toBe(true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      closed,
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error("item 1's connection still open after 5 s")), 5_000);
      }),
    ]).finally(() => clearTimeout(timer));
  });
});
