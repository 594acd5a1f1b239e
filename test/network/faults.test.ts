// Fault injection: the client against a scripted local server that plays every failure the real
// network has. Each case checks the typed result, how many attempts reached the server, and the
// elapsed time. The client runs with its real retry policy (backoff 0.5 s then 1 s, less up to a
// quarter of jitter) and real Retry-After waits; only timeoutMs is lowered where a case needs a
// timeout. Cases run concurrently, so the file takes as long as its slowest case.
import { describe, it as base, type ExpectStatic } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  CallbellConnectionError,
  CallbellResponseFormatError,
  CallbellTimeoutError,
  createCallbellClient,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  UnprocessableEntityError,
  type CallbellClientOptions,
} from "../../src/client/index.js";
import { leaksOf } from "../support/secret-leaks.js";
import {
  contact,
  hang,
  reply,
  reset,
  startScriptedServer,
  trickle,
  type ScriptedServer,
  type Step,
} from "../fakes/scripted-api.js";

const TOKEN = "fault_SECRET_0123456789abcdef";
const UPDATE = { name: "Joe", tags: ["Interested"], custom_fields: { orderNumber: 123 } };
// The waits before retry 1 and retry 2 when the server gives no Retry-After: 0.5 s and 1 s,
// each shortened by up to a quarter.
const FIRST_BACKOFF = [375, 500] as const;
const BOTH_BACKOFFS = [375 + 750, 500 + 1000] as const;
// Timers never fire early (allow 5 ms of clock rounding); they may fire late on a busy machine.
const EARLY = 5;
const LATE = 600;

// Each test gets its own servers, closed when that test ends (tests run concurrently).
const it = base.extend<{ serve: (...steps: Step[]) => Promise<ScriptedServer> }>({
  serve: async ({}, use) => {
    const servers: ScriptedServer[] = [];
    await use(async (...steps) => {
      const server = await startScriptedServer(...steps);
      servers.push(server);
      return server;
    });
    await Promise.all(servers.map((server) => server.close()));
  },
});

type Serve = (...steps: Step[]) => Promise<ScriptedServer>;

/** Runs updateContact against a server playing `steps`; returns what it resolved or threw, and timings. */
async function run(serve: Serve, steps: Step[], options: Partial<CallbellClientOptions> = {}) {
  const server = await serve(...steps);
  const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url, ...options });
  const started = performance.now();
  const outcome = await callbell.updateContact(contact.uuid, UPDATE).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  const elapsed = performance.now() - started;
  const gaps = server.arrivals.slice(1).map((arrival, index) => arrival.at - server.arrivals[index]!.at);
  return { ...outcome, elapsed, gaps, arrivals: server.arrivals };
}

function within(expect: ExpectStatic, ms: number, [low, high]: readonly [number, number], what: string) {
  expect(ms, `${what}: ${Math.round(ms)} ms, expected ${low}–${high} ms`).toBeGreaterThanOrEqual(low - EARLY);
  expect(ms, `${what}: ${Math.round(ms)} ms, expected ${low}–${high} ms`).toBeLessThanOrEqual(high + LATE);
}

/** Every attempt carried the same body, byte for byte, and the token. */
function expectSameRequests(expect: ExpectStatic, arrivals: ScriptedServer["arrivals"]) {
  for (const arrival of arrivals) {
    expect(arrival.method).toBe("PATCH");
    expect(arrival.url).toBe(`/v1/contacts/${contact.uuid}`);
    expect(arrival.body).toBe(JSON.stringify(UPDATE));
    expect(arrival.headers.authorization).toBe(`Bearer ${TOKEN}`);
  }
}

function expectNoToken(expect: ExpectStatic, error: unknown) {
  expect(leaksOf(error, TOKEN)).toEqual([]);
}

