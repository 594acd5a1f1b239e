// `headers` on the client and per call: merged case-insensitively (the call's win), sent on
// updateContact and on `callbell.api`, never able to set Authorization, and refused before
// anything is sent when fetch could not send them.
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import {
  CallbellInputError,
  createCallbellClient,
  RateLimitError,
  type ExtraHeaders,
} from "../../src/client/index.js";
import { checkHeaders } from "../../src/client/internal/headers.js";
import { json, stubFetch, TOKEN, UUID } from "../support/stub-fetch.js";

const BASE = "http://api.test/v1";
const contact = { uuid: UUID, name: "Joe" };

// RFC 9110 token characters, and values of visible ASCII with inner spaces (fetch trims the ends).
const headerName = fc
  .stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/)
  .filter((name) => !/^(authorization|content-type|accept|content-length)$/i.test(name));
const headerValue = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
const randomCase = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) =>
      [...name].map((char, i) => (upper[i] ? char.toUpperCase() : char.toLowerCase())).join(""),
    );

function client(headers?: ExtraHeaders, ...replies: Parameters<typeof stubFetch>) {
  const stub = stubFetch(...(replies.length ? replies : [json(200, { contact })]));
  const callbell = createCallbellClient({
    token: TOKEN,
    baseUrl: BASE,
    fetch: stub.fetch,
    maxRetries: 0,
    headers,
  });
  return { callbell, sent: stub.sent };
}

describe("headers", () => {
  it("sends the client's headers and the call's, the call's winning whatever the case of the name", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
        fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
        fc.boolean(),
        async (clientHeaders, callHeaders, shout) => {
          const uniqueByCase = (headers: Record<string, string>) =>
            Object.fromEntries(
              Object.entries(headers).filter(
                ([name], i, all) =>
                  all.findIndex(([other]) => other.toLowerCase() === name.toLowerCase()) === i,
              ),
            );
          const own = uniqueByCase(clientHeaders);
          const call = Object.fromEntries(
            Object.entries(uniqueByCase(callHeaders)).map(([n, v]) => [shout ? n.toUpperCase() : n, v]),
          );
          const { callbell, sent } = client(own);
          await callbell.updateContact(UUID, { name: "Joe" }, { headers: call });
          const expected = new Map(Object.entries(own).map(([n, v]) => [n.toLowerCase(), v]));
          for (const [n, v] of Object.entries(call)) expected.set(n.toLowerCase(), v);
          const headers = sent[0]!.headers;
          for (const [n, v] of expected) expect(headers.get(n)).toBe(v);
          expect(headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
          expect(headers.get("content-type")).toBe("application/json");
        },
      ),
      { numRuns: 100 },
    );
  });

  it("sends a header named __proto__ like any other (fast-check's dictionaries generate it)", async () => {
    const { callbell, sent } = client(JSON.parse('{"__proto__": "from-client"}') as ExtraHeaders);
    await callbell.updateContact(
      UUID,
      { name: "Joe" },
      { headers: JSON.parse('{"__Proto__": "from-call", "x-a": "1"}') as ExtraHeaders },
    );
    expect(sent[0]!.headers.get("__proto__")).toBe("from-call");
    expect(sent[0]!.headers.get("x-a")).toBe("1");
  });

  it("sends the headers again on every retry", async () => {
    const stub = stubFetch(json(503, {}), json(200, { contact }));
    const callbell = createCallbellClient({
      token: TOKEN,
      baseUrl: BASE,
      fetch: stub.fetch,
      maxRetries: 1,
      headers: { "X-Request-Id": "r-1" },
    });
    await callbell.updateContact(UUID, { name: "Joe" }, { headers: { "Idempotency-Key": "k-1" } });
    expect(
      stub.sent.map((request) => [
        request.headers.get("x-request-id"),
        request.headers.get("idempotency-key"),
      ]),
    ).toEqual([
      ["r-1", "k-1"],
      ["r-1", "k-1"],
    ]);
  });

  it("skips a header whose value is undefined (an optional tracing id)", async () => {
    const traceId: string | undefined = undefined;
    const { callbell, sent } = client({ "X-Trace": traceId });
    await callbell.updateContact(UUID, { name: "Joe" }, { headers: { Prefer: undefined } });
    expect(sent[0]!.headers.has("x-trace")).toBe(false);
    expect(sent[0]!.headers.has("prefer")).toBe(false);
  });

  it("sends them on callbell.api too, the client's and openapi-fetch's per-call ones", async () => {
    const { callbell, sent } = client({ "X-Request-Id": "r-2" });
    const { data } = await callbell.api.PATCH("/contacts/{uuid}", {
      params: { path: { uuid: UUID } },
      body: { name: "Joe" },
      headers: { Prefer: "code=200" },
    });
    expect(data?.contact).toEqual(contact);
    expect(sent[0]!.headers.get("x-request-id")).toBe("r-2");
    expect(sent[0]!.headers.get("prefer")).toBe("code=200");
    expect(sent[0]!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  });
});

