// One regression test per item of issue 9's "What was found": each failed before the fix it names.
// Server behaviour is played by a real node:http server on 127.0.0.1 where the transport matters
// (streams, compression, redirects, odd statuses); caller input uses a stubbed fetch.
import { getEventListeners } from "node:events";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  CallbellAPIError,
  CallbellInputError,
  CallbellResponseFormatError,
  CallbellResponseTooLargeError,
  CallbellTimeoutError,
  createCallbellClient,
  type CallbellClientOptions,
  type ContactUpdate,
} from "../../src/client/index.js";
import { retryAfterMs } from "../../src/client/retry-policy.js";
import { leaksOf } from "../support/secret-leaks.js";
import {
  contact,
  reply,
  startScriptedServer,
  type ScriptedServer,
  type Step,
} from "../fakes/scripted-api.js";
import { json, stubFetch, TOKEN, UUID } from "../support/stub-fetch.js";

const BASE = "http://api.test/v1";
const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(...steps: Step[]) {
  const server = await startScriptedServer(...steps);
  servers.push(server);
  return server;
}

function stubbed(options: Partial<CallbellClientOptions>, ...replies: Parameters<typeof stubFetch>) {
  const stub = stubFetch(...replies);
  return {
    callbell: createCallbellClient({
      token: TOKEN,
      baseUrl: BASE,
      fetch: stub.fetch,
      maxRetries: 0,
      ...options,
    }),
    sent: stub.sent,
  };
}

const outcome = <T>(call: Promise<T>) =>
  call.then(
    (value) => ({ value, error: undefined as unknown }),
    (error: unknown) => ({ value: undefined, error }),
  );
const patchVia = (
  callbell: ReturnType<typeof createCallbellClient>,
  uuid: string,
  body: ContactUpdate = { name: "Joe" },
  init: object = {},
) => callbell.api.PATCH("/contacts/{uuid}", { params: { path: { uuid } }, body, ...init });

describe("an error page cannot freeze the process", () => {
  it("a 400 of 100,000 '<' settles in well under a second of work (was about 10 s)", async () => {
    const { callbell } = stubbed({}, () => new Response("<".repeat(100_000), { status: 400 }));
    const started = performance.now();
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(CallbellAPIError);
    // Generous for a busy machine; the quadratic strip took 10 s here.
    expect(elapsed).toBeLessThan(1_000);
  });

  it("text past the first 2,000 characters is never read: a page that is only white space there quotes nothing", async () => {
    const { callbell } = stubbed({}, () => new Response(`${" ".repeat(2_000)}late words`, { status: 400 }));
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect((error as Error).message).toBe(`Callbell answered 400 to PATCH /contacts/${UUID} after 1 attempt`);
  });

  it("an empty message gives way to the next one the body has", async () => {
    const { callbell } = stubbed({}, json(422, { message: "", error: { message: "name is too long" } }));
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect((error as Error).message).toMatch(/: name is too long$/);
  });

  it("a JSON message of 1 MB gives a short error message", async () => {
    const { callbell } = stubbed({}, json(422, { message: "m".repeat(1_000_000) }));
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect((error as Error).message.length).toBeLessThan(400);
  });
});

describe("redaction never rewrites a good answer, and catches escaped echoes", () => {
  it.each([
    ["t", { ...contact }],
    ["Joe", { ...contact, name: "Joe" }],
  ])("token %j: updateContact and callbell.api return the contact as sent", async (token, sentContact) => {
    const { callbell } = stubbed({ token }, json(200, { contact: sentContact }));
    expect(await callbell.updateContact(UUID, { name: "Joe" })).toEqual(sentContact);
    const { data } = await patchVia(callbell, UUID);
    expect(data).toEqual({ contact: sentContact });
  });

  it.each([
    ["JSON-escaped \\/", "abc/def_ghi", '{"message":"bad token abc\\/def_ghi"}'],
    ["JSON-escaped \\u", "abc+def_ghi", '{"message":"bad token abc\\u002Bdef\\u005fghi"}'],
    ["in a key", "abc_def_ghi", '{"abc\\u005fdef_ghi":1}'],
  ])("a token echoed %s shows nowhere in the error", async (_what, token, body) => {
    const { callbell } = stubbed({ token }, () => new Response(body, { status: 401 }));
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect(error).toBeInstanceOf(CallbellAPIError);
    expect(leaksOf(error, token)).toEqual([]);
    const viaApi = await patchVia(callbell, UUID);
    expect(JSON.stringify(viaApi.error)).not.toContain(token);
  });

  it("a token echoed in the status line shows nowhere in the error, nor in callbell.api's response", async () => {
    const { callbell } = stubbed({}, () => new Response("{}", { status: 500, statusText: `bad ${TOKEN}` }));
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect(leaksOf(error, TOKEN)).toEqual([]);
    const { response } = await patchVia(callbell, UUID);
    expect(response.statusText).toBe("bad [redacted]");
  });

  it("a token echoed in a response header shows nowhere in the error, nor in callbell.api's response", async () => {
    const { callbell } = stubbed({}, () => new Response("{}", { status: 500, headers: { "x-echo": TOKEN } }));
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect(leaksOf(error, TOKEN)).toEqual([]);
    const { response } = await patchVia(callbell, UUID);
    expect(response.headers.get("x-echo")).toBe("[redacted]");
  });
});