describe.concurrent("connection faults", () => {
  it("a connection reset on every attempt: CallbellConnectionError after 3 attempts and both backoffs", async ({
    expect,
    serve,
  }) => {
    const { error, arrivals, elapsed } = await run(serve, [reset]);
    expect(error).toBeInstanceOf(CallbellConnectionError);
    expect(error).not.toBeInstanceOf(CallbellTimeoutError);
    expect((error as CallbellConnectionError).attempts).toBe(3);
    expect((error as Error).message).toMatch(/^Could not reach Callbell after 3 attempts: .*ECONNRESET/);
    expect(arrivals).toHaveLength(3);
    expectSameRequests(expect, arrivals);
    within(expect, elapsed, BOTH_BACKOFFS, "elapsed");
    expectNoToken(expect, error);
  });

  it("a reset, then 200: resolves on the second attempt after one backoff", async ({ expect, serve }) => {
    const { value, arrivals, gaps } = await run(serve, [reset, reply(200)]);
    expect(value).toEqual(contact);
    expect(arrivals).toHaveLength(2);
    expectSameRequests(expect, arrivals);
    within(expect, gaps[0]!, FIRST_BACKOFF, "wait before retry");
  });

  it("a server that hangs past the timeout: CallbellTimeoutError after 3 timed-out attempts", async ({
    expect,
    serve,
  }) => {
    const timeoutMs = 250;
    const { error, arrivals, elapsed } = await run(serve, [hang], { timeoutMs });
    expect(error).toBeInstanceOf(CallbellTimeoutError);
    expect(error).toBeInstanceOf(CallbellConnectionError);
    expect((error as CallbellTimeoutError).attempts).toBe(3);
    expect((error as CallbellTimeoutError).timeoutMs).toBe(timeoutMs);
    expect((error as Error).message).toBe(
      "Could not reach Callbell after 3 attempts: no answer within the 250 ms timeout (timeoutMs).",
    );
    expect(arrivals).toHaveLength(3);
    within(expect, elapsed, [3 * timeoutMs + BOTH_BACKOFFS[0], 3 * timeoutMs + BOTH_BACKOFFS[1]], "elapsed");
    expectNoToken(expect, error);
  });

  it("a slow body that ends within the timeout: resolves on the first attempt", async ({ expect, serve }) => {
    const body = JSON.stringify({ contact });
    const pieces = [body.slice(0, 10), body.slice(10, 30), body.slice(30, 50), body.slice(50)];
    const { value, arrivals, elapsed } = await run(serve, [trickle(pieces, 80)], { timeoutMs: 2_000 });
    expect(value).toEqual(contact);
    expect(arrivals).toHaveLength(1);
    within(expect, elapsed, [4 * 80, 4 * 80], "elapsed");
  });

  it("a body that stalls after its first bytes: CallbellTimeoutError, the timeout covering the body too", async ({
    expect,
    serve,
  }) => {
    const timeoutMs = 300;
    const { error, arrivals, elapsed } = await run(
      serve,
      [trickle(['{"contact":', "{}}"], 10, { stallAfter: 1 })],
      { timeoutMs, maxRetries: 1 },
    );
    expect(error).toBeInstanceOf(CallbellTimeoutError);
    expect((error as CallbellTimeoutError).attempts).toBe(2);
    expect(arrivals).toHaveLength(2);
    within(expect, elapsed, [2 * timeoutMs + FIRST_BACKOFF[0], 2 * timeoutMs + FIRST_BACKOFF[1]], "elapsed");
  });

  it("a body cut off by a reset, then 200: retried, resolves on the second attempt", async ({
    expect,
    serve,
  }) => {
    const { value, arrivals, gaps } = await run(serve, [
      trickle(['{"contact":', "{}}"], 10, { resetAfter: 1 }),
      reply(200),
    ]);
    expect(value).toEqual(contact);
    expect(arrivals).toHaveLength(2);
    expectSameRequests(expect, arrivals);
    within(expect, gaps[0]!, FIRST_BACKOFF, "wait before retry");
  });
});

