import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  CallbellAPIError,
  CallbellConnectionError,
  CallbellError,
  CallbellInputError,
  CallbellResponseFormatError,
  createCallbellClient,
  DEFAULT_BASE_URL,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  type ContactUpdate,
} from "../../src/client/index.js";
import * as errors from "../../src/client/errors.js";
import { schemaValidator, spec } from "../support/spec.js";
import { json, stubFetch, TOKEN, UUID } from "../support/stub-fetch.js";

const BASE = "http://api.test/v1";
const contact = { uuid: UUID, name: "Joe", tags: ["Interested"] };

// One attempt per call: these tests are about what one response becomes; client-retries.test.ts covers retries.
function client(...replies: Parameters<typeof stubFetch>) {
  const stub = stubFetch(...replies);
  return {
    callbell: createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch: stub.fetch, maxRetries: 0 }),
    sent: stub.sent,
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("requests", () => {
  it("sends PATCH with the bearer token, JSON headers and the body as given", async () => {
    const { callbell, sent } = client(json(200, { contact }));
    const update: ContactUpdate = { name: "Joe", tags: ["Interested"], custom_fields: { orderNumber: 123 } };
    await callbell.updateContact(UUID, update);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request!.method).toBe("PATCH");
    expect(request!.url).toBe(`${BASE}/contacts/${UUID}`);
    expect(request!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(request!.headers.get("content-type")).toBe("application/json");
    expect(request!.headers.get("accept")).toBe("application/json");
    expect(JSON.parse(request!.body)).toEqual(update);
  });

  it("defaults to the spec's server URL", async () => {
    expect(DEFAULT_BASE_URL).toBe(spec.servers[0].url);
    const stub = stubFetch(json(200, { contact }));
    await createCallbellClient({ token: TOKEN, fetch: stub.fetch }).updateContact(UUID, { name: "x" });
    expect(stub.sent[0]!.url).toBe(`${spec.servers[0].url}/contacts/${UUID}`);
  });

  it("reads the token from CALLBELL_API_TOKEN when none is passed", async () => {
    vi.stubEnv("CALLBELL_API_TOKEN", "fromEnv42");
    const stub = stubFetch(json(200, { contact }));
    await createCallbellClient({ baseUrl: BASE, fetch: stub.fetch }).updateContact(UUID, { name: "x" });
    expect(stub.sent[0]!.headers.get("authorization")).toBe("Bearer fromEnv42");
  });

  it("sends to the baseUrl with its trailing slashes dropped", async () => {
    const stub = stubFetch(json(200, { contact }));
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: `${BASE}//`, fetch: stub.fetch });
    await callbell.updateContact(UUID, { name: "x" });
    expect(stub.sent[0]!.url).toBe(`${BASE}/contacts/${UUID}`);
  });

  it("loads where there is no `process` or no `process.env` (browsers, workers): the token is then passed", () => {
    const saved = globalThis.process;
    const made: unknown[] = [];
    for (const shim of [undefined, {}]) {
      // Synchronous: nothing else runs while `process` is replaced.
      Object.defineProperty(globalThis, "process", { value: shim, configurable: true, writable: true });
      try {
        made.push(createCallbellClient({ token: TOKEN, baseUrl: BASE }));
        createCallbellClient({ baseUrl: BASE });
        made.push("no error");
      } catch (error) {
        made.push(error);
      } finally {
        Object.defineProperty(globalThis, "process", { value: saved, configurable: true, writable: true });
      }
    }
    expect(made).toHaveLength(4);
    for (const [index, value] of made.entries())
      if (index % 2) expect(value).toMatchObject({ name: "CallbellInputError", field: "token" });
      else expect(value).toHaveProperty("updateContact");
  });

  it("callbell.api reads the contact whether or not the answer has a Content-Length", async () => {
    const text = JSON.stringify({ contact });
    const headerSets: Record<string, string>[] = [{}, { "Content-Length": String(Buffer.byteLength(text)) }];
    for (const headers of headerSets) {
      const { callbell } = client(
        () =>
          new Response(text, { status: 200, headers: { "Content-Type": "application/json", ...headers } }),
      );
      const { data } = await callbell.api.PATCH("/contacts/{uuid}", {
        params: { path: { uuid: UUID } },
        body: { name: "Joe" },
      });
      expect(data).toEqual({ contact });
    }
  });

  it("applies auth to the underlying openapi-fetch client too", async () => {
    const { callbell, sent } = client(json(200, { contact }));
    const { data, response } = await callbell.api.PATCH("/contacts/{uuid}", {
      params: { path: { uuid: UUID } },
      body: { note: "" },
    });
    expect(response.status).toBe(200);
    expect(data?.contact).toEqual(contact);
    expect(sent[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it.each([
    ["a/b", "a%2Fb"],
    ["a?b=1", "a%3Fb%3D1"],
    ["a#b", "a%23b"],
    ["100%", "100%25"],
    ["a b", "a%20b"],
    ["josé-😀", "jos%C3%A9-%F0%9F%98%80"],
    ["+34 600 000 000", "%2B34%20600%20000%20000"],
  ])("encodes uuid %j as one path segment", async (uuid, segment) => {
    const { callbell, sent } = client(json(200, { contact }));
    await callbell.updateContact(uuid, { name: "x" });
    const url = new URL(sent[0]!.url);
    expect(url.pathname).toBe(`/v1/contacts/${segment}`);
    expect(url.search).toBe("");
    expect(url.hash).toBe("");
    expect(decodeURIComponent(url.pathname.split("/")[3]!)).toBe(uuid);
  });
});

describe("responses", () => {
  it("returns the contact from an object envelope", async () => {
    const { callbell } = client(json(200, { contact }));
    await expect(callbell.updateContact(UUID, { name: "Joe" })).resolves.toEqual(contact);
  });

  it("returns the contact from an array-of-one envelope (Callbell's example)", async () => {
    const { callbell } = client(json(200, { contact: [contact] }));
    await expect(callbell.updateContact(UUID, { name: "Joe" })).resolves.toEqual(contact);
  });

  it("accepts any 2xx and keeps fields the spec does not list", async () => {
    const extra = { ...contact, brandNewField: { nested: true } };
    const { callbell } = client(json(201, { contact: extra }));
    const result = await callbell.updateContact(UUID, { name: "Joe" });
    expect(result).toEqual(extra);
    expect(schemaValidator("Contact")(result)).toBe(true);
  });

  it("returns the contact as sent when a character's bytes arrive in two chunks", async () => {
    const name = "Joé 😀";
    const bytes = new TextEncoder().encode(JSON.stringify({ contact: { uuid: UUID, name } }));
    // Cut inside the "é" (2 bytes) and inside the emoji (4 bytes).
    const cuts = [bytes.indexOf(0xc3) + 1, bytes.indexOf(0xf0) + 2];
    const chunks = [bytes.slice(0, cuts[0]), bytes.slice(cuts[0], cuts[1]), bytes.slice(cuts[1])];
    const { callbell } = client(
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              const chunk = chunks.shift();
              if (chunk) controller.enqueue(chunk);
              else controller.close();
            },
          }),
          { status: 200, headers: { "Content-Type": "application/json" } },
        ),
    );
    await expect(callbell.updateContact(UUID, { name })).resolves.toEqual({ uuid: UUID, name });
  });

  it.each([
    ["not JSON", () => new Response("<html>oops</html>", { status: 200 }), /not JSON/],
    ["empty", () => new Response(null, { status: 200 }), /the body is not JSON/],
    ["no contact", () => json(200, { contacts: [] }), /no `contact` with a `uuid`/],
    ["an empty array", () => json(200, { contact: [] }), /no `contact` with a `uuid`/],
    ["two contacts", () => json(200, { contact: [contact, contact] }), /no `contact` with a `uuid`/],
    ["a string contact", () => json(200, { contact: "x" }), /no `contact` with a `uuid`/],
  ])("throws CallbellResponseFormatError for a 200 body that is %s", async (_what, reply, message) => {
    const { callbell } = client(reply);
    const error = await callbell.updateContact(UUID, { name: "Joe" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbellResponseFormatError);
    expect(error).toBeInstanceOf(CallbellError);
    expect((error as Error).message).toMatch(message);
    expect((error as CallbellResponseFormatError).status).toBe(200);
  });
});

