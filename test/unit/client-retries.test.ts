// The retry loop with a stubbed fetch and fake timers: which failures are retried, how long each
// wait is, what the caller's signal and the timeout do, and what every attempt sends.
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CallbellConnectionError,
  CallbellError,
  CallbellInputError,
  CallbellResponseFormatError,
  CallbellTimeoutError,
  createCallbellClient,
  InternalServerError,
  RateLimitError,
  type CallbellAPIError,
  type CallbellClientOptions,
  type RequestOptions,
} from "../../src/client/index.js";
import { leaksOf } from "../support/secret-leaks.js";
import { json, stubFetch, TOKEN, UUID, type Reply } from "../support/stub-fetch.js";

const BASE = "http://api.test/v1";
// A whole second, so that HTTP-dates (which have no milliseconds) give exact waits.
const NOW = Date.parse("Wed, 25 Nov 2026 19:08:14 GMT");
const contact = { uuid: UUID, name: "Joe" };
const UPDATE = { name: "Joé 😀", tags: ["a", "b"], custom_fields: { n: 1.5 } };
const connectionFailure = () =>
  new TypeError("fetch failed", {
    cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
  });

beforeEach(() => {
  vi.useFakeTimers();
  // No jitter, so that every wait is exact: 500 ms, 1 s, 2 s, … (jitter is tested in retry-policy.test.ts).
  vi.spyOn(Math, "random").mockReturnValue(0);
});

afterEach(() => {
  // Every timer the client set was cleared or has fired, whatever the outcome.
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A client on a scripted stub; `calledAt` holds the fake clock at each attempt. */
function client(replies: Reply[], options: Partial<CallbellClientOptions> = {}) {
  const stub = stubFetch(...replies);
  const calledAt: number[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit) => {
    calledAt.push(Date.now());
    return stub.fetch(input, init);
  };
  const callbell = createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch, ...options });
  return { callbell, sent: stub.sent, calledAt };
}

/** Starts a call and records what it resolves or throws, and when, on the fake clock. */
function track<T>(call: Promise<T>): Promise<{ value?: T; error?: unknown; at: number }> {
  const start = Date.now();
  return call.then(
    (value) => ({ value, at: Date.now() - start }),
    (error: unknown) => ({ error, at: Date.now() - start }),
  );
}

/** Starts a call, runs the fake clock until it settles, and returns what it resolved or threw. */
async function settle<T>(call: Promise<T>) {
  const outcome = track(call);
  await vi.runAllTimersAsync();
  return outcome;
}

const waitsBetween = (calledAt: number[]) => calledAt.slice(1).map((at, index) => at - calledAt[index]!);

/** A fetch that never answers, but gives up when its signal aborts, as real ones do. */
function hangingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  void input;
  return new Promise((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
  });
}

