// docs/guarantees.md's promises as invariants over generated server and caller behaviour. fast-check
// generates, per run, what a scripted node:http server on 127.0.0.1 does on each attempt (status,
// odd ones included; Retry-After in every form and garbage; bodies that are JSON, HTML, over the
// cap, gzipped, cut, empty, echoing the token raw or JSON-escaped; delays, resets, hangs, stalls)
// and what the caller does (token strings and functions that are slow, throw or never settle;
// aborts at random moments; options; bad input). For every run:
//   - the call settles within the documented bound (attempts × timeoutMs + the waits between);
//   - everything thrown is a CallbellError, or the caller's abort reason;
//   - the token is in nothing the caller can see (unless it is in the contact a 2xx returned);
//   - a 2xx contact is returned exactly as the server sent it;
//   - nothing is sent after an abort, or when an input check fails;
//   - no listener is left on the caller's signal, no timer of the client's left running, and no
//     socket left open once the server has closed its end.
//
// The seed is random per run of the suite and printed in its title and on failure; FC_SEED replays
// one, FC_NUM_RUNS sets the runs per property (default 100; the two properties run concurrently, about 6 s here).
import { AsyncLocalStorage } from "node:async_hooks";
import { getEventListeners } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallbellError, CallbellInputError, CallbellResponseTooLargeError, createCallbellClient, type ContactUpdate } from "../../src/client/index.js";
import { backoffMs, RETRY_AFTER_CAP_MS } from "../../src/client/retry-policy.js";
import { printedForms } from "../support/secret-leaks.js";

const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 100);
const UUID = "414a6d692bd645ed803f2e7ce360d4c8";
const CAP = 4_096; // maxResponseBytes in every run, so that "huge" is cheap to send
const SLACK_MS = 1_500; // a busy 2-core machine: event-loop and socket delays beyond the documented bound

// ---- what the server does on one attempt --------------------------------------------------------

type Echo = "none" | "raw" | "escaped";
interface AttemptBehaviour {
  status: number;
  body: "contact" | "contactInArray" | "contactWithoutUuid" | "message" | "html" | "ltPage" | "empty" | "huge" | "notJson";
  echo: Echo; // the token in the body (for a contact: in its name, which must come back as sent)
  statusTextEcho: boolean;
  headerEcho: boolean;
  gzip: boolean;
  retryAfter: string | undefined;
  delayMs: number;
  fault: "none" | "reset" | "hang" | "stall" | "cut";
}

const statuses = fc.constantFrom(200, 201, 204, 205, 206, 299, 304, 400, 401, 404, 408, 422, 429, 500, 502, 503, 599, 600, 799);
const imfDate = (offsetMs: number) => new Date(Date.now() + offsetMs).toUTCString();
// Every form Retry-After takes, and garbage; waits stay short so that a run stays short.
const retryAfter = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom("0", "1", "120", "-1", "+1", "1,5", "1, 2", "2 Dec", "1.5", "soon", "0x1", ""),
  fc.integer({ min: -5_000, max: 600 }).map((offset) => ({ toString: () => imfDate(offset) }) as unknown as string),
  fc.constant({ toString: () => rfc850(imfDate(-1_000)) } as unknown as string),
  fc.constant({ toString: () => asctime(imfDate(-1_000)) } as unknown as string),
);
const attemptBehaviour: fc.Arbitrary<AttemptBehaviour> = fc.record({
  status: statuses,
  body: fc.constantFrom("contact", "contactInArray", "contactWithoutUuid", "message", "html", "ltPage", "empty", "huge", "notJson"),
  echo: fc.constantFrom<Echo>("none", "raw", "escaped"),
  statusTextEcho: fc.boolean(),
  headerEcho: fc.boolean(),
  gzip: fc.boolean(),
  retryAfter,
  delayMs: fc.integer({ min: 0, max: 40 }),
  fault: fc.constantFrom("none", "none", "none", "none", "reset", "hang", "stall", "cut"),
});

