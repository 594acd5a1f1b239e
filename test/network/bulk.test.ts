// updateContacts against the rate-limited stand-in (test/fakes/rate-limited-api.mjs) on
// 127.0.0.1: exactly one result per item under generated items, fault mixes and abort moments;
// invalid items never sent; nothing sent after an abort; a 429 slows and pauses the whole batch;
// each refused option or item with its field and exact message; onProgress's counts, result by result.
// The stand-in's limit is scaled up (thousands per second) and retry waits down, so that the
// suite stays fast; bounds on time are generous (the machine is shared).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRateLimitedStandIn } from "../fakes/rate-limited-api.mjs";
import {
  NotSentError,
  updateContacts,
  type BulkItem,
  type BulkProgress,
  type BulkResult,
  type UpdateContactsOptions,
} from "../../src/bulk/index.js";
import {
  AuthenticationError,
  CallbellInputError,
  createCallbellClient,
  InternalServerError,
  RateLimitError,
} from "../../src/client/index.js";
import { schemaValidator } from "../support/spec.js";
import { json } from "../support/stub-fetch.js";

const TOKEN = "bulk_SECRET_0123456789abcdef";
const SEED = Number(process.env.FC_SEED ?? 20_261_125);
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 40);
const validUpdate = schemaValidator("ContactUpdate");

type StandIn = Awaited<ReturnType<typeof startRateLimitedStandIn>>;

/** Runs a batch to the end and returns its results, with the fetch calls made after `signal` aborted. */
async function collect(
  standIn: StandIn,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  options: Parameters<typeof updateContacts>[2] = {},
) {
  let sentAfterAbort = 0;
  let fetches = 0;
  const callbell = createCallbellClient({
    token: TOKEN,
    baseUrl: standIn.url,
    fetch: (input, init) => {
      fetches++;
      if (options.signal?.aborted) sentAfterAbort++;
      return fetch(input, init);
    },
  });
  const results: BulkResult[] = [];
  for await (const result of updateContacts(callbell, items, { retryDelayMs: () => 2, ...options }))
    results.push(result);
  return { results, sentAfterAbort, fetches };
}

const uuidOf = (index: number) => `c${index.toString(16).padStart(31, "0")}`;

function expectOneResultEach(results: BulkResult[], count: number) {
  const indexes = results.map((result) => result.index).sort((a, b) => a - b);
  expect(indexes).toEqual(Array.from({ length: count }, (_, index) => index));
}