describe.concurrent("rate limits and server errors", () => {
  it("429 with Retry-After: 1, then 200: waits the second the server asked for", async ({
    expect,
    serve,
  }) => {
    const { value, arrivals, gaps } = await run(serve, [
      reply(429, { error: "Too Many Requests" }, { "Retry-After": "1" }),
      reply(200),
    ]);
    expect(value).toEqual(contact);
    expect(arrivals).toHaveLength(2);
    expectSameRequests(expect, arrivals);
    within(expect, gaps[0]!, [1_000, 1_000], "wait before retry");
  });

  it("429 with Retry-After: 1 on every attempt: RateLimitError after 3 attempts, 1 s apart", async ({
    expect,
    serve,
  }) => {
    const { error, arrivals, gaps } = await run(serve, [
      reply(429, { error: "Too Many Requests" }, { "Retry-After": "1" }),
    ]);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).attempts).toBe(3);
    expect((error as RateLimitError).retryAfter).toBe("1");
    expect((error as RateLimitError).retryAfterMs).toBe(1_000);
    expect((error as Error).message).toContain("429 Too Many Requests to PATCH");
    expect((error as Error).message).toContain("after 3 attempts: Too Many Requests");
    expect(arrivals).toHaveLength(3);
    for (const gap of gaps) within(expect, gap, [1_000, 1_000], "wait before retry");
    expectNoToken(expect, error);
  });

  it("429 with an HTTP-date Retry-After: waits until that time", async ({ expect, serve }) => {
    let retryAt = 0;
    const datedRateLimit: Step = (_request, response) => {
      // At least a second ahead, on a whole second (HTTP-dates have no milliseconds).
      retryAt = Math.ceil(Date.now() / 1_000) * 1_000 + 1_000;
      response.writeHead(429, {
        "Content-Type": "application/json",
        "Retry-After": new Date(retryAt).toUTCString(),
      });
      response.end("{}");
    };
    const { value, arrivals, gaps } = await run(serve, [datedRateLimit, reply(200)]);
    expect(value).toEqual(contact);
    expect(arrivals).toHaveLength(2);
    within(expect, gaps[0]!, [1_000, 2_000], "wait before retry");
    const secondArrivedAt = Date.now() - (performance.now() - arrivals[1]!.at);
    within(expect, secondArrivedAt - retryAt, [0, 0], "second attempt after the Retry-After date");
  });

  it("429 asking for more than the 60 s cap: fails fast with the RateLimitError, not retried", async ({
    expect,
    serve,
  }) => {
    const { error, arrivals, elapsed } = await run(serve, [
      reply(429, { error: "Quota" }, { "Retry-After": "3600" }),
    ]);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).attempts).toBe(1);
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
    expect(arrivals).toHaveLength(1);
    within(expect, elapsed, [0, 0], "elapsed");
  });

  it("503, then 200: resolves on the second attempt after one backoff", async ({ expect, serve }) => {
    const { value, arrivals, gaps } = await run(serve, [
      reply(503, { error: "Service Unavailable" }),
      reply(200),
    ]);
    expect(value).toEqual(contact);
    expect(arrivals).toHaveLength(2);
    expectSameRequests(expect, arrivals);
    within(expect, gaps[0]!, FIRST_BACKOFF, "wait before retry");
  });

  it("500 on every attempt: InternalServerError after 3 attempts and both backoffs", async ({
    expect,
    serve,
  }) => {
    const { error, arrivals, elapsed } = await run(serve, [
      reply(500, { message: "Something broke" }, { "X-Request-Id": "req-500" }),
    ]);
    expect(error).toBeInstanceOf(InternalServerError);
    const apiError = error as InternalServerError;
    expect(apiError.attempts).toBe(3);
    expect(apiError.status).toBe(500);
    expect(apiError.requestId).toBe("req-500");
    expect(apiError.message).toBe(
      `Callbell answered 500 Internal Server Error to PATCH /contacts/${contact.uuid} after 3 attempts: Something broke`,
    );
    expect(arrivals).toHaveLength(3);
    expectSameRequests(expect, arrivals);
    within(expect, elapsed, BOTH_BACKOFFS, "elapsed");
    expectNoToken(expect, error);
  });

  it("a proxy's HTML error page (502): InternalServerError quoting the page's text, not its markup, after 3 attempts", async ({
    expect,
    serve,
  }) => {
    const page =
      "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
    const { error, arrivals, elapsed } = await run(serve, [
      reply(502, page, { "Content-Type": "text/html" }),
    ]);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).attempts).toBe(3);
    expect((error as InternalServerError).body).toBe(page);
    expect((error as Error).message).toMatch(
      /502 Bad Gateway to PATCH .* after 3 attempts: 502 Bad Gateway Bad Gateway$/,
    );
    expect(arrivals).toHaveLength(3);
    within(expect, elapsed, BOTH_BACKOFFS, "elapsed");
  });

  it.for([
    [400, BadRequestError],
    [401, AuthenticationError],
    [404, NotFoundError],
    [422, UnprocessableEntityError],
  ] as const)("%i: %o at once, never retried", async ([status, ErrorClass], { expect, serve }) => {
    const { error, arrivals, elapsed } = await run(serve, [reply(status, { message: `no (${status})` })]);
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as InstanceType<typeof ErrorClass>).status).toBe(status);
    expect((error as InstanceType<typeof ErrorClass>).attempts).toBe(1);
    expect((error as Error).message).toContain(`after 1 attempt: no (${status})`);
    expect(arrivals).toHaveLength(1);
    within(expect, elapsed, [0, 0], "elapsed");
    expectNoToken(expect, error);
  });
});