describe("what is retried", () => {
  it.each([408, 429, 500, 502, 503, 504])(
    "%i: retried twice, then the typed error says 3 attempts",
    async (status) => {
      const { callbell, sent } = client([json(status, { message: "busy" })]);
      const { error } = await settle(callbell.updateContact(UUID, UPDATE));
      expect(error).toBeInstanceOf(CallbellError);
      expect((error as CallbellAPIError).status).toBe(status);
      expect((error as CallbellAPIError).attempts).toBe(3);
      expect((error as Error).message).toContain("after 3 attempts: busy");
      expect(sent).toHaveLength(3);
    },
  );

  it.each([400, 401, 403, 404, 409, 422])("%i: never retried", async (status) => {
    const { callbell, sent } = client([json(status, { message: "no" })]);
    const { error, at } = await settle(callbell.updateContact(UUID, UPDATE));
    expect((error as CallbellAPIError).status).toBe(status);
    expect((error as CallbellAPIError).attempts).toBe(1);
    expect(sent).toHaveLength(1);
    expect(at).toBe(0);
  });

  it("a connection error: retried, then CallbellConnectionError with the attempt count and the cause", async () => {
    const failure = connectionFailure();
    const { callbell, sent } = client([failure]);
    const { error } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(error).toBeInstanceOf(CallbellConnectionError);
    expect((error as CallbellConnectionError).attempts).toBe(3);
    expect((error as Error).message).toBe("Could not reach Callbell after 3 attempts: read ECONNRESET.");
    expect((error as Error).cause).toBe(failure);
    expect(sent).toHaveLength(3);
  });

  it("a failure then a success resolves, whatever failed before", async () => {
    const { callbell, sent } = client([connectionFailure(), json(503, {}), json(200, { contact })]);
    const { value } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(value).toEqual(contact);
    expect(sent).toHaveLength(3);
  });

  it("a 2xx whose body is not a contact is not retried (the update was applied)", async () => {
    const { callbell, sent } = client([
      json(503, {}),
      new Response("{", { status: 200, headers: { "Content-Type": "application/json" } }),
    ]);
    const { error } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(error).toBeInstanceOf(CallbellResponseFormatError);
    expect((error as CallbellResponseFormatError).attempts).toBe(2);
    expect((error as Error).message).toBe("Callbell answered 200 after 2 attempts but the body is not JSON.");
    expect(sent).toHaveLength(2);
  });

  it.each([
    ["maxRetries: 0 on the client", { maxRetries: 0 }, {}, 1],
    ["maxRetries: 5 on the client", { maxRetries: 5 }, {}, 6],
    ["maxRetries: 1 for one call", {}, { maxRetries: 1 }, 2],
    ["maxRetries: 0 for one call over the client's 5", { maxRetries: 5 }, { maxRetries: 0 }, 1],
  ])("%s: %i attempts in all", async (_what, clientOptions, callOptions: RequestOptions, attempts) => {
    const { callbell, sent } = client([json(500, {})], clientOptions);
    const { error } = await settle(callbell.updateContact(UUID, UPDATE, callOptions));
    expect((error as InternalServerError).attempts).toBe(attempts);
    expect(sent).toHaveLength(attempts);
  });
});

describe("how long it waits", () => {
  it("backs off 0.5 s doubling to 8 s when the server gives no Retry-After", async () => {
    const { callbell, calledAt } = client([json(503, {})], { maxRetries: 6 });
    await settle(callbell.updateContact(UUID, UPDATE));
    expect(waitsBetween(calledAt)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it.each([
    ["delta-seconds", { "Retry-After": "2" }, 2_000],
    ["zero", { "Retry-After": "0" }, 0],
    ["an HTTP-date", { "Retry-After": "Wed, 25 Nov 2026 19:08:17 GMT" }, 3_000],
    ["an RFC 850 date", { "Retry-After": "Wednesday, 25-Nov-26 19:08:17 GMT" }, 3_000],
    ["an asctime date", { "Retry-After": "Wed Nov 25 19:08:17 2026" }, 3_000],
    ["an HTTP-date in the past", { "Retry-After": "Wed, 25 Nov 2026 19:08:00 GMT" }, 0],
    ["exactly the 60 s cap", { "Retry-After": "60" }, 60_000],
    ["something unreadable: the backoff instead", { "Retry-After": "soon" }, 500],
  ])("honours Retry-After as %s", async (_what, headers, wait) => {
    vi.setSystemTime(NOW);
    const { callbell, calledAt } = client([json(429, {}, headers), json(200, { contact })]);
    const { value } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(value).toEqual(contact);
    expect(waitsBetween(calledAt)).toEqual([wait]);
  });

  it.each(["Wed, 25 Nov 2026 19:08:00 GMT", "Wednesday, 25-Nov-26 19:08:00 GMT", "Wed Nov 25 19:08:00 2026"])(
    "a date in the past (%s) means no wait: the RateLimitError's retryAfterMs is 0, never below",
    async (date) => {
      vi.setSystemTime(NOW);
      const { callbell } = client([json(429, {}, { "Retry-After": date })], { maxRetries: 0 });
      const { error } = await settle(callbell.updateContact(UUID, UPDATE));
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).retryAfterMs).toBe(0);
    },
  );

  it("honours Retry-After on a 503 too", async () => {
    const { callbell, calledAt } = client([json(503, {}, { "Retry-After": "7" }), json(200, { contact })]);
    await settle(callbell.updateContact(UUID, UPDATE));
    expect(waitsBetween(calledAt)).toEqual([7_000]);
  });

  it.each([
    ["61 seconds", "61", 61_000],
    ["an hour, as a date", "Wed, 25 Nov 2026 20:08:14 GMT", 3_600_000],
  ])(
    "fails fast with the RateLimitError when Retry-After is above the cap (%s)",
    async (_what, retryAfter, ms) => {
      vi.setSystemTime(NOW);
      const { callbell, sent } = client([json(429, { error: "quota" }, { "Retry-After": retryAfter })]);
      const { error, at } = await settle(callbell.updateContact(UUID, UPDATE));
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).attempts).toBe(1);
      expect((error as RateLimitError).retryAfter).toBe(retryAfter);
      expect((error as RateLimitError).retryAfterMs).toBe(ms);
      expect(sent).toHaveLength(1);
      expect(at).toBe(0);
    },
  );

  it("bounds the whole call: 3 timed-out attempts of 30 s plus 0.5 s and 1 s of backoff", async () => {
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch: hangingFetch });
    const { error, at } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(error).toBeInstanceOf(CallbellTimeoutError);
    expect(at).toBe(3 * 30_000 + 500 + 1_000);
  });
});