describe("a token function runs inside the attempt", () => {
  const slowToken = (ms: number) => () => new Promise<string>((resolve) => setTimeout(resolve, ms, TOKEN));

  it("an abort at 100 ms during a 500 ms token function rejects at once and sends nothing", async () => {
    const { callbell, sent } = stubbed({ token: slowToken(500) }, json(200, { contact }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const { error } = await outcome(
      callbell.updateContact(UUID, { name: "Joe" }, { signal: controller.signal }),
    );
    expect(error).toBe(controller.signal.reason);
    expect(performance.now() - started).toBeLessThan(400);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sent).toHaveLength(0);
  });

  it.each([
    ["never settles", () => new Promise<string>(() => {})],
    ["takes 3 s", slowToken(3_000)],
  ])("a token function that %s is cut by timeoutMs", async (_what, token) => {
    const { callbell, sent } = stubbed({ token, timeoutMs: 200 }, json(200, { contact }));
    const started = performance.now();
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect(error).toBeInstanceOf(CallbellTimeoutError);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(sent).toHaveLength(0);
  });

  it.each([
    [
      "throws",
      () => {
        throw new Error("vault is sealed");
      },
    ],
    ["rejects", () => Promise.reject(new Error("vault is sealed"))],
  ])(
    "a token function that %s gives a CallbellInputError with the failure as cause",
    async (_what, token) => {
      const { callbell, sent } = stubbed({ token }, json(200, { contact }));
      const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
      expect(error).toBeInstanceOf(CallbellInputError);
      expect((error as CallbellInputError).field).toBe("token");
      expect(((error as Error).cause as Error).message).toBe("vault is sealed");
      expect(sent).toHaveLength(0);
    },
  );
});

describe("bodies are read up to a cap", () => {
  const huge =
    (status: number, megabytes: number): Step =>
    (_request, response) => {
      response.writeHead(status, { "Content-Type": "text/plain" });
      const chunk = Buffer.alloc(1 << 20, 120);
      let sent = 0;
      const pump = () => {
        while (sent < megabytes && !response.destroyed) {
          sent++;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
        response.end();
      };
      response.on("error", () => {});
      pump();
    };

  it("a 100 MB 500 answer: one attempt, CallbellResponseTooLargeError, not retried", async () => {
    const server = await serve(huge(500, 100));
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url });
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect(error).toBeInstanceOf(CallbellResponseTooLargeError);
    expect((error as CallbellResponseTooLargeError).attempts).toBe(1);
    expect(server.arrivals).toHaveLength(1);
  });

  it("a gzip body that inflates past the cap: CallbellResponseTooLargeError, not retried", async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20));
    const server = await serve((_request, response) => {
      response.writeHead(503, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      response.end(bomb);
    });
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url });
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect(error).toBeInstanceOf(CallbellResponseTooLargeError);
    expect(server.arrivals).toHaveLength(1);
  });

  it("a 2xx over a lowered cap through callbell.api: the same error", async () => {
    const server = await serve(reply(200, { contact: { ...contact, note: "n".repeat(5_000) } }));
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url, maxResponseBytes: 4_096 });
    const { error } = await outcome(patchVia(callbell, UUID));
    expect(error).toBeInstanceOf(CallbellResponseTooLargeError);
  });
});

describe("baseUrl is checked when the client is made", () => {
  it.each([
    ["user info", "http://user:hunter2pass@api.test/v1"],
    ["a query", "http://api.test/v1?k=1"],
    ["an empty query", "http://api.test/v1?"],
    ["a fragment", "http://api.test/v1#top"],
    ["another scheme", "ftp://api.test/v1"],
    ["no scheme", "api.test/v1"],
    ["a javascript: URL", "javascript:alert(1)"],
  ])("refuses %s, without echoing it", (_what, baseUrl) => {
    let error: unknown;
    try {
      createCallbellClient({ token: TOKEN, baseUrl });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CallbellInputError);
    expect((error as CallbellInputError).field).toBe("baseUrl");
    expect(leaksOf(error, "hunter2pass")).toEqual([]);
  });
});