describe("updateContacts against the rate-limited stand-in", () => {
  let standIn: StandIn;
  beforeAll(async () => {
    standIn = await startRateLimitedStandIn({ limit: 5_000 });
  });
  afterAll(() => standIn.close());

  it("updates every item once and returns each contact with its index", async () => {
    const items = Array.from({ length: 50 }, (_, index) => ({
      uuid: uuidOf(index),
      update: { name: `Name ${index}` },
    }));
    const before = standIn.stats().requests;
    const { results } = await collect(standIn, items, { ratePerSecond: 2_000 });
    expectOneResultEach(results, 50);
    for (const result of results) {
      expect(result.ok).toBe(true);
      if (result.ok)
        expect(result.contact).toMatchObject({ uuid: uuidOf(result.index), name: `Name ${result.index}` });
      expect(result.attempts).toBe(1);
    }
    expect(standIn.stats().requests - before).toBe(50);
  });

  it("reports invalid items as results without sending them, each problem named with its field", async () => {
    const items = [
      { uuid: uuidOf(0), update: { name: "" } },
      { uuid: "a/b", update: { name: "Ok" } },
      { uuid: uuidOf(2), update: { tags: ["x", "x"], phone_number: "+1" } },
      { uuid: uuidOf(3), update: {} },
      { uuid: uuidOf(4), update: { note: "fine" } },
      null,
      42,
      "text",
      { uuid: 42, update: { name: "Ok" } },
      { update: { name: "Ok" } },
      { uuid: "a/b", update: {} },
      { uuid: uuidOf(11), update: 5 },
      { uuid: uuidOf(12), update: { name: "", tags: ["y", "y"] } },
      { uuid: "a/".repeat(100), update: { name: "Ok" } },
    ] as unknown as BulkItem[];
    const before = standIn.requestsPerUuid();
    const { results, fetches } = await collect(standIn, items, { ratePerSecond: 2_000 });
    expectOneResultEach(results, 14);
    expect(fetches).toBe(1);
    const byIndex = new Map(results.map((result) => [result.index, result]));
    expect(byIndex.get(4)).toMatchObject({ uuid: uuidOf(4), ok: true, attempts: 1 });
    // Per invalid item: the uuid its result carries ("" when the item has no text uuid), the field, the message.
    const refused: [number, string, string, string][] = [
      [0, uuidOf(0), "update", "name must not be empty."],
      [1, "a/b", "uuid", 'uuid must not contain "/", as "a/b" does.'],
      [3, uuidOf(3), "update", "the update names no field to change."],
      [5, "", "item", "An item must be an object { uuid, update }."],
      [6, "", "item", "An item must be an object { uuid, update }."],
      [7, "", "item", "An item must be an object { uuid, update }."],
      [8, "", "uuid", "uuid must be text, not 42."],
      [9, "", "uuid", "uuid is missing."],
      [10, "a/b", "uuid", 'uuid must not contain "/", as "a/b" does.'],
      [11, uuidOf(11), "update", "the update must be an object, not 5."],
      [12, uuidOf(12), "update", 'name must not be empty; tags has "y" twice; each value may appear once.'],
      [
        13,
        "a/".repeat(100),
        "uuid",
        `uuid must have at most 128 characters, not 200; uuid must not contain "/", as "${"a/".repeat(29)}…" does.`,
      ],
    ];
    for (const [index, uuid, field, message] of refused) {
      const result = byIndex.get(index)!;
      expect(result).toMatchObject({ index, uuid, ok: false, attempts: 0 });
      if (result.ok) continue;
      expect(result.error).toBeInstanceOf(CallbellInputError);
      expect(result.error).toMatchObject({ field, message });
    }
    const item2 = byIndex.get(2) as unknown as { error: CallbellInputError };
    expect(item2.error).toBeInstanceOf(CallbellInputError);
    expect(item2.error.field).toBe("update");
    expect(item2.error.message).toContain('tags has "x" twice; each value may appear once');
    expect(item2.error.message).toContain(
      '"phone_number" is not a field of a contact update; the fields are name, tags,',
    );
    expect(standIn.requestsPerUuid().get(uuidOf(0))).toBe(before.get(uuidOf(0)));
  });

  it("stops at once on an abort before the start: every item not sent, no request; an invalid one still says why", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const items = Array.from({ length: 20 }, (_, index) => ({ uuid: uuidOf(index), update: { name: "N" } }));
    const { results, fetches } = await collect(standIn, [...items, { uuid: uuidOf(20), update: {} }], {
      signal: controller.signal,
    });
    expectOneResultEach(results, 21);
    expect(fetches).toBe(0);
    const invalid = results.pop()!;
    expect(invalid).toMatchObject({ index: 20, ok: false, attempts: 0 });
    expect((invalid as { error: Error }).error).toBeInstanceOf(CallbellInputError);
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, attempts: 0 });
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(NotSentError);
        expect(result.error.cause).toBe(controller.signal.reason);
      }
    }
  });

  it("sends nothing after an abort that comes while the batch waits for its next slot", async () => {
    const controller = new AbortController();
    const items = Array.from({ length: 10 }, (_, index) => ({
      uuid: uuidOf(index),
      update: { name: "Slow" },
    }));
    const before = standIn.stats().requests;
    let sentAfterAbort = 0;
    const callbell = createCallbellClient({
      token: TOKEN,
      baseUrl: standIn.url,
      fetch: (input, init) => {
        if (controller.signal.aborted) sentAfterAbort++;
        return fetch(input, init);
      },
    });
    const results: BulkResult[] = [];
    // 10 per second: after the first result, the batch waits about 100 ms for its next slot.
    for await (const result of updateContacts(callbell, items, {
      ratePerSecond: 10,
      signal: controller.signal,
    })) {
      results.push(result);
      controller.abort(new Error("enough"));
    }
    expectOneResultEach(results, 10);
    expect(sentAfterAbort).toBe(0);
    expect(results.filter((result) => result.attempts > 0)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.error instanceof NotSentError)).toHaveLength(9);
    expect(standIn.stats().requests - before).toBe(1);
  });

  it("reads the input lazily: no more items read than in flight", async () => {
    let read = 0;
    let maxAhead = 0;
    let settled = 0;
    async function* generated() {
      for (let index = 0; index < 200; index++) {
        read++;
        maxAhead = Math.max(maxAhead, read - settled);
        yield { uuid: uuidOf(index), update: { name: "Lazy" } };
      }
    }
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
    let count = 0;
    for await (const result of updateContacts(callbell, generated(), {
      ratePerSecond: 3_000,
      concurrency: 8,
    })) {
      settled++;
      count++;
      expect(result.ok).toBe(true);
    }
    expect(count).toBe(200);
    // in flight (8) + results waiting to be read (8) + the one being read
    expect(maxAhead).toBeLessThanOrEqual(17);
  });

  it("ends with the error of an onProgress (at once) or an input that throws (after the results of the items read), with no unhandled rejection", async () => {
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
    const items = Array.from({ length: 30 }, (_, index) => ({
      uuid: uuidOf(index),
      update: { name: "Boom" },
    }));
    const failure = new Error("progress failed");
    let calls = 0;
    const consume = async (input: Iterable<BulkItem> | AsyncIterable<BulkItem>, onProgress?: () => void) => {
      for await (const _result of updateContacts(callbell, input, { ratePerSecond: 3_000, onProgress })) {
        // read everything
      }
    };
    await expect(
      consume(items, () => {
        if (++calls === 5) throw failure;
      }),
    ).rejects.toBe(failure);
    let closed = false;
    async function* brokenInput() {
      try {
        yield items[0]!;
        throw new Error("read failed");
      } finally {
        closed = true;
      }
    }
    await expect(consume(brokenInput())).rejects.toThrow("read failed");
    expect(closed).toBe(true);
    // A half-read input is closed when the caller stops reading.
    let returned = false;
    async function* endless() {
      try {
        for (let index = 0; ; index++) yield { uuid: uuidOf(index), update: { name: "More" } };
      } finally {
        returned = true;
      }
    }
    for await (const result of updateContacts(callbell, endless(), { ratePerSecond: 3_000 }))
      if (result.index >= 0) break;
    expect(returned).toBe(true);
  });

  it("refuses bad options at the call, before anything is read, naming the option and what it must be", () => {
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
    let reads = 0;
    const items: Iterable<BulkItem> = {
      [Symbol.iterator]: () => ({
        next: () => (reads++, { done: true, value: undefined }),
      }),
    };
    const refusal = (options: Record<string, unknown>, input: unknown) => {
      try {
        updateContacts(callbell, input as BulkItem[], options as UpdateContactsOptions);
      } catch (error) {
        return error;
      }
      throw new Error(`not refused: ${String(Object.values(options)[0])}`);
    };
    const expectRefused = (values: Record<string, unknown[]>, field: string, message: string) => {
      for (const [option, list] of Object.entries(values))
        for (const value of list) {
          const error = refusal({ [option]: value }, items);
          expect(error).toBeInstanceOf(CallbellInputError);
          expect(error).toMatchObject({ field, message });
        }
    };
    expectRefused(
      { ratePerSecond: [0, -1, NaN, Infinity, "10", null] },
      "ratePerSecond",
      "ratePerSecond must be a number above 0.",
    );
    expectRefused(
      { concurrency: [0, -1, 1.5, NaN, Infinity, "4", null] },
      "concurrency",
      "concurrency must be a whole number, 1 or more.",
    );
    expectRefused(
      { maxRetries: [-1, 1.5, NaN, "2", null] },
      "maxRetries",
      "maxRetries must be a whole number, 0 or more.",
    );
    expectRefused(
      { timeoutMs: [0, -5, 2 ** 31, 2 ** 31 + 0.5, Infinity, NaN, "100", null] },
      "timeoutMs",
      "timeoutMs must be a number of ms above 0, below 2^31.",
    );
    expectRefused({ retryDelayMs: [5, "fast", null] }, "retryDelayMs", "retryDelayMs must be a function.");
    for (const input of [null, undefined, 42, true, {}, { next: () => ({ done: true }) }]) {
      const error = refusal({}, input);
      expect(error).toBeInstanceOf(CallbellInputError);
      expect(error).toMatchObject({
        field: "items",
        message: "items must be an iterable or async iterable of { uuid, update }.",
      });
    }
    expect(reads).toBe(0);
    // The bounds themselves are accepted (a batch of nothing is read at its first result only).
    for (const options of [
      { ratePerSecond: 0.5, concurrency: 1, maxRetries: 0, timeoutMs: 1 },
      { timeoutMs: 2 ** 31 - 1 },
      { timeoutMs: undefined, concurrency: undefined, ratePerSecond: undefined },
    ])
      expect(() => updateContacts(callbell, items, options)).not.toThrow();
    expect(reads).toBe(0);
  });

  it("holds half the rate in items by default, at least 10: what it reads ahead behind one busy contact", async () => {
    // Every item is for the same contact: one is sent, the others wait behind it, and reading goes on
    // (without a macrotask in between) until the batch holds `concurrency` items. The answer comes 20 ms later.
    const readAhead = async (ratePerSecond: number) => {
      let reads = 0;
      const sameContact: Iterable<BulkItem> = {
        [Symbol.iterator]: () => ({
          next: () => (reads++, { done: false, value: { uuid: uuidOf(0), update: { name: "Same" } } }),
        }),
      };
      let readsWhenAnswered = -1;
      const callbell = createCallbellClient({
        token: TOKEN,
        baseUrl: "http://127.0.0.1:9/v1",
        fetch: async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          readsWhenAnswered = reads;
          return json(200, { contact: { uuid: uuidOf(0), name: "Same" } });
        },
      });
      for await (const result of updateContacts(callbell, sameContact, { ratePerSecond })) {
        expect(result).toMatchObject({ index: 0, ok: true, attempts: 1 });
        break;
      }
      return readsWhenAnswered;
    };
    expect(await readAhead(280)).toBe(140);
    expect(await readAhead(21)).toBe(11);
    expect(await readAhead(2)).toBe(10);
  });

  it("sends with a timeoutMs of 2^31 - 1 ms, the largest a timer takes", async () => {
    const { results } = await collect(standIn, [{ uuid: uuidOf(0), update: { name: "Patient" } }], {
      timeoutMs: 2 ** 31 - 1,
    });
    expect(results).toMatchObject([{ index: 0, ok: true, attempts: 1 }]);
  });
});

