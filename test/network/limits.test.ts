// The caller's signal and the body cap (`maxResponseBytes`), on both call paths (updateContact and
// callbell.api), against a real node:http server on 127.0.0.1: a signal aborted before the call
// sends nothing; the cap is checked like every option, can be set per call, lets a body of exactly
// the limit through and refuses one byte more; and the rest of a long body is not downloaded (the
// client closes the connection, so the server stops writing).
import { afterEach, describe, expect, it } from "vitest";
import {
  CallbellInputError,
  CallbellResponseTooLargeError,
  createCallbellClient,
  type CallbellClientOptions,
  type RequestOptions,
} from "../../src/client/index.js";
import {
  contact,
  reply,
  startScriptedServer,
  type ScriptedServer,
  type Step,
} from "../fakes/scripted-api.js";
import { TOKEN, UUID } from "../support/stub-fetch.js";

const vias = ["updateContact", "api"] as const;
type Via = (typeof vias)[number];

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(...steps: Step[]) {
  const server = await startScriptedServer(...steps);
  servers.push(server);
  return server;
}

/** A client on `server` whose fetch counts the requests it starts. */
function clientOf(server: ScriptedServer, options: Partial<CallbellClientOptions> = {}) {
  const started: string[] = [];
  const callbell = createCallbellClient({
    token: TOKEN,
    baseUrl: server.url,
    maxRetries: 0,
    fetch: (input, init) => (started.push(String(input)), globalThis.fetch(input, init)),
    ...options,
  });
  return { callbell, started };
}

/** One call by the path named, settled: the contact (or callbell.api's data), or the error. */
async function call(
  callbell: ReturnType<typeof createCallbellClient>,
  via: Via,
  options: RequestOptions = {},
) {
  const pending: Promise<unknown> =
    via === "updateContact"
      ? callbell.updateContact(UUID, { name: "Joe" }, options)
      : callbell.api
          .PATCH("/contacts/{uuid}", { params: { path: { uuid: UUID } }, body: { name: "Joe" }, ...options })
          .then(({ data }) => data);
  return pending.then(
    (value) => ({ value, error: undefined as unknown }),
    (error: unknown) => ({ value: undefined as unknown, error }),
  );
}

/** What the call resolves to for `{ contact }`: the contact itself, or callbell.api's whole body. */
const expected = (via: Via) => (via === "updateContact" ? contact : { contact });

describe.each(vias)("via %s", (via) => {
  it("a signal aborted before the call: rejects with its reason and sends nothing", async () => {
    const server = await serve(reply(200));
    const { callbell, started } = clientOf(server);
    const reason = new Error("the caller gave up");
    const { error } = await call(callbell, via, { signal: AbortSignal.abort(reason) });
    expect(error).toBe(reason);
    expect(started).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.arrivals).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity, 2 ** 53])(
    "maxResponseBytes %s is a CallbellInputError, for the client and per call, and nothing is sent",
    async (bytes) => {
      const server = await serve(reply(200));
      expect(() =>
        createCallbellClient({ token: TOKEN, baseUrl: server.url, maxResponseBytes: bytes }),
      ).toThrow(
        expect.objectContaining({
          name: "CallbellInputError",
          field: "maxResponseBytes",
          message: "maxResponseBytes must be an integer > 0.",
        }),
      );
      const { callbell, started } = clientOf(server);
      const { error } = await call(callbell, via, { maxResponseBytes: bytes });
      expect(error).toBeInstanceOf(CallbellInputError);
      expect(error).toMatchObject({ field: "maxResponseBytes" });
      expect(started).toEqual([]);
      expect(server.arrivals).toEqual([]);
    },
  );

  it("a body of exactly maxResponseBytes is read; one byte more is a CallbellResponseTooLargeError, not retried", async () => {
    const length = Buffer.byteLength(JSON.stringify({ contact }));
    const server = await serve(reply(200));
    const exact = clientOf(server, { maxResponseBytes: length });
    expect(await call(exact.callbell, via)).toEqual({ value: expected(via), error: undefined });

    const under = clientOf(server, { maxResponseBytes: length - 1, maxRetries: 2 });
    const { error } = await call(under.callbell, via);
    expect(error).toBeInstanceOf(CallbellResponseTooLargeError);
    expect(error).toMatchObject({ maxResponseBytes: length - 1, status: 200, attempts: 1, bodyText: "" });
    expect((error as Error).message).toBe(
      `Callbell answered 200 after 1 attempt but the body is over maxResponseBytes (${length - 1}).`,
    );
    expect(under.started).toHaveLength(1);
  });

  it("maxResponseBytes per call overrides the client's, either way", async () => {
    const length = Buffer.byteLength(JSON.stringify({ contact }));
    const server = await serve(reply(200));
    const small = clientOf(server, { maxResponseBytes: 10 });
    expect(await call(small.callbell, via, { maxResponseBytes: length })).toEqual({
      value: expected(via),
      error: undefined,
    });
    expect((await call(small.callbell, via)).error).toMatchObject({
      name: "CallbellResponseTooLargeError",
      maxResponseBytes: 10,
    });

    const large = clientOf(server);
    const { error } = await call(large.callbell, via, { maxResponseBytes: length - 1 });
    expect(error).toMatchObject({ name: "CallbellResponseTooLargeError", maxResponseBytes: length - 1 });
  });

  it("the rest of a long body is not downloaded: the client closes the connection and the server stops writing", async () => {
    const CHUNK = Buffer.alloc(64 * 1024, "<");
    const TOTAL = 512; // chunks: 32 MiB, far more than the socket buffers hold
    let written = 0;
    let closedAfter: number | undefined;
    let onClose!: () => void;
    const closed = new Promise<void>((resolve) => (onClose = resolve));
    const server = await serve(async (_request, response) => {
      response.on("close", () => {
        closedAfter = written;
        onClose();
      });
      response.on("error", () => {});
      response.writeHead(200, { "Content-Type": "application/json" });
      while (written < TOTAL && !response.destroyed) {
        written++;
        if (!response.write(CHUNK))
          await new Promise<void>((drained) => {
            const done = () => (response.off("drain", done).off("close", done), drained());
            response.on("drain", done).on("close", done);
          });
      }
      if (!response.destroyed) response.end();
    });
    const { callbell } = clientOf(server, { maxResponseBytes: 1_024 });
    const { error } = await call(callbell, via);
    expect(error).toBeInstanceOf(CallbellResponseTooLargeError);
    // The client closes its side at once: the server sees the connection end long before its last chunk.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3_000))]);
    expect(
      closedAfter,
      "the connection stayed open: the client left the rest of the body unread, not cancelled",
    ).toBeDefined();
    expect(closedAfter!).toBeLessThan(TOTAL / 4);
  });
});
