// An error message quotes everything bounded, the caller's own input included: a uuid of 20,000
// characters (a whole CSV cell, a log line) gives a message of a few hundred, which still shows
// the uuid's start and never the token, on both call paths (updateContact and callbell.api).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CallbellConnectionError, createCallbellClient, NotFoundError } from "../../src/client/index.js";
import { cut } from "../../src/client/internal/redaction.js";

const BASE = "http://api.test/v1";
const MAX_MESSAGE = 1_000;

/** The path as the message shows its start: percent-encoded, the token masked, no escape cut in two. */
const shownStart = (uuid: string, token: string, chars: number) =>
  `/contacts/${encodeURIComponent(uuid).replaceAll(encodeURIComponent(token), "[redacted]").replaceAll(token, "[redacted]")}`
    .slice(0, chars)
    .replace(/%[\dA-Fa-f]?$/, "");

async function failure(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error("the call did not fail");
}

/** The ways a message could still carry the token: whole, percent-encoded, or its first half. */
function leaks(message: string, token: string, quoted: string): string[] {
  const half = token.slice(0, Math.ceil(token.length / 2));
  return [token, encodeURIComponent(token), half].filter(
    (form) => message.includes(form) && !quoted.replaceAll(token, "").includes(form),
  );
}

const token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{16,48}$/).filter((text) => new Set(text).size > 6);
// A uuid as a caller's bug makes one: a start, then up to 25,000 of one character (multi-byte
// ones too), the token somewhere after the start.
const longUuid = fc
  .record({
    start: fc
      .string({ unit: "grapheme", minLength: 3, maxLength: 30 })
      .filter((text) => !/^\.{1,2}$/.test(text)),
    filler: fc.constantFrom("a", "0", "é", "中", "😀", "e\u0301", "/", "%", " "),
    count: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 10_000, max: 25_000 })),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .chain((parts) => token.map((secret) => ({ ...parts, token: secret })))
  .map(({ start, filler, count, at, token }) => {
    const tail = filler.repeat(count);
    const split = Math.floor(tail.length * at);
    const safeSplit = /[\uD800-\uDBFF]/.test(tail[split - 1] ?? "") ? split - 1 : split;
    return { start, token, uuid: start + tail.slice(0, safeSplit) + token + tail.slice(safeSplit) };
  });