describe("what the batch counts (onProgress) and reports, outcome by outcome", () => {
  let standIn: StandIn;
  // Each item's name picks its answer: "401" and "404" always, "429" and "500" on the first request only.
  beforeAll(async () => {
    standIn = await startRateLimitedStandIn({
      limit: 5_000,
      script: ({ body, nth }: { body: { name?: string }; nth: number }) =>
        body.name === "401" ||
        body.name === "404" ||
        (nth === 1 && (body.name === "429" || body.name === "500"))
          ? { status: Number(body.name) }
          : undefined,
    });
  });
  afterAll(() => standIn.close());

  /** Progress without the rate, which 429s and successes move by fractions. */
  const counts = ({ ratePerSecond: _rate, ...rest }: BulkProgress) => rest;

  it("onProgress counts each result once: done, updated, failed, not sent, requests (retries included) and 429s only", async () => {
    const base = 0x100;
    const items = [
      { uuid: uuidOf(base), update: { name: "ok" } },
      { uuid: uuidOf(base + 1), update: {} },
      { uuid: ".", update: { name: "ok" } },
      { uuid: uuidOf(base + 3), update: { name: "404" } },
      { uuid: uuidOf(base + 4), update: { name: "429" } },
      { uuid: uuidOf(base + 5), update: { name: "500" } },
    ];
    const seen: Omit<BulkProgress, "ratePerSecond">[] = [];
    // One item at a time: the results come in input order.
    const { results, fetches } = await collect(standIn, items, {
      concurrency: 1,
      ratePerSecond: 2_000,
      onProgress: (progress) => seen.push(counts(progress)),
    });
    expect(results.map(({ index, ok, attempts }) => ({ index, ok, attempts }))).toEqual([
      { index: 0, ok: true, attempts: 1 },
      { index: 1, ok: false, attempts: 0 },
      { index: 2, ok: false, attempts: 0 },
      { index: 3, ok: false, attempts: 1 },
      { index: 4, ok: true, attempts: 2 },
      { index: 5, ok: true, attempts: 2 },
    ]);
    expect(seen).toEqual([
      { done: 1, updated: 1, failed: 0, notSent: 0, requests: 1, rateLimited: 0 },
      { done: 2, updated: 1, failed: 1, notSent: 1, requests: 1, rateLimited: 0 },
      { done: 3, updated: 1, failed: 2, notSent: 2, requests: 1, rateLimited: 0 },
      { done: 4, updated: 1, failed: 3, notSent: 2, requests: 2, rateLimited: 0 },
      { done: 5, updated: 2, failed: 3, notSent: 2, requests: 4, rateLimited: 1 },
      { done: 6, updated: 3, failed: 3, notSent: 2, requests: 6, rateLimited: 1 },
    ]);
    expect(fetches).toBe(6);
  });

  it('an item the client refuses before sending (a "." or ".." uuid, a lone surrogate, an update JSON cannot carry) is not sent: attempts 0, counted as not sent, no request', async () => {
    class Point {
      name = "Point";
    }
    const items = [
      { uuid: ".", update: { name: "Dot" } },
      { uuid: "..", update: { name: "Dots" } },
      { uuid: "a\uD800", update: { name: "Half" } },
      { uuid: uuidOf(0x200), update: new Point() },
      { uuid: uuidOf(0x201), update: { name: "Sent" } },
    ];
    let last: BulkProgress | undefined;
    const { results, fetches } = await collect(standIn, items, {
      concurrency: 1,
      onProgress: (progress) => (last = progress),
    });
    expectOneResultEach(results, 5);
    const refused: [string, string][] = [
      ["uuid", 'uuid must be a string other than "", "." or "..".'],
      ["uuid", 'uuid must be a string other than "", "." or "..".'],
      ["uuid", "uuid has a lone surrogate."],
      ["update", "The update is a Point, which JSON cannot carry."],
    ];
    for (const [index, [field, message]] of refused.entries()) {
      const result = results.find((one) => one.index === index)!;
      expect(result).toMatchObject({ uuid: items[index]!.uuid, ok: false, attempts: 0 });
      if (result.ok) continue;
      expect(result.error).toBeInstanceOf(CallbellInputError);
      expect(result.error).toMatchObject({ field, message });
    }
    expect(results.find((one) => one.index === 4)).toMatchObject({ ok: true, attempts: 1 });
    expect(fetches).toBe(1);
    expect(counts(last!)).toEqual({
      done: 5,
      updated: 1,
      failed: 4,
      notSent: 4,
      requests: 1,
      rateLimited: 0,
    });
  });

  it("each item left when the batch stops says why it was not sent: aborted, token refused, or input failed, with the cause", async () => {
    const notSent = (result: BulkResult | undefined, message: string, cause: unknown) => {
      expect(result).toMatchObject({ ok: false, attempts: 0 });
      const error = (result as { error: Error }).error;
      expect(error).toBeInstanceOf(NotSentError);
      expect(error.message).toBe(message);
      expect(error.cause).toBe(cause);
    };
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const aborted = await collect(standIn, [{ uuid: uuidOf(0x300), update: { name: "ok" } }], {
      signal: controller.signal,
    });
    notSent(
      aborted.results[0],
      "Not sent: the batch was aborted before this item's request.",
      controller.signal.reason,
    );

    const refused = await collect(
      standIn,
      [
        { uuid: uuidOf(0x301), update: { name: "401" } },
        { uuid: uuidOf(0x302), update: { name: "ok" } },
      ],
      { concurrency: 1 },
    );
    const refusal = refused.results[0] as { error: Error };
    expect(refusal).toMatchObject({ index: 0, ok: false, attempts: 1 });
    expect(refusal.error).toBeInstanceOf(AuthenticationError);
    notSent(
      refused.results[1],
      "Not sent: the batch stopped because Callbell refused the API token on an earlier item (the cause); " +
        "check the token, then send this item again.",
      refusal.error,
    );

    // The second item waits behind the first (same contact) when reading the third throws.
    const failure = new Error("read failed");
    async function* breaking() {
      yield { uuid: uuidOf(0x303), update: { name: "ok" } };
      yield { uuid: uuidOf(0x303), update: { name: "ok again" } };
      throw failure;
    }
    const results: BulkResult[] = [];
    await expect(
      (async () => {
        for await (const result of updateContacts(
          createCallbellClient({ token: TOKEN, baseUrl: standIn.url }),
          breaking(),
          {
            concurrency: 3,
          },
        ))
          results.push(result);
      })(),
    ).rejects.toBe(failure);
    expect(results.map((result) => result.index)).toEqual([0, 1]);
    expect(results[0]).toMatchObject({ ok: true, attempts: 1 });
    notSent(results[1], "Not sent: the batch stopped because reading its input failed (the cause).", failure);
  });
});