describe("callbell.api keeps updateContact's promises", () => {
  it.each([
    ["..", 'uuid must be a string other than "", "." or "..".'],
    [".", 'uuid must be a string other than "", "." or "..".'],
    ["", 'uuid must be a string other than "", "." or "..".'],
    ["\ud800", "uuid has a lone surrogate."],
  ])("refuses uuid %j, sending nothing", async (uuid, message) => {
    const { callbell, sent } = stubbed({}, json(200, { contact }));
    const calls: Promise<unknown>[] = [
      patchVia(callbell, uuid),
      callbell.updateContact(uuid, { name: "Joe" }),
    ];
    for (const call of calls) {
      const { error } = await outcome(call);
      expect(error).toBeInstanceOf(CallbellInputError);
      expect(error).toMatchObject({ field: "uuid", message });
    }
    expect(sent).toHaveLength(0);
  });

  it("a 2xx HTML body is a CallbellResponseFormatError", async () => {
    const { callbell } = stubbed(
      {},
      () => new Response("<html>portal</html>", { status: 200, headers: { "Content-Type": "text/html" } }),
    );
    expect((await outcome(patchVia(callbell, UUID))).error).toBeInstanceOf(CallbellResponseFormatError);
  });

  it("status 600: callbell.api returns it as an error answer, updateContact throws a CallbellAPIError", async () => {
    const server = await serve(reply(600, { message: `odd ${TOKEN}` }));
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url, maxRetries: 0 });
    const viaApi = await patchVia(callbell, UUID);
    expect(viaApi.response.status).toBe(600);
    expect(viaApi.error).toEqual({ message: "odd [redacted]" });
    const { error } = await outcome(callbell.updateContact(UUID, { name: "Joe" }));
    expect(error).toBeInstanceOf(CallbellAPIError);
    expect((error as CallbellAPIError).status).toBe(600);
  });

  it("a per-call timeoutMs is honoured", async () => {
    const server = await serve(() => {});
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url, maxRetries: 0 });
    const started = performance.now();
    const { error } = await outcome(patchVia(callbell, UUID, { name: "Joe" }, { timeoutMs: 150 }));
    expect(error).toBeInstanceOf(CallbellTimeoutError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each([301, 302, 307, 308])(
    "a %i redirect on the same server is followed, with the body, on both paths",
    async (status) => {
      const server = await serve(
        (_request, response) => {
          response.writeHead(status, { Location: `/v1/contacts/${UUID}` });
          response.end();
        },
        reply(200, { contact }),
      );
      const callbell = createCallbellClient({ token: TOKEN, baseUrl: server.url.replace("/v1", "/old") });
      expect((await patchVia(callbell, UUID)).data).toEqual({ contact });
      expect(server.arrivals.map((arrival) => arrival.body)).toEqual(['{"name":"Joe"}', '{"name":"Joe"}']);
    },
  );
});

describe("update bodies that JSON would change or drop are refused, sending nothing", () => {
  const cycle: Record<string, unknown> = { name: "Joe" };
  cycle.self = cycle;
  const throwing = (what: "getter" | "toJSON") =>
    what === "getter"
      ? Object.defineProperty({}, "name", {
          enumerable: true,
          get: () => {
            throw new Error("no");
          },
        })
      : {
          name: {
            toJSON: () => {
              throw new Error("no");
            },
          },
        };
  const noJson = "The update cannot be JSON (its `cause`).";
  it.each([
    ["a cycle", cycle, noJson],
    ["a throwing getter", throwing("getter"), noJson],
    ["a throwing toJSON", throwing("toJSON"), noJson],
    ["a Map", { custom_fields: new Map([["a", "1"]]) }, 'Field "custom_fields" is a Map'],
    ["a Set", { tags: new Set(["a"]) }, 'Field "tags" is a Set'],
    ["a boxed NaN", { custom_fields: { n: new Number(Number.NaN) } }, 'Field "n" is a Number'],
    // An object whose prototype has no named constructor: named by its field, and said to be of another prototype.
    [
      "an object of another prototype",
      { custom_fields: Object.create(Object.create(null)) },
      'Field "custom_fields" is an object of another prototype, which JSON cannot carry.',
    ],
    [
      "an instance of an anonymous class",
      { custom_fields: new (class {})() },
      'Field "custom_fields" is an object of another prototype, which JSON cannot carry.',
    ],
    [
      "an instance of a named class",
      { custom_fields: new (class Point {})() },
      'Field "custom_fields" is a Point',
    ],
    ["an invalid Date", { custom_fields: { at: new Date(Number.NaN) } }, 'Field "at" is an invalid Date'],
    ["a toJSON returning undefined", { name: { toJSON: () => undefined } }, 'Field "name" is undefined'],
    ["itself a toJSON returning undefined", { toJSON: () => undefined }, "The update is undefined"],
    ["itself a Map", new Map(), "The update is a Map"],
  ])("%s", async (_what, update, message) => {
    const { callbell, sent } = stubbed({}, json(200, { contact }));
    for (const call of [
      callbell.updateContact(UUID, update as ContactUpdate),
      patchVia(callbell, UUID, update as ContactUpdate),
    ] as Promise<unknown>[]) {
      const { error } = await outcome(call);
      expect(error).toBeInstanceOf(CallbellInputError);
      expect((error as CallbellInputError).field).toBe("update");
      expect((error as Error).message.startsWith(message)).toBe(true);
      // JSON.stringify's own error, kept as the cause of the one the client throws.
      if (message === noJson) expect((error as Error).cause).toBeInstanceOf(Error);
    }
    expect(sent).toHaveLength(0);
  });

  it("null stays null: it is JSON, and clears a field", async () => {
    const { callbell, sent } = stubbed({}, json(200, { contact }));
    await callbell.updateContact(UUID, { name: null, custom_fields: { a: null } } as never);
    expect(sent[0]!.body).toBe('{"name":null,"custom_fields":{"a":null}}');
  });
});