describe("error messages are bounded", () => {
  it("cut: at most the limit, an ellipsis at the cut, no surrogate pair split (generated)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 600 }),
        fc.integer({ min: 2, max: 300 }),
        (text, max) => {
          const shown = cut(text, max);
          expect(shown.length).toBeLessThanOrEqual(max);
          if (text.length <= max) expect(shown).toBe(text);
          else {
            expect(shown.endsWith("…")).toBe(true);
            expect(text.startsWith(shown.slice(0, -1))).toBe(true);
            expect(/[\uD800-\uDBFF]$/.test(shown.slice(0, -1))).toBe(false);
          }
        },
      ),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it("a 404 for a 20,000-character uuid: a message under 1,000 characters that shows the uuid's start", async () => {
    const uuid = `414a6d692bd645ed${"中".repeat(20_000)}`;
    const statusText = `Not Found ${"x".repeat(5_000)}`;
    const fetch = async () => new Response("y".repeat(50_000), { status: 404, statusText });
    const callbell = createCallbellClient({
      token: "test_SECRETtoken123",
      baseUrl: BASE,
      fetch,
      maxRetries: 0,
    });
    const error = await failure(() => callbell.updateContact(uuid, { name: "x" }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message.length).toBeLessThan(MAX_MESSAGE);
    expect(error.message).toContain("to PATCH /contacts/414a6d692bd645ed%E4%B8%AD");
    expect(error.message).toMatch(
      /^Callbell answered 404 Not Found x+… to PATCH \/contacts\/414a6d692bd645ed(%E4%B8%AD)+… after 1 attempt: y+…$/,
    );
  });

  it("masks before it cuts: a token across the cut leaves no part of itself", async () => {
    const secret = "test_SECRETtoken123";
    for (const before of [150, 190, 195, 199, 205]) {
      const body = "b".repeat(before) + secret + "b".repeat(50);
      const callbell = createCallbellClient({
        token: secret,
        baseUrl: BASE,
        fetch: async () => new Response(body, { status: 500 }),
        maxRetries: 0,
      });
      const error = await failure(() =>
        callbell.updateContact(`${"u".repeat(before)}${secret}`, { name: "x" }),
      );
      expect(error.message).not.toContain("test_");
      expect(error.message).not.toContain("SECRET");
    }
  });

  it("updateContact: a 404 and a connection error, for generated long uuids holding the token", async () => {
    let long = 0;
    await fc.assert(
      fc.asyncProperty(longUuid, fc.boolean(), async ({ start, token, uuid }, answered) => {
        if (uuid.length >= 20_000) long++;
        const fetch = async (url: string | URL | Request) => {
          if (!answered)
            throw new TypeError("fetch failed", {
              cause: new Error(`request to ${String(url)} with Bearer ${token} failed`),
            });
          return new Response(`<h1>Not Found</h1> ${uuid} ${token}`, {
            status: 404,
            statusText: `Not Found ${token}`,
          });
        };
        const callbell = createCallbellClient({ token, baseUrl: BASE, fetch, maxRetries: 0 });
        const error = await failure(() => callbell.updateContact(uuid, { name: "x" }));
        expect(error).toBeInstanceOf(answered ? NotFoundError : CallbellConnectionError);
        expect(error.message.length).toBeLessThan(MAX_MESSAGE);
        expect(error.message).toContain(
          shownStart(uuid, token, 10 + Math.min(encodeURIComponent(start).length, 60)),
        );
        expect(leaks(error.message, token, uuid)).toEqual([]);
      }),
      { seed: 20261206, numRuns: 60 },
    );
    expect(long).toBeGreaterThan(10);
  });

  it("callbell.api: a connection error that quotes the request, for generated long uuids holding the token", async () => {
    let long = 0;
    await fc.assert(
      fc.asyncProperty(longUuid, async ({ start, token, uuid }) => {
        if (uuid.length >= 20_000) long++;
        const fetch = async (url: string | URL | Request) => {
          throw new TypeError("fetch failed", {
            cause: new Error(`request to ${String(url).slice(BASE.length)} with Bearer ${token} failed`),
          });
        };
        const callbell = createCallbellClient({ token, baseUrl: BASE, fetch, maxRetries: 0 });
        const error = await failure(() =>
          callbell.api.PATCH("/contacts/{uuid}", { params: { path: { uuid } }, body: { name: "x" } }),
        );
        expect(error).toBeInstanceOf(CallbellConnectionError);
        expect(error.message.length).toBeLessThan(MAX_MESSAGE);
        expect(error.message).toContain(
          shownStart(uuid, token, 10 + Math.min(encodeURIComponent(start).length, 60)),
        );
        expect(leaks(error.message, token, uuid)).toEqual([]);
      }),
      { seed: 20261206, numRuns: 40 },
    );
    expect(long).toBeGreaterThan(8);
  });
});

describe("cut, at its edges", () => {
  it("keeps a text of exactly the limit whole, and cuts one character more to the limit with an ellipsis", () => {
    expect(cut("x".repeat(200))).toBe("x".repeat(200));
    expect(cut("x".repeat(201))).toBe(`${"x".repeat(199)}…`);
    expect(cut("abcdef", 4)).toBe("abc…");
  });

  it("drops only a surrogate half left at the cut, never a pair earlier in the text", () => {
    expect(cut(`😀${"a".repeat(300)}`)).toBe(`😀${"a".repeat(197)}…`);
    expect(cut(`${"a".repeat(198)}😀b`)).toBe(`${"a".repeat(198)}…`);
  });
});

describe("a cut path never ends inside a percent escape", () => {
  it("drops an escape cut after its %, or after its first digit, and keeps one cut after its last", async () => {
    // "/contacts/" and "u"s, then 中 (%E4%B8%AD, three escapes of three characters): moving the
    // start by one character nine times puts the cut at each place inside an escape.
    const ends = new Set<string>();
    for (let pad = 0; pad < 9; pad++) {
      const uuid = `${"u".repeat(170 + pad)}${"中".repeat(20)}`;
      const callbell = createCallbellClient({
        token: "test_SECRETtoken123",
        baseUrl: BASE,
        fetch: async () => new Response(null, { status: 404 }),
        maxRetries: 0,
      });
      const error = await failure(() => callbell.updateContact(uuid, { name: "x" }));
      const path = /to PATCH (\S+) after 1 attempt$/.exec(error.message)?.[1] ?? "";
      expect(path).toMatch(/^\/contacts\/u+(%E4%B8%AD)*(%E4|%E4%B8)?…$/);
      ends.add(
        path
          .replace(/^\/contacts\/u+/, "")
          .replace(/(%E4%B8%AD)*/, "")
          .replace(/…$/, ""),
      );
    }
    // The cut landed after each whole escape of 中 (and at its end), never leaving a lone % or digit.
    expect([...ends].sort()).toEqual(["", "%E4", "%E4%B8"]);
  });
});
