// updateContacts when one contact appears more than once, when the token is refused, and when the
// input throws, against the rate-limited stand-in (test/fakes/rate-limited-api.mjs) on
// 127.0.0.1 with `record` on: the stand-in keeps every request in arrival order, each contact as
// the answered updates left it, and counts a request that arrived while another for the same
// contact was unanswered (`overlaps`). The property at the end is the proof of the README's order
// guarantee ("One contact, one request at a time"); it fails on the batch before that guarantee.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { startRateLimitedStandIn } from "../fakes/rate-limited-api.mjs";
import {
  NotSentError,
  updateContacts,
  type BulkItem,
  type BulkResult,
  type UpdateContactsOptions,
} from "../../src/bulk/index.js";
import {
  AuthenticationError,
  createCallbellClient,
  NotFoundError,
  PermissionDeniedError,
  UnprocessableEntityError,
  type CallbellClient,
} from "../../src/client/index.js";

const TOKEN = "order_SECRET_0123456789abcdef";
const SEED = Number(process.env.FC_SEED ?? 20_261_206);
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 40);

type StandIn = Awaited<ReturnType<typeof startRateLimitedStandIn>>;
type Script = NonNullable<Parameters<typeof startRateLimitedStandIn>[0]>["script"];

const uuidOf = (contact: number) => `e${contact.toString(16).padStart(31, "0")}`;
/** Item `index` of a batch carries its index in its name: `i7` (and the stand-in hands it back to a script). */
const indexOf = (body: { name?: string }) => Number(body.name?.split(":")[0]?.slice(1));

async function collect(
  callbell: CallbellClient,
  items: Iterable<BulkItem> | AsyncIterable<BulkItem>,
  options: UpdateContactsOptions = {},
) {
  const results: BulkResult[] = [];
  for await (const result of updateContacts(callbell, items, options)) results.push(result);
  return results;
}

function expectOneResultEach(results: BulkResult[], count: number) {
  expect(results.map((result) => result.index).sort((a, b) => a - b)).toEqual(
    Array.from({ length: count }, (_, index) => index),
  );
}

/** Per contact, the item indexes of its requests in arrival order (a retry repeats its index). */
function arrivalsByContact(standIn: StandIn) {
  const byContact = new Map<string, number[]>();
  for (const { uuid, body } of standIn.history())
    byContact.set(uuid, [...(byContact.get(uuid) ?? []), indexOf(body)]);
  return byContact;
}

const isSorted = (indexes: number[]) => indexes.every((index, at) => at === 0 || indexes[at - 1]! <= index);