describe("timeouts", () => {
  it("a timeout is a CallbellTimeoutError, a kind of CallbellConnectionError, with the limit and the attempts", async () => {
    const callbell = createCallbellClient({
      token: TOKEN,
      baseUrl: BASE,
      fetch: hangingFetch,
      timeoutMs: 1_000,
      maxRetries: 1,
    });
    const { error, at } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(error).toBeInstanceOf(CallbellTimeoutError);
    expect(error).toBeInstanceOf(CallbellConnectionError);
    expect(error).toMatchObject({ name: "CallbellTimeoutError", timeoutMs: 1_000, attempts: 2 });
    expect((error as Error).message).toBe(
      "Could not reach Callbell after 2 attempts: no answer within the 1000 ms timeout (timeoutMs).",
    );
    expect(at).toBe(2 * 1_000 + 500);
  });

  it("timeoutMs for one call overrides the client's", async () => {
    const callbell = createCallbellClient({
      token: TOKEN,
      baseUrl: BASE,
      fetch: hangingFetch,
      maxRetries: 0,
    });
    const { error, at } = await settle(callbell.updateContact(UUID, UPDATE, { timeoutMs: 250 }));
    expect((error as CallbellTimeoutError).timeoutMs).toBe(250);
    expect(at).toBe(250);
  });

  it("a timed-out attempt is retried, and a later answer wins", async () => {
    let calls = 0;
    const fetch = (input: string | URL | Request, init?: RequestInit) =>
      ++calls === 1 ? hangingFetch(input, init) : Promise.resolve(json(200, { contact }));
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch, timeoutMs: 1_000 });
    const { value, at } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(value).toEqual(contact);
    expect(at).toBe(1_000 + 500);
  });
});

describe("the caller's signal", () => {
  it("already aborted: rejects with its reason and sends nothing", async () => {
    const { callbell, sent } = client([json(200, { contact })]);
    const reason = new Error("not wanted any more");
    const { error } = await settle(
      callbell.updateContact(UUID, UPDATE, { signal: AbortSignal.abort(reason) }),
    );
    expect(error).toBe(reason);
    expect(sent).toHaveLength(0);
  });

  it("aborted during an attempt: rejects with its reason, not retried and not a timeout", async () => {
    const controller = new AbortController();
    const fetch = (input: string | URL | Request, init?: RequestInit) => {
      setTimeout(() => controller.abort(), 100);
      return hangingFetch(input, init);
    };
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch });
    const { error, at } = await settle(callbell.updateContact(UUID, UPDATE, { signal: controller.signal }));
    expect(error).toBe(controller.signal.reason);
    expect((error as DOMException).name).toBe("AbortError");
    expect(at).toBe(100);
  });

  it("aborted during the backoff: rejects at once, with no further attempt and no listener left", async () => {
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, "addEventListener");
    const removed = vi.spyOn(controller.signal, "removeEventListener");
    const { callbell, sent } = client([json(503, {})]);
    const call = track(callbell.updateContact(UUID, UPDATE, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(200);
    controller.abort("stop");
    const { error, at } = await call;
    expect(error).toBe("stop");
    expect(at).toBe(200);
    expect(sent).toHaveLength(1);
    // One listener for the attempt, one for the wait: the abort takes the wait's off too.
    expect(added.mock.calls.length).toBe(2);
    expect(removed.mock.calls.length).toBe(added.mock.calls.length);
  });

  it("one signal for several calls: an abort stops every call still in flight at once, also after another has finished", async () => {
    const controller = new AbortController();
    let calls = 0;
    const fetch = (input: string | URL | Request, init?: RequestInit) =>
      calls++ === 0 ? Promise.resolve(json(200, { contact })) : hangingFetch(input, init);
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch, maxRetries: 0 });
    const options = { signal: controller.signal };
    const finished = track(callbell.updateContact(UUID, UPDATE, options));
    const inFlight = [
      track(callbell.updateContact(UUID, UPDATE, options)),
      track(callbell.updateContact(UUID, UPDATE, options)),
    ];
    await vi.advanceTimersByTimeAsync(100);
    expect((await finished).value).toEqual(contact);
    controller.abort("stop");
    await vi.runAllTimersAsync();
    // Not at the 30 s timeout: the abort reached both, though the first call took its listener off.
    for (const call of inFlight) expect(await call).toEqual({ error: "stop", at: 100 });
  });

  it("aborted during a Retry-After wait: rejects at once", async () => {
    const controller = new AbortController();
    const { callbell, sent } = client([json(429, {}, { "Retry-After": "30" })]);
    const call = track(callbell.updateContact(UUID, UPDATE, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(1_000);
    controller.abort();
    const { error, at } = await call;
    expect((error as DOMException).name).toBe("AbortError");
    expect(at).toBe(1_000);
    expect(sent).toHaveLength(1);
  });

  it("a signal that never fires leaves no listener behind", async () => {
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, "addEventListener");
    const removed = vi.spyOn(controller.signal, "removeEventListener");
    const { callbell } = client([json(503, {}), json(200, { contact })]);
    await settle(callbell.updateContact(UUID, UPDATE, { signal: controller.signal }));
    expect(added.mock.calls.length).toBeGreaterThan(0);
    expect(removed.mock.calls.length).toBe(added.mock.calls.length);
  });
});