describe("Retry-After is read strictly", () => {
  it.each(["-1", "+1", "1,5", "2 Dec", "1, 2", "1.5"])("%j is not a Retry-After value", (value) => {
    expect(retryAfterMs(new Headers({ "Retry-After": value }))).toBeUndefined();
  });
});

describe("a contact needs its uuid", () => {
  it.each([{ contact: {} }, { contact: [{}] }, { contact: { uuid: 1 } }])(
    "%j is a CallbellResponseFormatError on both paths",
    async (body) => {
      const { callbell } = stubbed({}, json(200, body));
      expect((await outcome(callbell.updateContact(UUID, { name: "Joe" }))).error).toBeInstanceOf(
        CallbellResponseFormatError,
      );
      expect((await outcome(patchVia(callbell, UUID))).error).toBeInstanceOf(CallbellResponseFormatError);
    },
  );
});

describe("a shared signal gathers no listeners", () => {
  it("11 concurrent calls hold at most one listener on it, and leave none", async () => {
    const controller = new AbortController();
    let peak = 0;
    const fetch = async () => {
      peak = Math.max(peak, getEventListeners(controller.signal, "abort").length);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return json(200, { contact });
    };
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch });
    await Promise.all(
      Array.from({ length: 11 }, () =>
        callbell.updateContact(UUID, { name: "Joe" }, { signal: controller.signal }),
      ),
    );
    await Promise.all(
      Array.from({ length: 11 }, () =>
        patchVia(callbell, UUID, { name: "Joe" }, { signal: controller.signal }),
      ),
    );
    expect(peak).toBeLessThanOrEqual(1);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("10,000 sequential callbell.api calls on one signal leave none", async () => {
    const controller = new AbortController();
    let peak = 0;
    const fetch = async () => {
      peak = Math.max(peak, getEventListeners(controller.signal, "abort").length);
      return json(200, { contact });
    };
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch });
    for (let i = 0; i < 10_000; i++)
      await patchVia(callbell, UUID, { name: "Joe" }, { signal: controller.signal });
    expect(peak).toBeLessThanOrEqual(1);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

// Found by test/hostile/properties.test.ts after this list: a 205 (or 204/304) that carries a body
// anyway. fetch gives it no body to read, and undici then keeps its socket open for good, holding the
// process alive; the transport aborts such an attempt once answered, which closes the socket.
describe("an answer with a null-body status leaves no socket", () => {
  it.each(["updateContact", "api"] as const)(
    "a 205 with 50 KB of body, via %s: no client socket stays open once the server closes its end",
    async (via) => {
      const { createServer } = await import("node:http");
      const server = createServer(async (request, response) => {
        for await (const _ of request);
        response.writeHead(205, { "Content-Type": "application/json" });
        response.end("<".repeat(50_000));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as import("node:net").AddressInfo).port;
      const sockets = () =>
        (
          process as unknown as {
            _getActiveHandles(): { constructor: { name: string }; remotePort?: number }[];
          }
        )
          ._getActiveHandles()
          .filter((handle) => handle.constructor.name === "Socket" && handle.remotePort === port);
      try {
        const callbell = createCallbellClient({
          token: TOKEN,
          baseUrl: `http://127.0.0.1:${port}/v1`,
          maxRetries: 0,
        });
        const call: Promise<unknown> =
          via === "updateContact"
            ? callbell.updateContact(UUID, { name: "Joe" })
            : callbell.api.PATCH("/contacts/{uuid}", {
                params: { path: { uuid: UUID } },
                body: { name: "Joe" },
              });
        expect(await outcome(call)).toMatchObject({ error: expect.any(CallbellResponseFormatError) });
        server.closeAllConnections();
        let left = sockets();
        for (let waited = 0; left.length && waited < 2_000; waited += 20) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          left = sockets();
        }
        expect(left, "client sockets left open").toHaveLength(0);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );
});