describe.concurrent("2xx bodies: never retried (the update was applied), one quick attempt", () => {
  /** One attempt reached the server and the call took no longer than a round trip. */
  function expectOneQuickAttempt(
    expect: ExpectStatic,
    { arrivals, elapsed }: Awaited<ReturnType<typeof run>>,
  ) {
    expect(arrivals).toHaveLength(1);
    within(expect, elapsed, [0, 0], "elapsed");
  }

  function expectFormatError(expect: ExpectStatic, error: unknown, bodyText: string) {
    expect(error).toBeInstanceOf(CallbellResponseFormatError);
    expect((error as CallbellResponseFormatError).attempts).toBe(1);
    expect((error as CallbellResponseFormatError).status).toBe(200);
    expect((error as CallbellResponseFormatError).bodyText).toBe(bodyText);
    expect((error as Error).message).toBe("Callbell answered 200 after 1 attempt but the body is not JSON.");
    expectNoToken(expect, error);
  }

  it("malformed JSON with status 200: CallbellResponseFormatError", async ({ expect, serve }) => {
    const result = await run(serve, [reply(200, '{"contact": {"uuid": "414a')]);
    expectFormatError(expect, result.error, '{"contact": {"uuid": "414a');
    expectOneQuickAttempt(expect, result);
  });

  it("an HTML page with status 200 (a captive portal): CallbellResponseFormatError with the page and its Content-Type", async ({
    expect,
    serve,
  }) => {
    const page = "<html><body>Log in to the Wi-Fi</body></html>";
    const result = await run(serve, [reply(200, page, { "Content-Type": "text/html; charset=utf-8" })]);
    expectFormatError(expect, result.error, page);
    expect((result.error as CallbellResponseFormatError).headers.get("content-type")).toBe(
      "text/html; charset=utf-8",
    );
    expectOneQuickAttempt(expect, result);
  });

  it("a wrong Content-Type on a JSON contact: resolves, as the body is what counts", async ({
    expect,
    serve,
  }) => {
    const result = await run(serve, [reply(200, { contact }, { "Content-Type": "text/plain" })]);
    expect(result.value).toEqual(contact);
    expectOneQuickAttempt(expect, result);
  });

  it("a wrong Content-Type on a body that is not JSON: CallbellResponseFormatError", async ({
    expect,
    serve,
  }) => {
    const xml = "<contact><uuid>1</uuid></contact>";
    const result = await run(serve, [reply(200, xml, { "Content-Type": "application/xml" })]);
    expectFormatError(expect, result.error, xml);
    expectOneQuickAttempt(expect, result);
  });

  it("the array envelope: resolves to its one contact", async ({ expect, serve }) => {
    const result = await run(serve, [reply(200, { contact: [contact] })]);
    expect(result.value).toEqual(contact);
    expectOneQuickAttempt(expect, result);
  });

  it("unknown extra fields: resolves and keeps them", async ({ expect, serve }) => {
    const extended = { ...contact, loyaltyTier: "gold", nested: { since: 2020 } };
    const result = await run(serve, [reply(200, { contact: extended, meta: { version: 2 } })]);
    expect(result.value).toEqual(extended);
    expectOneQuickAttempt(expect, result);
  });
});

describe.concurrent("the caller's abort, and callbell.api", () => {
  it("an abort during the backoff rejects at once with the signal's reason and sends nothing more", async ({
    expect,
    serve,
  }) => {
    const server = await serve(reply(503, { error: "Service Unavailable" }), reply(200));
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url });
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const started = performance.now();
    const pending = callbell
      .updateContact(contact.uuid, UPDATE, { signal: controller.signal })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(reason), 150);
    const error = await pending;
    const elapsed = performance.now() - started;
    expect(error).toBe(reason);
    within(expect, elapsed, [150, 150], "elapsed");
    await new Promise((resolve) => setTimeout(resolve, FIRST_BACKOFF[1] + 100));
    expect(server.arrivals).toHaveLength(1);
  });

  it("an abort while the server hangs rejects at once, not retried", async ({ expect, serve }) => {
    const server = await serve(hang);
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url });
    const started = performance.now();
    const error = await callbell
      .updateContact(contact.uuid, UPDATE, { signal: AbortSignal.timeout(200) })
      .catch((e: unknown) => e);
    expect((error as DOMException).name).toBe("TimeoutError");
    expect(error).not.toBeInstanceOf(CallbellTimeoutError);
    within(expect, performance.now() - started, [200, 200], "elapsed");
    expect(server.arrivals).toHaveLength(1);
  });

  it("callbell.api retries too: 503 then 200 gives data, with the body re-sent byte for byte", async ({
    expect,
    serve,
  }) => {
    const server = await serve(reply(503, { error: "Service Unavailable" }), reply(200));
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url });
    const { data, error, response } = await callbell.api.PATCH("/contacts/{uuid}", {
      params: { path: { uuid: contact.uuid } },
      body: UPDATE,
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data).toEqual({ contact });
    expectSameRequests(expect, server.arrivals);
    expect(server.arrivals).toHaveLength(2);
  });

  it("callbell.api throws CallbellConnectionError with the attempt count when no response ever arrives", async ({
    expect,
    serve,
  }) => {
    const server = await serve(reset);
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url, maxRetries: 1 });
    const error = await callbell.api
      .PATCH("/contacts/{uuid}", { params: { path: { uuid: contact.uuid } }, body: UPDATE })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbellConnectionError);
    expect((error as CallbellConnectionError).attempts).toBe(2);
    expect(server.arrivals).toHaveLength(2);
    expectNoToken(expect, error);
  });
});