describe("every attempt", () => {
  it("re-sends the body byte for byte, with the same headers", async () => {
    const { callbell, sent } = client([json(503, {}), connectionFailure(), json(200, { contact })]);
    await settle(callbell.updateContact(UUID, UPDATE));
    expect(sent).toHaveLength(3);
    for (const request of sent) {
      expect(request.body).toBe(JSON.stringify(UPDATE));
      expect(request.method).toBe("PATCH");
      expect(request.url).toBe(`${BASE}/contacts/${UUID}`);
      expect([...request.headers]).toEqual([...sent[0]!.headers]);
    }
  });

  it("re-sends the body byte for byte through callbell.api too", async () => {
    const { callbell, sent } = client([json(500, {}), json(200, { contact })]);
    const { value } = await settle(
      callbell.api.PATCH("/contacts/{uuid}", { params: { path: { uuid: UUID } }, body: UPDATE }),
    );
    expect(value!.data).toEqual({ contact });
    expect(sent.map((request) => request.body)).toEqual([JSON.stringify(UPDATE), JSON.stringify(UPDATE)]);
    expect(sent[1]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("callbell.api hands back the last response once retries run out", async () => {
    const { callbell, sent } = client([json(503, { message: "down" })]);
    const { value } = await settle(
      callbell.api.PATCH("/contacts/{uuid}", { params: { path: { uuid: UUID } }, body: UPDATE }),
    );
    expect(value!.response.status).toBe(503);
    expect(value!.error).toEqual({ message: "down" });
    expect(sent).toHaveLength(3);
  });

  it("callbell.api refuses a 204 with no contact, as updateContact does, and does not retry it", async () => {
    const { callbell, sent } = client([new Response(null, { status: 204 })]);
    const { error } = await settle(
      callbell.api.PATCH("/contacts/{uuid}", { params: { path: { uuid: UUID } }, body: UPDATE }),
    );
    expect(error).toBeInstanceOf(CallbellResponseFormatError);
    expect(sent).toHaveLength(1);
  });

  it("asks a token function for the token again, and awaits it", async () => {
    const tokens = ["first_token", "second_token"];
    const token = vi.fn(async () => tokens.shift()!);
    const { callbell, sent } = client([json(503, {}), json(200, { contact })], { token });
    await settle(callbell.updateContact(UUID, UPDATE));
    expect(token).toHaveBeenCalledTimes(2);
    expect(sent.map((request) => request.headers.get("authorization"))).toEqual([
      "Bearer first_token",
      "Bearer second_token",
    ]);
  });

  it("refuses what a token function returns when it cannot be a bearer token, before sending and without echoing it", async () => {
    const { callbell, sent } = client([json(200, { contact })], { token: () => "has a\nnewline" });
    const { error } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(error).toBeInstanceOf(CallbellInputError);
    expect((error as CallbellInputError).field).toBe("token");
    expect((error as Error).message).not.toContain("newline");
    expect(sent).toHaveLength(0);
  });

  it("wraps a token function's own error in a CallbellInputError, as its cause, sending nothing", async () => {
    const failure = new Error("vault is sealed");
    const { callbell, sent } = client([json(200, { contact })], { token: () => Promise.reject(failure) });
    const { error } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(error).toBeInstanceOf(CallbellInputError);
    expect((error as Error).cause).toBe(failure);
    expect((error as Error).message).toBe("The token function failed (its `cause`).");
    expect(sent).toHaveLength(0);
  });
});

describe("the token is masked", () => {
  it.each([
    ["a rate-limit error", [json(429, { message: `slow down, ${TOKEN}` })]],
    ["a connection error", [connectionFailure()]],
    ["a 2xx that is not a contact", [new Response(`token was ${TOKEN}`, { status: 200 })]],
  ] as const)("in %s, even where the server echoes it in the body", async (_what, replies) => {
    const { callbell } = client([...replies]);
    const { error } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(error).toBeInstanceOf(CallbellError);
    expect(leaksOf(error, TOKEN)).toEqual([]);
  });

  it("in what callbell.api returns, where the server echoes it", async () => {
    const { callbell } = client([json(401, { message: `bad token ${TOKEN}` })]);
    const { value } = await settle(
      callbell.api.PATCH("/contacts/{uuid}", { params: { path: { uuid: UUID } }, body: UPDATE }),
    );
    expect(value!.error).toEqual({ message: "bad token [redacted]" });
  });

  it("in a timeout error", async () => {
    const callbell = createCallbellClient({
      token: TOKEN,
      baseUrl: BASE,
      fetch: hangingFetch,
      maxRetries: 0,
    });
    const { error } = await settle(callbell.updateContact(UUID, UPDATE));
    expect(error).toBeInstanceOf(CallbellTimeoutError);
    expect(leaksOf(error, TOKEN)).toEqual([]);
  });

  it("on the client, whether the token is a string or a function", () => {
    for (const token of [TOKEN, () => TOKEN]) {
      const callbell = createCallbellClient({ token, baseUrl: BASE });
      expect(inspect(callbell, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
      expect(JSON.stringify(callbell)).not.toContain(TOKEN);
    }
  });
});

describe("options are checked when the client is made and per call", () => {
  it.each([
    ["timeoutMs", { timeoutMs: 0 }],
    ["timeoutMs", { timeoutMs: -1 }],
    ["timeoutMs", { timeoutMs: Number.NaN }],
    ["timeoutMs", { timeoutMs: 2 ** 31 }],
    ["timeoutMs", { timeoutMs: "1000" }],
    ["maxRetries", { maxRetries: -1 }],
    ["maxRetries", { maxRetries: 1.5 }],
    ["maxRetries", { maxRetries: Infinity }],
    ["token", { token: 42 }],
  ])("refuses a bad %s (%o)", async (field, options) => {
    const make = () => createCallbellClient({ token: TOKEN, baseUrl: BASE, ...(options as object) });
    expect(make).toThrow(CallbellInputError);
    expect(make).toThrow(expect.objectContaining({ field }));
    if (field === "timeoutMs" || field === "maxRetries") {
      const { callbell, sent } = client([json(200, { contact })]);
      const { error } = await settle(callbell.updateContact(UUID, UPDATE, options as RequestOptions));
      expect(error).toBeInstanceOf(CallbellInputError);
      expect((error as CallbellInputError).field).toBe(field);
      expect(sent).toHaveLength(0);
    }
  });

  it.each([
    [{ timeoutMs: 0 }, "timeoutMs must be above 0, below 2^31."],
    [{ maxRetries: -1 }, "maxRetries must be an integer >= 0."],
    [{ maxResponseBytes: 0 }, "maxResponseBytes must be an integer > 0."],
  ])("says what %o may be", (options, message) => {
    expect(() => createCallbellClient({ token: TOKEN, baseUrl: BASE, ...options })).toThrow(message);
  });
});