describe("headers refused before anything is sent", () => {
  it("refuses Authorization in any case, on the client, per call and on callbell.api", async () => {
    await fc.assert(
      fc.asyncProperty(
        randomCase("authorization"),
        fc.stringMatching(/^[A-Za-z0-9]{16,24}$/),
        async (name, secret) => {
          const value = `Bearer ${secret}`;
          expect(() => client({ [name]: value })).toThrow(CallbellInputError);
          const { callbell, sent } = client();
          const perCall = await callbell
            .updateContact(UUID, { name: "Joe" }, { headers: { [name]: value } })
            .catch((e: unknown) => e);
          expect(perCall).toBeInstanceOf(CallbellInputError);
          expect((perCall as CallbellInputError).field).toBe("headers");
          expect(String(perCall)).not.toContain(secret);
          const viaApi = await callbell.api
            .PATCH("/contacts/{uuid}", {
              params: { path: { uuid: UUID } },
              body: { name: "Joe" },
              headers: { [name]: value },
            })
            .catch((e: unknown) => e);
          expect(viaApi).toBeInstanceOf(CallbellInputError);
          expect(sent).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("refuses a name or value fetch cannot send, without echoing the value", async () => {
    const badValue = fc.oneof(
      fc.tuple(headerValue, fc.constantFrom("\n", "\r", "\0"), headerValue).map((parts) => parts.join("")),
      fc.tuple(headerValue, fc.constantFrom("Ж", "€", "😀", "Город")).map((parts) => parts.join("")),
    );
    await fc.assert(
      fc.asyncProperty(headerName, badValue, async (name, value) => {
        const { callbell, sent } = client();
        const error = await callbell
          .updateContact(UUID, { name: "Joe" }, { headers: { [name]: value } })
          .catch((e: unknown) => e);
        const viaApi = await callbell.api
          .PATCH("/contacts/{uuid}", {
            params: { path: { uuid: UUID } },
            body: { name: "Joe" },
            headers: { [name]: value },
          })
          .catch((e: unknown) => e);
        for (const refused of [error, viaApi]) {
          expect(refused).toBeInstanceOf(CallbellInputError);
          expect((refused as Error).message).toContain(name);
          expect((refused as Error).message).not.toContain(value);
        }
        expect(sent).toEqual([]);
      }),
      { numRuns: 50 },
    );
    for (const name of ["has space", "Город", "colon:", ""])
      expect(() => client({ [name]: "x" }), name).toThrow(CallbellInputError);
  });

  it.each([
    ["a Headers object", new Headers({ Prefer: "code=429" })],
    ["an array of pairs", [["Prefer", "code=429"]]],
    ["null", null],
    ["a number value", { Prefer: 429 }],
  ])("refuses %s, which would otherwise be read as no headers or sent other than written", (_, headers) => {
    expect(() => client(headers as unknown as ExtraHeaders)).toThrow(CallbellInputError);
  });
});

describe("headers against the mock", () => {
  it("a per-call Prefer makes Prism answer 429, which comes back as RateLimitError", async () => {
    const callbell = createCallbellClient({ token: TOKEN, baseUrl: inject("prismUrl"), maxRetries: 0 });
    const error = await callbell
      .updateContact(UUID, { name: "Joe" }, { headers: { Prefer: "code=429" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(
      await callbell.updateContact(UUID, { name: "Joe" }, { headers: { Prefer: "code=200" } }),
    ).toHaveProperty("uuid");
  });
});

describe("checkHeaders", () => {
  it("gives each header by its lower-case name", () => {
    expect({ ...checkHeaders({ "X-Trace-Id": "a", PREFER: "code=200" }) }).toEqual({
      "x-trace-id": "a",
      prefer: "code=200",
    });
  });

  it("says what is wrong, naming the headers option", () => {
    expect(() => checkHeaders(new Headers() as unknown as ExtraHeaders)).toThrow(
      expect.objectContaining({
        name: "CallbellInputError",
        field: "headers",
        message: "headers must be a plain object.",
      }),
    );
    expect(() => checkHeaders({ Authorization: "Bearer x" })).toThrow(
      expect.objectContaining({ field: "headers", message: "Pass the token as `token`, not in headers." }),
    );
    expect(() => checkHeaders({ "bad name": "x" })).toThrow(expect.objectContaining({ field: "headers" }));
  });

  it("refuses Authorization only, not a header whose name merely contains it", () => {
    expect({ ...checkHeaders({ "x-authorization": "a", "authorization-id": "b" }) }).toEqual({
      "x-authorization": "a",
      "authorization-id": "b",
    });
  });
});