function rfc850(imf: string): string {
  const [day, date, month, year, time] = imf.replace(",", "").split(" ");
  const full = { Mon: "Monday", Tue: "Tuesday", Wed: "Wednesday", Thu: "Thursday", Fri: "Friday", Sat: "Saturday", Sun: "Sunday" }[day!];
  return `${full}, ${date}-${month}-${year!.slice(2)} ${time} GMT`;
}
function asctime(imf: string): string {
  const [day, date, month, year, time] = imf.replace(",", "").split(" ");
  return `${day} ${month} ${date!.replace(/^0/, " ")} ${time} ${year}`;
}

/** The token as a server might echo it: raw, or with each character JSON-escaped (\/ and \u00XX). */
function echoed(token: string, echo: Echo): string {
  if (echo === "none") return "";
  if (echo === "raw") return token;
  return Array.from(token, (char, i) => (char === "/" ? "\\/" : i % 2 ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`)).join("");
}

interface Served {
  contactBody?: unknown; // what a 2xx contact answer carried, parsed
}

function serve(behaviour: AttemptBehaviour, token: string, request: IncomingMessage, response: ServerResponse): Served {
  const echo = echoed(token, behaviour.echo);
  const contact = { uuid: UUID, name: behaviour.echo === "none" ? "Joe" : `Joe ${token}`, tags: ["Interested"] };
  const served: Served = {};
  let text: string;
  switch (behaviour.body) {
    case "contact":
      served.contactBody = { contact };
      text = JSON.stringify(served.contactBody);
      break;
    case "contactInArray":
      served.contactBody = { contact: [contact] };
      text = JSON.stringify(served.contactBody);
      break;
    case "contactWithoutUuid":
      text = JSON.stringify({ contact: { name: "Joe" } });
      break;
    case "message":
      text = `{"message":"bad token ${echo}","error":{"message":"${"m".repeat(300)}"}}`;
      break;
    case "html":
      text = `<!doctype html><html><head><title>Error ${echo}</title></head><body><h1>${echo}</h1></body></html>`;
      break;
    case "ltPage":
      text = `${echo}${"<".repeat(50_000)}`;
      break;
    case "empty":
      text = "";
      break;
    case "huge":
      text = JSON.stringify({ contact, note: "n".repeat(CAP * 3) });
      break;
    case "notJson":
      text = `{"contact": ${echo}`;
      break;
  }
  const bytes = behaviour.gzip ? gzipSync(text) : Buffer.from(text);
  const headers: Record<string, string | number> = { "Content-Type": behaviour.body === "html" ? "text/html" : "application/json" };
  if (behaviour.gzip) headers["Content-Encoding"] = "gzip";
  if (behaviour.retryAfter !== undefined) headers["Retry-After"] = String(behaviour.retryAfter);
  if (behaviour.headerEcho) headers["X-Echo"] = token;
  const statusText = behaviour.statusTextEcho ? `Odd ${token}` : undefined;
  switch (behaviour.fault) {
    case "reset":
      request.socket.resetAndDestroy();
      return {};
    case "hang":
      return {};
    case "stall":
      response.writeHead(behaviour.status, statusText, headers);
      response.write(bytes.subarray(0, Math.ceil(bytes.length / 2)));
      return {};
    case "cut":
      response.writeHead(behaviour.status, statusText, { ...headers, "Content-Length": bytes.length + 100 });
      response.write(bytes, () => request.socket.destroy());
      return {};
    case "none":
      response.writeHead(behaviour.status, statusText, headers);
      response.end(behaviour.status === 204 ? undefined : bytes);
      return served;
  }
}

// ---- what the caller does -----------------------------------------------------------------------

type TokenKind = "string" | "sync" | "async" | "slow" | "throws" | "never";
interface Caller {
  token: string;
  tokenKind: TokenKind;
  abortAtMs: number | undefined;
  timeoutMs: number;
  maxRetries: number;
  via?: "updateContact" | "api";
  badInput: "none" | "uuid" | "update" | "tokenString";
}

const tokenChars = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
const caller: fc.Arbitrary<Caller> = fc.record({
  // A prefix and 16+ random characters: a token that cannot occur in the client's own words.
  token: fc.string({ unit: tokenChars, minLength: 16, maxLength: 40 }).map((rest) => `tok${rest}`),
  tokenKind: fc.constantFrom<TokenKind>("string", "string", "sync", "async", "slow", "throws", "never"),
  abortAtMs: fc.option(fc.integer({ min: 0, max: 600 }), { freq: 3 }),
  timeoutMs: fc.integer({ min: 120, max: 300 }),
  maxRetries: fc.integer({ min: 0, max: 2 }),
  badInput: fc.constantFrom<Caller["badInput"]>("none", "none", "none", "none", "none", "uuid", "update", "tokenString"),
});

function unrefSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function tokenSource(caller: Caller) {
  const { token } = caller;
  switch (caller.tokenKind) {
    case "string":
      return token;
    case "sync":
      return () => token;
    case "async":
      return async () => token;
    case "slow":
      return () => unrefSleep(caller.timeoutMs / 2).then(() => token);
    case "throws":
      return () => Promise.reject(new Error("the vault is sealed"));
    case "never":
      return () => new Promise<string>(() => {});
  }
}

// ---- the scripted server ------------------------------------------------------------------------

interface Arrival {
  at: number;
  behaviour: AttemptBehaviour;
  served: Served;
}
let current: { behaviours: AttemptBehaviour[]; token: string; arrivals: Arrival[] } | undefined;
const script = new Map<string, NonNullable<typeof current>>();
async function handle(request: IncomingMessage, response: ServerResponse) {
  const at = performance.now();
  const run = [...script.values()].find((each) => request.headers.authorization === `Bearer ${each.token}`);
  if (!run) return void response.writeHead(500).end();
  const behaviour = run.behaviours[Math.min(run.arrivals.length, run.behaviours.length - 1)]!;
  const arrival: Arrival = { at, behaviour, served: {} };
  run.arrivals.push(arrival);
  for await (const _ of request);
  response.on("error", () => {});
  await unrefSleep(behaviour.delayMs);
  if (!response.destroyed) arrival.served = serve(behaviour, run.token, request, response);
}

// One server per property, so that each run can close every connection and find any the client left.
const servers = { updateContact: createServer(handle), api: createServer(handle) };
const ports = { updateContact: 0, api: 0 };

beforeAll(async () => {
  for (const via of ["updateContact", "api"] as const) {
    await new Promise<void>((resolve) => servers[via].listen(0, "127.0.0.1", resolve));
    ports[via] = (servers[via].address() as AddressInfo).port;
  }
});

afterAll(async () => {
  for (const server of Object.values(servers)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * The client's sockets to a port that keep the process alive (an idle pooled socket is unref'd
 * and not listed): those that outlive the server closing its end are left behind.
 */
function clientSocketsTo(port: number): Set<object> {
  return new Set(
    (process as unknown as { _getActiveHandles(): { constructor: { name: string }; remotePort?: number }[] })
      ._getActiveHandles()
      .filter((handle) => handle.constructor.name === "Socket" && handle.remotePort === port),
  );
}

// Enough to tell, if this ever fails, a socket that never sent its request from one whose
// response was left unread (undici's sockets always read as paused: it reads on 'readable').
const describeSocket = (socket: object) => {
  const { readyState, isPaused, connecting, bytesWritten, bytesRead, localPort } = socket as {
    readyState: string;
    isPaused(): boolean;
    connecting: boolean;
    bytesWritten: number;
    bytesRead: number;
    localPort: number;
  };
  return `${readyState}${isPaused.call(socket) ? " paused" : ""}${connecting ? " connecting" : ""} :${localPort} wrote ${bytesWritten} B, read ${bytesRead} B`;
};

// The timers each run's call sets, found through the async context the call runs in (the two
// properties run concurrently, so a process-wide count would mix them). Only ref'd timers count:
// the test's own waits are unref'd.
const callContext = new AsyncLocalStorage<Set<NodeJS.Timeout>>();
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const owners = new Map<NodeJS.Timeout, Set<NodeJS.Timeout>>();
beforeAll(() => {
  globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const live = callContext.getStore();
    const handle: NodeJS.Timeout = realSetTimeout(
      (...callArgs: unknown[]) => {
        live?.delete(handle);
        owners.delete(handle);
        callback(...callArgs);
      },
      ms,
      ...args,
    );
    if (live) {
      live.add(handle);
      owners.set(handle, live);
    }
    return handle;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((handle: NodeJS.Timeout | undefined) => {
    if (handle) {
      owners.get(handle)?.delete(handle);
      owners.delete(handle);
    }
    realClearTimeout(handle);
  }) as typeof clearTimeout;
});
afterAll(() => {
  globalThis.setTimeout = realSetTimeout;
  globalThis.clearTimeout = realClearTimeout;
});
const refTimers = (live: Set<NodeJS.Timeout>) => [...live].filter((handle) => handle.hasRef()).length;

/** The longest the call may take: every attempt's timeout, and the longest wait before each retry. */
function boundMs(caller: Caller, behaviours: AttemptBehaviour[]): number {
  let total = caller.timeoutMs;
  for (let retry = 1; retry <= caller.maxRetries; retry++) {
    const answered = behaviours[Math.min(retry - 1, behaviours.length - 1)]!;
    const header = answered.retryAfter === undefined ? undefined : String(answered.retryAfter);
    const asked = header && /^\d+$/.test(header) ? Number(header) * 1_000 : header ? Math.max(0, Date.parse(header) - Date.now()) || 0 : 0;
    total += Math.max(Math.min(asked, RETRY_AFTER_CAP_MS), 500 * 2 ** (retry - 1)) + caller.timeoutMs;
  }
  return total + SLACK_MS;
}

let executions = 0;

async function oneRun(via: NonNullable<Caller["via"]>, behaviours: AttemptBehaviour[], who: Caller) {
  // A token of its own for each execution: shrinking replays a case, and a request of the last
  // execution still on its way must not count as this one's.
  const c: Caller = { ...who, via, token: `${who.token}${++executions}` };
  const run = { behaviours, token: c.token, arrivals: [] as Arrival[] };
  const runId = c.token;
  script.set(runId, run);
  const liveTimers = new Set<NodeJS.Timeout>();
  const socketsBefore = clientSocketsTo(ports[via]); // any an earlier run left, which it has reported
  const fetchCalls: { at: number; signalAborted: boolean }[] = [];
  const controller = new AbortController();
  let abortedAt = Infinity;
  const abortTimer = c.abortAtMs === undefined ? undefined : setTimeout(() => ((abortedAt = performance.now()), controller.abort()), c.abortAtMs);
  abortTimer?.unref();
  const started = performance.now();
  let outcome: { value?: unknown; error?: unknown };
  try {
    const callbell = createCallbellClient({
      token: c.badInput === "tokenString" ? `${c.token} with space` : tokenSource(c),
      baseUrl: `http://127.0.0.1:${ports[via]}/v1`,
      timeoutMs: c.timeoutMs,
      maxRetries: c.maxRetries,
      maxResponseBytes: CAP,
      // Records when the client starts each request, on the same clock as the abort.
      fetch: (input, init) => {
        fetchCalls.push({ at: performance.now(), signalAborted: init?.signal?.aborted ?? false });
        return globalThis.fetch(input, init);
      },
    });
    const uuid = c.badInput === "uuid" ? ".." : UUID;
    const cycle: Record<string, unknown> = { name: "Joe" };
    cycle.self = cycle;
    const update = (c.badInput === "update" ? cycle : { name: "Joe", tags: ["Interested"] }) as ContactUpdate;
    const call = (): Promise<unknown> =>
      c.via === "updateContact"
        ? callbell.updateContact(uuid, update, { signal: controller.signal })
        : callbell.api.PATCH("/contacts/{uuid}", { params: { path: { uuid } }, body: update, signal: controller.signal });
    const settled = callContext.run(liveTimers, call).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    // A call that never settles fails the run at its bound, rather than hanging the suite.
    const bound = boundMs(c, behaviours);
    outcome = await Promise.race([settled, unrefSleep(bound).then(() => ({ hung: true }) as { value?: unknown; error?: unknown })]);
    expect(outcome, `not settled within ${bound} ms`).not.toHaveProperty("hung");
  } catch (error) {
    if (!(error instanceof CallbellError)) throw error;
    outcome = { error };
  }
  const elapsed = performance.now() - started;
  const arrivalsAtSettle = run.arrivals.length;
  clearTimeout(abortTimer);

  // Settles within the bound.
  expect(elapsed, `settled after ${Math.round(elapsed)} ms`).toBeLessThanOrEqual(boundMs(c, behaviours));
  // Typed errors only.
  if ("error" in outcome) {
    const { error } = outcome;
    if (error !== controller.signal.reason) expect(error, String(error)).toBeInstanceOf(CallbellError);
    else expect(controller.signal.aborted).toBe(true);
    if (error instanceof CallbellInputError) expect(run.arrivals, "sent despite an input error").toHaveLength(0);
    for (const form of printedForms(error)) expect(form.includes(c.token), `token shown in ${form.slice(0, 300)}`).toBe(false);
  }
  if (c.badInput !== "none") expect(outcome.error).toBeInstanceOf(CallbellInputError);
  // A body over the cap is a typed error, and not retried.
  const last = run.arrivals.at(-1);
  if (last?.behaviour.body === "huge" && last.behaviour.fault === "none" && ![204, 205, 304].includes(last.behaviour.status) && !controller.signal.aborted && (c.via === "updateContact" || last.behaviour.status < 300 || last.behaviour.status > 599)) {
    expect(outcome.error).toBeInstanceOf(CallbellResponseTooLargeError);
    // (Counted where the client starts requests: an attempt on a pooled socket the server had closed
    // fails before reaching it, and is retried like any connection error.)
    expect((outcome.error as CallbellResponseTooLargeError).attempts).toBe(fetchCalls.length);
  }
  // What a resolved call returns: the contact exactly as sent, or (callbell.api) a masked error.
  if ("value" in outcome) {
    const last = run.arrivals.at(-1)?.served;
    if (c.via === "updateContact") {
      const body = last?.contactBody as { contact: unknown } | undefined;
      expect(body, "resolved without a 2xx contact").toBeDefined();
      expect(outcome.value).toEqual(Array.isArray(body!.contact) ? body!.contact[0] : body!.contact);
    } else {
      const { data, error, response } = outcome.value as { data?: unknown; error?: unknown; response: Response };
      if (response.ok) {
        expect(last?.contactBody, "resolved without a 2xx contact").toBeDefined();
        expect(data).toEqual(last!.contactBody);
      } else {
        expect(data).toBeUndefined();
        const shown = [JSON.stringify(error) ?? "", response.statusText, JSON.stringify([...response.headers])];
        for (const form of shown) expect(form.includes(c.token), `token shown in ${form.slice(0, 300)}`).toBe(false);
      }
    }
  }
  // Nothing sent after an abort: no request started after it (timed where the client starts it, as
  // the server shares this event loop and may read a request sent before the abort much later),
  // none with an aborted signal, and the server saw no more requests than were started.
  expect(fetchCalls.filter((call) => call.at >= abortedAt || call.signalAborted), "requests started after the abort").toEqual([]);
  if (abortedAt !== Infinity) await unrefSleep(50);
  expect(run.arrivals.length, `arrivals (${arrivalsAtSettle} when the call settled)`).toBeLessThanOrEqual(fetchCalls.length);
  // Nothing left behind.
  expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  expect(refTimers(liveTimers), "the client's timers left running").toBe(0);
  // No socket left: once the server closes its end of every connection, the client closes its own.
  servers[via].closeAllConnections();
  const leftByThisRun = () => [...clientSocketsTo(ports[via])].filter((socket) => !socketsBefore.has(socket));
  let left = leftByThisRun();
  for (let waited = 0; left.length && waited < 2_000; waited += 20) {
    await unrefSleep(20);
    left = leftByThisRun();
  }
  expect(left.map(describeSocket), "the client's sockets left open").toEqual([]);
  script.delete(runId);
}

describe.concurrent(`the client under generated server and caller behaviour (seed ${SEED}; FC_SEED=${SEED} replays it)`, () => {
  for (const via of ["updateContact", "api"] as const)
    it(`${via}: every promise holds in ${NUM_RUNS} generated runs`, { timeout: 60_000 + NUM_RUNS * 4_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(attemptBehaviour, { minLength: 1, maxLength: 3 }), caller, (behaviours, who) => oneRun(via, behaviours, who)),
        { seed: SEED + (via === "api" ? 1 : 0), numRuns: NUM_RUNS, endOnFailure: false },
      );
    });
});

// The policy the bound above relies on.
it("backoff never exceeds 0.5 s doubling", () => {
  for (let retry = 1; retry <= 4; retry++) expect(backoffMs(retry)).toBeLessThanOrEqual(500 * 2 ** (retry - 1));
});