describe("one contact, one request at a time, in input order", () => {
  // The scenario: 20 contacts, three updates each, `c0-1`, `c0-2`, `c0-3` in that order.
  const rounds = Array.from({ length: 3 }, (_, round) =>
    Array.from({ length: 20 }, (_, contact) => ({
      uuid: uuidOf(contact),
      update: { name: `i${round * 20 + contact}:c${contact}-${round + 1}` },
    })),
  ).flat();

  async function scenario(script: Script) {
    const standIn = await startRateLimitedStandIn({ limit: 5_000, record: true, script });
    try {
      const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
      const results = await collect(callbell, rounds);
      expectOneResultEach(results, 60);
      expect(results.every((result) => result.ok)).toBe(true);
      expect(standIn.stats().overlaps).toBe(0);
      for (const [uuid, indexes] of arrivalsByContact(standIn)) expect(isSorted(indexes), uuid).toBe(true);
      const names = [...standIn.contacts()].map(([uuid, contact]) => [
        uuid,
        (contact as { name: string }).name.split(":")[1],
      ]);
      expect(names.sort()).toEqual(
        Array.from({ length: 20 }, (_, contact) => [uuidOf(contact), `c${contact}-3`]).sort(),
      );
      return { standIn, results };
    } finally {
      await standIn.close();
    }
  }

  it("a slow first update (120 ms, the others 5 ms): every contact ends at its last value", async () => {
    await scenario(({ nth }) => ({ delayMs: nth === 1 ? 120 : 5 }));
  });

  it("a first update answered 503 after 150 ms and retried: the retry goes before the newer updates, every contact ends at its last value", async () => {
    const { standIn, results } = await scenario(({ nth }) =>
      nth === 1 ? { delayMs: 150, status: 503 } : { delayMs: 5 },
    );
    expect(standIn.stats().serverErrors).toBe(20);
    expect(
      results
        .filter((result) => result.attempts === 2)
        .map((result) => result.index)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it("sends the later update when the earlier one finally fails, and records both", async () => {
    const standIn = await startRateLimitedStandIn({
      limit: 5_000,
      record: true,
      script: ({ nth }) => (nth === 1 ? { status: 503 } : {}),
    });
    try {
      const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
      const items = [0, 1].map((index) => ({ uuid: uuidOf(0), update: { name: `i${index}` } }));
      const results = await collect(callbell, items, { maxRetries: 0 });
      expect(results.map(({ index, ok }) => [index, ok])).toEqual([
        [0, false],
        [1, true],
      ]);
      expect((standIn.contacts().get(uuidOf(0)) as { name: string }).name).toBe("i1");
    } finally {
      await standIn.close();
    }
  });

  it("sends a contact's next update only once the loop has asked for the result after the earlier one's", async () => {
    const standIn = await startRateLimitedStandIn({ limit: 5_000, record: true });
    try {
      const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
      const items = [0, 1].map((index) => ({ uuid: uuidOf(0), update: { name: `i${index}` } }));
      const seenWhileHolding: number[] = [];
      for await (const result of updateContacts(callbell, items)) {
        // A slow loop (writing the result somewhere, say): the next update waits for it.
        await new Promise((resolve) => setTimeout(resolve, 100));
        seenWhileHolding.push(standIn.stats().requests);
        expect(result.ok).toBe(true);
      }
      expect(seenWhileHolding).toEqual([1, 2]);
    } finally {
      await standIn.close();
    }
  });

  it("does not hold other contacts back, and reads no further than `concurrency` items behind a busy contact", async () => {
    // The first contact's first update takes 300 ms; the input then repeats that contact for ever.
    const standIn = await startRateLimitedStandIn({
      limit: 50_000,
      record: true,
      script: ({ uuid, nth }) => ({ delayMs: uuid === uuidOf(0) && nth === 1 ? 300 : 0 }),
    });
    try {
      const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
      let pulled = 0;
      let delivered = 0;
      let maxAhead = 0;
      async function* input() {
        for (let index = 0; index < 4; index++) {
          pulled++;
          yield { uuid: uuidOf(index), update: { name: `i${index}` } };
        }
        for (let index = 4; ; index++) {
          pulled++;
          maxAhead = Math.max(maxAhead, pulled - delivered);
          yield { uuid: uuidOf(0), update: { name: `i${index}` } };
        }
      }
      const concurrency = 8;
      const firstResults: number[] = [];
      let pulledAtFirstOfContact0 = -1;
      for await (const result of updateContacts(callbell, input(), { ratePerSecond: 20_000, concurrency })) {
        delivered++;
        if (firstResults.length < 3) firstResults.push(result.index);
        // While the first contact's request hangs, reading stops once `concurrency` items are held (it and 7 behind it),
        // and one more when it settles.
        if (result.index === 0) pulledAtFirstOfContact0 = pulled;
        if (delivered === 300) break;
      }
      expect(pulledAtFirstOfContact0).toBeGreaterThanOrEqual(3 + concurrency);
      expect(pulledAtFirstOfContact0).toBeLessThanOrEqual(4 + concurrency);
      expect(firstResults.sort()).toEqual([1, 2, 3]);
      // Held: `concurrency` items, plus at most `concurrency` results waiting to be read, plus the one being read.
      expect(maxAhead).toBeLessThanOrEqual(2 * concurrency + 1);
      expect(standIn.stats().overlaps).toBe(0);
      expect(isSorted(arrivalsByContact(standIn).get(uuidOf(0))!)).toBe(true);
    } finally {
      await standIn.close();
    }
  }, 60_000);
});

describe("a refused token stops the batch", () => {
  /** A client whose calls are counted, and those made after the first refusal came back. */
  function countingClient(standIn: StandIn) {
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
    const counts = { calls: 0, afterRefusal: 0, pendingAtRefusal: -1, pending: 0 };
    const counting: CallbellClient = {
      ...callbell,
      updateContact: (uuid, update, options) => {
        counts.calls++;
        counts.pending++;
        if (counts.pendingAtRefusal >= 0) counts.afterRefusal++;
        return callbell.updateContact(uuid, update, options).then(
          (contact) => {
            counts.pending--;
            return contact;
          },
          (error: unknown) => {
            if (
              counts.pendingAtRefusal < 0 &&
              (error instanceof AuthenticationError || error instanceof PermissionDeniedError)
            )
              counts.pendingAtRefusal = counts.pending;
            counts.pending--;
            throw error;
          },
        );
      },
    };
    return { callbell: counting, counts };
  }

  for (const status of [401, 403]) {
    it(`a batch of 1,000 answered ${status} sends only the requests in flight when the first ${status} came back`, async () => {
      const standIn = await startRateLimitedStandIn({
        limit: 50_000,
        script: () => ({ status, delayMs: 2 }),
      });
      try {
        const { callbell, counts } = countingClient(standIn);
        const items = Array.from({ length: 1_000 }, (_, index) => ({
          uuid: uuidOf(index),
          update: { name: `i${index}` },
        }));
        const results = await collect(callbell, items);
        expectOneResultEach(results, 1_000);
        expect(counts.afterRefusal).toBe(0);
        expect(counts.calls).toBeLessThanOrEqual(counts.pendingAtRefusal);
        expect(standIn.stats().requests).toBe(counts.calls);
        const refusals = results.filter((result) => result.attempts > 0);
        const notSent = results.filter((result) => result.attempts === 0);
        expect(refusals.length).toBe(counts.calls);
        expect(notSent.length).toBe(1_000 - counts.calls);
        const Refusal = status === 401 ? AuthenticationError : PermissionDeniedError;
        for (const result of refusals) expect(!result.ok && result.error).toBeInstanceOf(Refusal);
        const first = (refusals[0] as { error: Error }).error;
        for (const result of notSent) {
          if (result.ok) throw new Error("a result not sent is ok");
          expect(result.error).toBeInstanceOf(NotSentError);
          expect(result.error.cause).toBe(first);
          expect(result.error.message).toContain("refused the API token");
          expect(result.error.message).not.toContain(TOKEN);
        }
      } finally {
        await standIn.close();
      }
    });
  }

  it("items in flight when the refusal comes back report their real outcome", async () => {
    // Item 5 gets a 401 after 30 ms; the other nine sent with it are answered at 150 ms (a 404 and a 422 among them).
    const script: Script = ({ body }) => {
      const index = indexOf(body);
      if (index === 5) return { status: 401, delayMs: 30 };
      return { delayMs: 150, ...(index === 1 ? { status: 404 } : index === 2 ? { status: 422 } : {}) };
    };
    const standIn = await startRateLimitedStandIn({ limit: 50_000, script });
    try {
      const items = Array.from({ length: 20 }, (_, index) => ({
        uuid: uuidOf(index),
        update: { name: `i${index}` },
      }));
      // Reading pauses at 10 items held: 0-9 are sent, 10-19 wait.
      const results = await collect(createCallbellClient({ token: TOKEN, baseUrl: standIn.url }), items, {
        concurrency: 10,
        ratePerSecond: 5_000,
      });
      expectOneResultEach(results, 20);
      const byIndex = new Map(results.map((result) => [result.index, result]));
      expect(byIndex.get(1)).toMatchObject({ ok: false, attempts: 1, error: expect.any(NotFoundError) });
      expect(byIndex.get(2)).toMatchObject({
        ok: false,
        attempts: 1,
        error: expect.any(UnprocessableEntityError),
      });
      expect(byIndex.get(5)).toMatchObject({
        ok: false,
        attempts: 1,
        error: expect.any(AuthenticationError),
      });
      for (const index of [0, 3, 4, 6, 7, 8, 9])
        expect(byIndex.get(index), String(index)).toMatchObject({ ok: true, attempts: 1 });
      for (let index = 10; index < 20; index++)
        expect((byIndex.get(index) as { error: Error }).error).toBeInstanceOf(NotSentError);
      expect(standIn.stats().requests).toBe(10);
    } finally {
      await standIn.close();
    }
  });

  it("a 404 or a 422 stays the item's own result: the batch goes on", async () => {
    const script: Script = ({ body }) => {
      const index = indexOf(body);
      return index === 1 ? { status: 404 } : index === 2 ? { status: 422 } : {};
    };
    const standIn = await startRateLimitedStandIn({ limit: 50_000, script });
    try {
      const items = Array.from({ length: 30 }, (_, index) => ({
        uuid: uuidOf(index),
        update: { name: `i${index}` },
      }));
      const results = await collect(createCallbellClient({ token: TOKEN, baseUrl: standIn.url }), items, {
        concurrency: 2,
        ratePerSecond: 5_000,
      });
      expectOneResultEach(results, 30);
      expect(results.filter((result) => result.ok)).toHaveLength(28);
      expect(standIn.stats().requests).toBe(30);
    } finally {
      await standIn.close();
    }
  });
});

describe("an input that throws part way", () => {
  it("stops sending; what is in flight reports, what was read and not sent gets a NotSentError, then the loop throws the input's error", async () => {
    const standIn = await startRateLimitedStandIn({
      limit: 50_000,
      record: true,
      script: () => ({ delayMs: 60 }),
    });
    try {
      const callbell = createCallbellClient({ token: TOKEN, baseUrl: standIn.url });
      const failure = new Error("read failed");
      let closed = false;
      // Items 0, 1 and 2 go out; item 3 (contact 0 again) waits behind item 0; then the input throws.
      async function* input() {
        try {
          for (const [index, contact] of [0, 1, 2, 0].entries())
            yield { uuid: uuidOf(contact), update: { name: `i${index}` } };
          await new Promise((resolve) => setTimeout(resolve, 10));
          throw failure;
        } finally {
          closed = true;
        }
      }
      const results: BulkResult[] = [];
      let thrown: unknown;
      try {
        for await (const result of updateContacts(callbell, input(), { ratePerSecond: 5_000 }))
          results.push(result);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBe(failure);
      expect(closed).toBe(true);
      expectOneResultEach(results, 4);
      const byIndex = new Map(results.map((result) => [result.index, result]));
      for (const index of [0, 1, 2]) expect(byIndex.get(index)).toMatchObject({ ok: true, attempts: 1 });
      const notSent = byIndex.get(3) as { ok: false; error: Error; attempts: number };
      expect(notSent).toMatchObject({ ok: false, attempts: 0 });
      expect(notSent.error).toBeInstanceOf(NotSentError);
      expect(notSent.error.cause).toBe(failure);
      expect(standIn.stats().requests).toBe(3);
    } finally {
      await standIn.close();
    }
  });
});

describe(`order property (fast-check seed ${SEED}, ${NUM_RUNS} runs; FC_SEED and FC_NUM_RUNS override)`, () => {
  // Few contacts, so that uuids repeat; each item's own answer delay; faults drawn by the stand-in.
  const batch = fc.array(
    fc.record({ contact: fc.integer({ min: 0, max: 5 }), delayMs: fc.integer({ min: 0, max: 25 }) }),
    { maxLength: 30 },
  );
  const faults = fc.record({
    // A low limit earns 429s even at the pace of contacts sent one request at a time.
    limit: fc.oneof(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 13, max: 3_000 })),
    serverErrors: fc.double({ min: 0, max: 0.5, noNaN: true }),
    resets: fc.double({ min: 0, max: 0.2, noNaN: true }),
    retryAfter: fc.constantFrom("fractional", "none", "mixed" as const),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  });
  const abort = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: "none" as const, at: 0 }) },
    fc.record({ kind: fc.constant("after-results" as const), at: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ kind: fc.constant("after-ms" as const), at: fc.integer({ min: 0, max: 80 }) }),
  );
  const reached = {
    runs: 0,
    repeats: 0,
    waitedBehind: 0,
    retries: 0,
    rateLimited: 0,
    resets: 0,
    serverErrors: 0,
    aborts: 0,
    laterAfterFailure: 0,
  };

  it("per contact: requests in input order, never two in flight, each ends at its last value sent; every item one result", async () => {
    await fc.assert(
      fc.asyncProperty(
        batch,
        faults,
        abort,
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        fc.record({
          ratePerSecond: fc.integer({ min: 300, max: 3_000 }),
          concurrency: fc.integer({ min: 1, max: 16 }),
        }),
        async (entries, fault, abortAt, maxRetries, asyncInput, pace) => {
          const standIn = await startRateLimitedStandIn({
            ...fault,
            record: true,
            script: ({ body }) => ({ delayMs: entries[indexOf(body)]?.delayMs ?? 0 }),
          });
          try {
            const controller = new AbortController();
            const timer =
              abortAt.kind === "after-ms"
                ? setTimeout(() => controller.abort(new Error("time")), abortAt.at)
                : undefined;
            const items: BulkItem[] = entries.map(({ contact }, index) => ({
              uuid: uuidOf(contact),
              update: { name: `i${index}` },
            }));
            const input = asyncInput
              ? (async function* () {
                  yield* items;
                })()
              : items;
            let sentAfterAbort = 0;
            const callbell = createCallbellClient({
              token: TOKEN,
              baseUrl: standIn.url,
              timeoutMs: 10_000,
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
            const stats = standIn.stats();
            expect(stats.overlaps).toBe(0);
            expect(stats.requests).toBe(results.reduce((sum, result) => sum + result.attempts, 0));
            const arrivals = arrivalsByContact(standIn);
            for (const [uuid, indexes] of arrivals)
              expect(isSorted(indexes), `${uuid}: ${indexes.join(" ")}`).toBe(true);
            // Each contact holds its last update that succeeded; none that failed or was not sent was applied.
            for (const [uuid, contact] of standIn.contacts()) {
              const succeeded = results
                .filter((result) => result.ok && result.uuid === uuid)
                .map((result) => result.index);
              expect((contact as { name: string }).name).toBe(`i${Math.max(...succeeded)}`);
            }
            expect(standIn.contacts().size).toBe(
              new Set(results.filter((result) => result.ok).map((result) => result.uuid)).size,
            );

            // What this run reached.
            reached.runs++;
            const counts = new Map<string, number>();
            for (const item of items) counts.set(item.uuid, (counts.get(item.uuid) ?? 0) + 1);
            if ([...counts.values()].some((count) => count > 1)) reached.repeats++;
            // An item sent while an earlier one of its contact would still have been in flight had it not waited.
            if (pace.concurrency > 1 && [...arrivals.values()].some((indexes) => new Set(indexes).size > 1))
              reached.waitedBehind++;
            if (results.some((result) => result.attempts > 1)) reached.retries++;
            if (stats.rateLimited > 0) reached.rateLimited++;
            if (stats.resets > 0) reached.resets++;
            if (stats.serverErrors > 0) reached.serverErrors++;
            if (results.some((result) => !result.ok && result.error instanceof NotSentError))
              reached.aborts++;
            const failedFirst = results.some(
              (failed) =>
                !failed.ok &&
                failed.attempts > 0 &&
                results.some(
                  (later) => later.uuid === failed.uuid && later.index > failed.index && later.attempts > 0,
                ),
            );
            if (failedFirst) reached.laterAfterFailure++;
          } finally {
            await standIn.close();
          }
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS },
    );
    console.log(`order property reached: ${JSON.stringify(reached)}`);
    for (const [category, runs] of Object.entries(reached)) expect(runs, category).toBeGreaterThan(0);
  }, 180_000);
});