describe("a 429 slows the whole batch", () => {
  it("honours a whole-second Retry-After for the batch, not just the item, and lowers the rate", async () => {
    // 20 per second served, asked for 200: the first 429 pauses everything for about a second.
    const standIn = await startRateLimitedStandIn({ limit: 20, retryAfter: "seconds" });
    try {
      const items = Array.from({ length: 40 }, (_, index) => ({
        uuid: uuidOf(index),
        update: { name: "Paced" },
      }));
      const rates: number[] = [];
      const started = performance.now();
      const { results } = await collect(standIn, items, {
        ratePerSecond: 200,
        maxRetries: 10,
        onProgress: (progress: BulkProgress) => rates.push(progress.ratePerSecond),
      });
      const elapsed = performance.now() - started;
      expectOneResultEach(results, 40);
      expect(results.every((result) => result.ok)).toBe(true);
      const { requests, rateLimited } = standIn.stats();
      // Without a batch-wide pause, 200 per second against 20 would earn 429s by the hundred.
      expect(rateLimited).toBeGreaterThan(0);
      expect(rateLimited).toBeLessThan(requests / 2);
      expect(Math.min(...rates)).toBeLessThan(200);
      // 40 served at 20 per second take at least a second.
      expect(elapsed).toBeGreaterThan(900);
    } finally {
      await standIn.close();
    }
  });

  it("gives an item the client's typed error when its retries run out", async () => {
    const standIn = await startRateLimitedStandIn({ limit: 5_000, serverErrors: 1 });
    try {
      const { results } = await collect(standIn, [{ uuid: uuidOf(1), update: { name: "X" } }], {
        maxRetries: 2,
      });
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ ok: false, attempts: 3 });
      expect((results[0] as { error: Error }).error).toBeInstanceOf(InternalServerError);
    } finally {
      await standIn.close();
    }
  });

  it("fails an item at once when Retry-After is beyond the client's 60 s cap, as the client does", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_request, response) => {
      response.writeHead(429, { "retry-after": "120", "content-type": "application/json" });
      response.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const callbell = createCallbellClient({ token: TOKEN, baseUrl: `http://127.0.0.1:${port}/v1` });
      const results: BulkResult[] = [];
      for await (const result of updateContacts(callbell, [{ uuid: uuidOf(0), update: { name: "X" } }]))
        results.push(result);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ ok: false, attempts: 1 });
      const error = (results[0] as unknown as { error: RateLimitError }).error;
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.retryAfterMs).toBe(120_000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe(`properties (fast-check seed ${SEED}, ${NUM_RUNS} runs; FC_SEED and FC_NUM_RUNS override)`, () => {
  const item = fc.oneof(
    { weight: 4, arbitrary: fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }) }) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant({}),
        fc.record({ name: fc.constant("") }),
        fc.record({ phone_number: fc.string() }),
      ),
    },
  );
  const faults = fc.record({
    limit: fc.integer({ min: 50, max: 3_000 }),
    serverErrors: fc.double({ min: 0, max: 0.3, noNaN: true }),
    resets: fc.double({ min: 0, max: 0.2, noNaN: true }),
    retryAfter: fc.constantFrom("fractional", "none", "mixed" as const),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  });
  // No abort, an abort after some results were read, or after some milliseconds.
  const abort = fc.oneof(
    fc.constant({ kind: "none" as const, at: 0 }),
    fc.record({ kind: fc.constant("after-results" as const), at: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant("after-ms" as const), at: fc.integer({ min: 0, max: 60 }) }),
  );

  it("every item gets exactly one result, and nothing is sent after an abort", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 60 }),
        faults,
        abort,
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.record({
          ratePerSecond: fc.integer({ min: 300, max: 3_000 }),
          concurrency: fc.integer({ min: 1, max: 32 }),
        }),
        async (updates, fault, abortAt, maxRetries, asyncInput, pace) => {
          const standIn = await startRateLimitedStandIn(fault);
          try {
            const controller = new AbortController();
            const timer =
              abortAt.kind === "after-ms"
                ? setTimeout(() => controller.abort(new Error("time")), abortAt.at)
                : undefined;
            const items = updates.map((update, index) => ({ uuid: uuidOf(index), update }) as BulkItem);
            const input = asyncInput
              ? (async function* () {
                  yield* items;
                })()
              : items;
            let sentAfterAbort = 0;
            const callbell = createCallbellClient({
              token: TOKEN,
              baseUrl: standIn.url,
              timeoutMs: 5_000,
              fetch: (request, init) => {
                if (controller.signal.aborted) sentAfterAbort++;
                return fetch(request, init);
              },
            });
            const results: BulkResult[] = [];
            if (abortAt.kind === "after-results" && abortAt.at === 0) controller.abort(new Error("before"));
            for await (const result of updateContacts(callbell, input, {
              ...pace,
              maxRetries,
              signal: controller.signal,
              retryDelayMs: () => 1,
            })) {
              results.push(result);
              if (abortAt.kind === "after-results" && results.length === abortAt.at)
                controller.abort(new Error("results"));
            }
            clearTimeout(timer);

            expectOneResultEach(results, items.length);
            expect(sentAfterAbort).toBe(0);
            let attempts = 0;
            for (const result of results) {
              const valid = validUpdate(items[result.index]!.update);
              attempts += result.attempts;
              expect(result.uuid).toBe(uuidOf(result.index));
              expect(result.attempts).toBeLessThanOrEqual(maxRetries + 1);
              if (!valid) expect(result).toMatchObject({ ok: false, attempts: 0 });
              if (!valid && !result.ok) expect(result.error).toBeInstanceOf(CallbellInputError);
              if (result.ok) expect(result.attempts).toBeGreaterThan(0);
              if (!result.ok && result.attempts === 0 && valid)
                expect(result.error).toBeInstanceOf(NotSentError);
              // Every fault the stand-in plays is retryable: without an abort, a valid item fails only when its retries ran out.
              if (!controller.signal.aborted && valid && !result.ok)
                expect(result.attempts).toBe(maxRetries + 1);
            }
            // Every request the batch counted reached the server, and no other.
            expect(standIn.stats().requests).toBe(attempts);
          } finally {
            await standIn.close();
          }
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  }, 120_000);
});