describe("API errors", () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, CallbellAPIError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, InternalServerError],
  ])("maps %i to %o with status, body, headers and request id", async (status, ErrorClass) => {
    const body = { error: "Nope", message: `message for ${status}` };
    const { callbell } = client(json(status, body, { "X-Request-Id": "req-123" }));
    const error = await callbell.updateContact(UUID, { name: "Joe" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(CallbellAPIError);
    expect((error as object).constructor).toBe(ErrorClass);
    const apiError = error as CallbellAPIError;
    expect(apiError.status).toBe(status);
    expect(apiError.body).toEqual(body);
    expect(apiError.requestId).toBe("req-123");
    expect(apiError.headers.get("content-type")).toBe("application/json");
    expect(apiError.message).toContain(String(status));
    expect(apiError.message).toContain(`message for ${status}`);
    expect(apiError.message).toContain(`/contacts/${UUID}`);
    expect(apiError.name).toBe(ErrorClass.name);
  });

  it("exposes Retry-After on a rate-limit error", async () => {
    const { callbell } = client(json(429, { error: "Too Many Requests" }, { "Retry-After": "3" }));
    const error = (await callbell
      .updateContact(UUID, { name: "Joe" })
      .catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfter).toBe("3");
  });

  it("keeps a non-JSON error body as text and describes it", async () => {
    const { callbell } = client(
      () => new Response("upstream timed out", { status: 504, statusText: "Gateway Timeout" }),
    );
    const error = (await callbell
      .updateContact(UUID, { name: "Joe" })
      .catch((e: unknown) => e)) as CallbellAPIError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.body).toBe("upstream timed out");
    expect(error.message).toBe(
      `Callbell answered 504 Gateway Timeout to PATCH /contacts/${UUID} after 1 attempt: upstream timed out`,
    );
    expect(error.attempts).toBe(1);
  });

  it.each([
    [
      "an HTML page",
      "<!doctype html>\n<html><head><title> 503 Service Unavailable </title></head>\n<body><h1>Try again</h1></body></html>",
      "503 Service Unavailable Try again",
    ],
    ["XML", "<error><code>42</code></error>", "42"],
    ["a long text", "x".repeat(500), `${"x".repeat(199)}…`],
  ])("quotes %s as its text in the message, and keeps the body as sent", async (_what, page, detail) => {
    const { callbell } = client(
      () =>
        new Response(page, {
          status: 502,
          statusText: "Bad Gateway",
          headers: { "Content-Type": "text/html" },
        }),
    );
    const error = (await callbell
      .updateContact(UUID, { name: "Joe" })
      .catch((e: unknown) => e)) as CallbellAPIError;
    expect(error.message).toBe(
      `Callbell answered 502 Bad Gateway to PATCH /contacts/${UUID} after 1 attempt: ${detail}`,
    );
    expect(error.body).toBe(page);
  });

  it("gives an error with no body as undefined, and says so", async () => {
    const { callbell } = client(() => new Response(null, { status: 404, statusText: "Not Found" }));
    const error = (await callbell
      .updateContact(UUID, { name: "Joe" })
      .catch((e: unknown) => e)) as CallbellAPIError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.body).toBeUndefined();
    expect(error.message).toBe(`Callbell answered 404 Not Found to PATCH /contacts/${UUID} after 1 attempt`);
  });

  it("uses a nested error message when that is all the body has", async () => {
    const { callbell } = client(json(400, { error: { code: "invalid_json", message: "Invalid JSON" } }));
    const error = (await callbell.updateContact(UUID, { name: "Joe" }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/400 to PATCH .*: Invalid JSON$/);
  });

  it("never puts the token in an error, even when the server echoes it", async () => {
    const echo = json(401, { message: `bad token ${TOKEN}` }, { "WWW-Authenticate": "Bearer" });
    const { callbell } = client(echo);
    const error = await callbell.updateContact(UUID, { name: "Joe" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toContain("bad token [redacted]");
    expect((error as AuthenticationError).body).toEqual({ message: "bad token [redacted]" });
    for (const text of [
      String(error),
      (error as Error).stack,
      inspect(error, { depth: 5 }),
      JSON.stringify(error),
    ])
      expect(text).not.toContain(TOKEN);
    expect(inspect(callbell, { depth: 5, showHidden: true })).not.toContain(TOKEN);
  });
});

describe("transport failures", () => {
  it("wraps a network failure in CallbellConnectionError", async () => {
    const failure = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    const { callbell } = client(failure);
    const error = await callbell.updateContact(UUID, { name: "Joe" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbellConnectionError);
    expect((error as Error).message).toBe("Could not reach Callbell after 1 attempt: connect ECONNREFUSED.");
    expect((error as CallbellConnectionError).attempts).toBe(1);
    expect((error as Error).cause).toBe(failure);
  });

  it("rejects with the signal's reason when the caller aborts", async () => {
    const controller = new AbortController();
    const stub = stubFetch(() => {
      controller.abort();
      throw controller.signal.reason;
    });
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: BASE, fetch: stub.fetch });
    const error = await callbell
      .updateContact(UUID, { name: "Joe" }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect((error as DOMException).name).toBe("AbortError");
  });
});

describe("input rejected before anything is sent", () => {
  it("refuses to build a client without a token", () => {
    vi.stubEnv("CALLBELL_API_TOKEN", "");
    expect(() => createCallbellClient()).toThrow(CallbellInputError);
    expect(() => createCallbellClient({ token: "" })).toThrow(
      /No usable Callbell API token: pass `token` or set CALLBELL_API_TOKEN/,
    );
  });

  it.each(["api.callbell.eu/v1", "git+https://api.callbell.eu/v1", "ftp://api.callbell.eu/v1"])(
    "refuses baseUrl %j when the client is made, saying what it must be",
    (baseUrl) => {
      expect(() => createCallbellClient({ token: TOKEN, baseUrl })).toThrow(
        expect.objectContaining({
          name: "CallbellInputError",
          field: "baseUrl",
          message: "baseUrl must be an http(s) URL with no user info, query or fragment.",
        }),
      );
    },
  );

  it.each(["http://elsewhere.test/v1", "http://api.test/v1.elsewhere.test", "http://api.test/v10"])(
    "callbell.api refuses a baseUrl per call (%j): the token would go elsewhere",
    async (baseUrl) => {
      const { callbell, sent } = client(json(200, { contact }));
      const error = await callbell.api
        .PATCH("/contacts/{uuid}", {
          baseUrl,
          params: { path: { uuid: UUID } },
          body: { name: "Joe" },
        } as never)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "CallbellInputError", field: "baseUrl" });
      expect(sent).toHaveLength(0);
    },
  );

  it.each([
    ["no params", {}],
    ["params without path", { params: {} }],
  ])("callbell.api refuses a call with %s: the path would keep its literal {uuid}", async (_what, extra) => {
    const { callbell, sent } = client(json(200, { contact }));
    const error = await callbell.api
      .PATCH("/contacts/{uuid}", { ...extra, body: { name: "Joe" } } as never)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "CallbellInputError",
      field: "uuid",
      message: "uuid is missing: pass params.path.uuid.",
    });
    expect(sent).toHaveLength(0);
  });

  it('callbell.api sends a uuid that is itself "{uuid}", encoded', async () => {
    const { callbell, sent } = client(json(200, { contact }));
    await callbell.api.PATCH("/contacts/{uuid}", {
      params: { path: { uuid: "{uuid}" } },
      body: { name: "Joe" },
    });
    expect(sent.map((request) => new URL(request.url).pathname)).toEqual(["/v1/contacts/%7Buuid%7D"]);
  });

  it.each(["has space", "line\nbreak", "tab\there", "ünïcode"])(
    "refuses a token that cannot be a bearer token (%j) without echoing it",
    (token) => {
      const error = (() => {
        try {
          createCallbellClient({ token });
        } catch (e) {
          return e as CallbellInputError;
        }
      })();
      expect(error).toBeInstanceOf(CallbellInputError);
      expect(error!.field).toBe("token");
      expect(error!.message).not.toContain(token);
    },
  );

  it.each([
    ["", /other than "", "." or ".."/],
    [".", /other than "", "." or ".."/],
    ["..", /other than "", "." or ".."/],
    [undefined, /must be a string/],
    [42, /must be a string/],
  ])("refuses uuid %j", async (uuid, message) => {
    const { callbell, sent } = client(json(200, { contact }));
    const error = await callbell.updateContact(uuid as string, { name: "Joe" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbellInputError);
    expect((error as CallbellInputError).field).toBe("uuid");
    expect((error as Error).message).toMatch(message);
    expect(sent).toHaveLength(0);
  });

  it.each([
    ["null", null, /must be an object/],
    ["an array", [], /must be an object/],
    ["a string", "name=Joe", /must be an object/],
    [
      "NaN",
      { custom_fields: { orderNumber: Number.NaN } },
      /Field "orderNumber" is NaN, which JSON cannot carry/,
    ],
    ["Infinity", { custom_fields: { orderNumber: -Infinity } }, /Field "orderNumber" is -Infinity/],
    ["a bigint", { custom_fields: { orderNumber: 1n } }, /Field "orderNumber" is a bigint/],
    ["a function", { name: () => "Joe" }, /Field "name" is a function/],
    ["a symbol", { name: Symbol("Joe") }, /Field "name" is a symbol/],
    ["undefined in a list", { tags: ["a", undefined] }, /Index 1 of a list is undefined/],
    ["itself a bigint in a list", { tags: [1n] }, /Index 0 of a list is a bigint/],
  ])("refuses an update that is %s", async (_what, update, message) => {
    const { callbell, sent } = client(json(200, { contact }));
    const error = await callbell.updateContact(UUID, update as ContactUpdate).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbellInputError);
    expect((error as CallbellInputError).field).toBe("update");
    expect((error as Error).message).toMatch(message);
    expect(sent).toHaveLength(0);
  });

  it("drops undefined properties, meaning leave unchanged", async () => {
    const { callbell, sent } = client(json(200, { contact }));
    await callbell.updateContact(UUID, { name: "Joe", note: undefined });
    expect(sent[0]!.body).toBe('{"name":"Joe"}');
  });
});

describe("the error classes", () => {
  // error.name is what a log line, a serialized error and a check without instanceof (across bundles) read.
  it("each carries its own class name as its name", () => {
    const headers = new Headers();
    const made = [
      new errors.CallbellError("x"),
      new errors.CallbellInputError("uuid", "x"),
      new errors.CallbellConnectionError("reset", 1),
      new errors.CallbellTimeoutError(10, 1),
      new errors.CallbellResponseFormatError("not JSON", 200, headers, "", 1),
      new errors.CallbellResponseTooLargeError(10, 200, headers, 1),
      new errors.NotSentError("x"),
    ];
    for (const error of made) expect(error.name).toBe(error.constructor.name);
    expect(made.map((error) => error.name)).toEqual([
      "CallbellError",
      "CallbellInputError",
      "CallbellConnectionError",
      "CallbellTimeoutError",
      "CallbellResponseFormatError",
      "CallbellResponseTooLargeError",
      "NotSentError",
    ]);
  });
});
