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
// Each property runs twice: with a fixed seed (20261206; FC_SEED sets another), so that every run of
// the suite checks the same cases, and with a rotating one, new on every run of the suite (FC_ROTATING_SEED
// replays one; FC_ROTATING=off leaves it out, as the mutation run does). Both are printed in the test's
// title and on failure. FC_NUM_RUNS sets the runs per seed (default 100; the two properties run
// concurrently; 70-90 s on a busy 2-core machine).
//
// The generators are weighted so that most runs get through to the server and many end in a 2xx
// contact (bad input, unusable tokens and aborts are a minority), and the suite counts what the runs
// reached: it prints the distribution, fails when under half the runs reach the server or under a
// quarter return a contact, and fails when a case the README names (a status range, a Retry-After
// form that is waited for, a body, an echo, a fault, a token function, an abort, bad input) is never reached.
import { AsyncLocalStorage } from "node:async_hooks";
import { getEventListeners } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CallbellError,
  CallbellInputError,
  CallbellResponseTooLargeError,
  CallbellTimeoutError,
  createCallbellClient,
  type ContactUpdate,
} from "../../src/client/index.js";
import { backoffMs, isRetryableStatus, RETRY_AFTER_CAP_MS } from "../../src/client/retry-policy.js";
import { printedForms } from "../support/secret-leaks.js";

const FIXED_SEED = Number(process.env.FC_SEED ?? 20_261_206);
const ROTATING_SEED =
  process.env.FC_ROTATING === "off"
    ? undefined
    : Number(process.env.FC_ROTATING_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SEEDS = ROTATING_SEED === undefined ? [FIXED_SEED] : [FIXED_SEED, ROTATING_SEED];
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 100);
const UUID = "414a6d692bd645ed803f2e7ce360d4c8";
const CAP = 4_096; // maxResponseBytes in every run, so that "huge" is cheap to send
const SLACK_MS = 1_500; // a busy 2-core machine: event-loop and socket delays beyond the documented bound

// ---- what the server does on one attempt --------------------------------------------------------

type Echo = "none" | "raw" | "escaped";
interface AttemptBehaviour {
  status: number;
  body:
    | "contact"
    | "contactInArray"
    | "contactWithoutUuid"
    | "message"
    | "html"
    | "ltPage"
    | "empty"
    | "huge"
    | "notJson";
  echo: Echo; // the token in the body (for a contact: in its name, which must come back as sent)
  statusTextEcho: boolean;
  headerEcho: boolean;
  gzip: boolean;
  retryAfter: string | undefined;
  delayMs: number;
  fault: "none" | "reset" | "hang" | "stall" | "cut";
}

const statuses = fc.constantFrom(
  200,
  201,
  204,
  205,
  206,
  299,
  304,
  400,
  401,
  404,
  408,
  422,
  429,
  500,
  502,
  503,
  599,
  600,
  799,
);
// A date made when the answer is sent, in the form named. HTTP-dates count whole seconds: "ahead"
// is the next whole second plus 0-400 ms, so that it is ahead by up to 1.4 s; "past" is 1-5 s ago.
type DateForm = "IMF-fixdate" | "RFC 850" | "asctime";
const formatted = (form: DateForm, date: Date) =>
  (form === "RFC 850" ? rfc850 : form === "asctime" ? asctime : String)(date.toUTCString());
const dateAhead = (form: DateForm, extraMs: number) =>
  ({
    toString: () => formatted(form, new Date(Math.ceil((Date.now() + 1) / 1_000) * 1_000 + extraMs)),
  }) as unknown as string;
const datePast = (form: DateForm, agoMs: number) =>
  ({ toString: () => formatted(form, new Date(Date.now() - agoMs)) }) as unknown as string;
const dateForm = fc.constantFrom<DateForm>("IMF-fixdate", "RFC 850", "asctime");
// A wait the client must honour: delta-seconds, or a date ahead in each of the three forms.
const retryAfterAhead = fc.oneof(
  fc.constant("1"),
  fc
    .tuple(dateForm, fc.noBias(fc.integer({ min: 0, max: 400 })))
    .map(([form, extra]) => dateAhead(form, extra)),
);
// Every form Retry-After takes, and garbage; waits stay short so that a run stays short.
const retryAfter = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.constantFrom("0", "120", "-1", "+1", "1,5", "1, 2", "2 Dec", "1.5", "soon", "0x1", ""),
  },
  { weight: 1, arbitrary: retryAfterAhead },
  {
    weight: 1,
    arbitrary: fc
      .tuple(dateForm, fc.noBias(fc.integer({ min: 1_000, max: 5_000 })))
      .map(([form, ago]) => datePast(form, ago)),
  },
);
const anyAttempt: fc.Arbitrary<AttemptBehaviour> = fc.record({
  status: statuses,
  body: fc.constantFrom(
    "contact",
    "contactInArray",
    "contactWithoutUuid",
    "message",
    "html",
    "ltPage",
    "empty",
    "huge",
    "notJson",
  ),
  echo: fc.constantFrom<Echo>("none", "raw", "escaped"),
  statusTextEcho: fc.boolean(),
  headerEcho: fc.boolean(),
  gzip: fc.boolean(),
  retryAfter,
  delayMs: fc.integer({ min: 0, max: 40 }),
  fault: fc.constantFrom("none", "none", "none", "none", "reset", "hang", "stall", "cut"),
});
// Half the attempts answer with a contact, so that "returned exactly as sent" is checked often; one
// in eight is a 408, 429 or 503 that asks for a wait, so that Retry-After is seen to be honoured.
const attemptBehaviour: fc.Arbitrary<AttemptBehaviour> = fc.oneof(
  { weight: 3, arbitrary: anyAttempt },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        anyAttempt,
        fc.constantFrom(200, 201, 206, 299),
        fc.constantFrom<AttemptBehaviour["body"]>("contact", "contactInArray"),
      )
      .map(([attempt, status, body]) => ({ ...attempt, status, body, fault: "none" as const })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(anyAttempt, fc.constantFrom(408, 429, 503), retryAfterAhead)
      .map(([attempt, status, retryAfter]) => ({
        ...attempt,
        status,
        retryAfter,
        body: "message" as const,
        fault: "none" as const,
      })),
  },
);

function rfc850(imf: string): string {
  const [day, date, month, year, time] = imf.replace(",", "").split(" ");
  const full = {
    Mon: "Monday",
    Tue: "Tuesday",
    Wed: "Wednesday",
    Thu: "Thursday",
    Fri: "Friday",
    Sat: "Saturday",
    Sun: "Sunday",
  }[day!];
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
  return Array.from(token, (char, i) =>
    char === "/"
      ? "\\/"
      : i % 2
        ? char
        : `\\u${char.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`,
  ).join("");
}

interface Served {
  contactBody?: unknown; // what a 2xx contact answer carried, parsed
  retryAfter?: string; // the Retry-After header sent with a complete answer
  sentAt?: number; // Date.now() when that answer was sent
}

function serve(
  behaviour: AttemptBehaviour,
  token: string,
  request: IncomingMessage,
  response: ServerResponse,
): Served {
  const echo = echoed(token, behaviour.echo);
  const contact = {
    uuid: UUID,
    name: behaviour.echo === "none" ? "Joe" : `Joe ${token}`,
    tags: ["Interested"],
  };
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
  const headers: Record<string, string | number> = {
    "Content-Type": behaviour.body === "html" ? "text/html" : "application/json",
  };
  if (behaviour.gzip) headers["Content-Encoding"] = "gzip";
  const retryAfterSent = behaviour.retryAfter === undefined ? undefined : String(behaviour.retryAfter);
  if (retryAfterSent !== undefined) headers["Retry-After"] = retryAfterSent;
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
      return { ...served, retryAfter: retryAfterSent, sentAt: Date.now() };
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
  // One run in twelve has a token function that throws or never settles; one in six aborts, at a
  // moment spread evenly over 0-600 ms (not biased toward 0, which aborts before anything is sent);
  // one in twelve passes bad input.
  tokenKind: fc.oneof(
    { weight: 11, arbitrary: fc.constantFrom<TokenKind>("string", "string", "sync", "async", "slow") },
    { weight: 1, arbitrary: fc.constantFrom<TokenKind>("throws", "never") },
  ),
  abortAtMs: fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.noBias(fc.integer({ min: 0, max: 600 })) },
  ),
  // Long enough that a busy machine rarely runs out of time where the server answered at once.
  timeoutMs: fc.integer({ min: 300, max: 500 }),
  maxRetries: fc.integer({ min: 0, max: 2 }),
  badInput: fc.oneof(
    { weight: 11, arbitrary: fc.constant<Caller["badInput"]>("none") },
    { weight: 1, arbitrary: fc.constantFrom<Caller["badInput"]>("uuid", "update", "tokenString") },
  ),
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
  wallAt: number; // Date.now(), to compare with an HTTP-date
  behaviour: AttemptBehaviour;
  served: Served;
}
let current: { behaviours: AttemptBehaviour[]; token: string; arrivals: Arrival[] } | undefined;
const script = new Map<string, NonNullable<typeof current>>();
async function handle(request: IncomingMessage, response: ServerResponse) {
  const at = performance.now();
  const wallAt = Date.now();
  const run = [...script.values()].find((each) => request.headers.authorization === `Bearer ${each.token}`);
  if (!run) return void response.writeHead(500).end();
  const behaviour = run.behaviours[Math.min(run.arrivals.length, run.behaviours.length - 1)]!;
  const arrival: Arrival = { at, wallAt, behaviour, served: {} };
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
    const asked =
      header && /^\d+$/.test(header)
        ? Number(header) * 1_000
        : header
          ? Math.max(0, Date.parse(header) - Date.now()) || 0
          : 0;
    total += Math.max(Math.min(asked, RETRY_AFTER_CAP_MS), 500 * 2 ** (retry - 1)) + caller.timeoutMs;
  }
  return total + SLACK_MS;
}

let executions = 0;

/** The earliest the next request may arrive after a complete answer with `retryAfter`: when a wait was asked for, the ms it asked and the moment it ends (Date.now()). */
function askedWait(served: Served): { form: string; until: number } | undefined {
  const { retryAfter, sentAt } = served;
  if (retryAfter === undefined || sentAt === undefined) return undefined;
  if (/^\d+$/.test(retryAfter))
    return Number(retryAfter) > 0
      ? { form: "delta-seconds", until: sentAt + Number(retryAfter) * 1_000 }
      : undefined;
  // Read here on its own, not with the client's parser: the moment the date names, in each form.
  const months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const at = (form: string, day: string, month: string, year: string, time: string) => {
    const [h, m, sec] = time.split(":").map(Number);
    return { form, until: Date.UTC(Number(year), months.indexOf(month) / 3, Number(day), h, m, sec) };
  };
  let match: RegExpExecArray | null;
  let asked: { form: string; until: number } | undefined;
  if ((match = /^\w{3}, (\d\d) (\w{3}) (\d{4}) (\S{8}) GMT$/.exec(retryAfter)))
    asked = at("IMF-fixdate", match[1]!, match[2]!, match[3]!, match[4]!);
  else if ((match = /^\w+day, (\d\d)-(\w{3})-(\d\d) (\S{8}) GMT$/.exec(retryAfter)))
    asked = at("RFC 850", match[1]!, match[2]!, `20${match[3]}`, match[4]!);
  else if ((match = /^\w{3} (\w{3}) ([ \d]\d) (\S{8}) (\d{4})$/.exec(retryAfter)))
    asked = at("asctime", match[2]!.trim(), match[1]!, match[4]!, match[3]!);
  return asked && asked.until > sentAt ? asked : undefined;
}

type Tally = (label: string) => void;

async function oneRun(
  via: NonNullable<Caller["via"]>,
  behaviours: AttemptBehaviour[],
  who: Caller,
  tally: Tally,
) {
  // A token of its own for each execution: shrinking replays a case, and a request of the last
  // execution still on its way must not count as this one's.
  const c: Caller = { ...who, via, token: `${who.token}${++executions}` };
  const run = { behaviours, token: c.token, arrivals: [] as Arrival[] };
  const runId = c.token;
  script.set(runId, run);
  const liveTimers = new Set<NodeJS.Timeout>();
  const socketsBefore = clientSocketsTo(ports[via]); // any an earlier run left, which it has reported
  const fetchCalls: { at: number; signalAborted: boolean; signal: AbortSignal | undefined }[] = [];
  const controller = new AbortController();
  let abortedAt = Infinity;
  const abortTimer =
    c.abortAtMs === undefined
      ? undefined
      : setTimeout(() => ((abortedAt = performance.now()), controller.abort()), c.abortAtMs);
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
        fetchCalls.push({
          at: performance.now(),
          signalAborted: init?.signal?.aborted ?? false,
          signal: init?.signal ?? undefined,
        });
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
        : callbell.api.PATCH("/contacts/{uuid}", {
            params: { path: { uuid } },
            body: update,
            signal: controller.signal,
          });
    const settled = callContext.run(liveTimers, call).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    // A call that never settles fails the run at its bound, rather than hanging the suite.
    const bound = boundMs(c, behaviours);
    outcome = await Promise.race([
      settled,
      unrefSleep(bound).then(() => ({ hung: true }) as { value?: unknown; error?: unknown }),
    ]);
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
    if (error instanceof CallbellInputError)
      expect(run.arrivals, "sent despite an input error").toHaveLength(0);
    for (const form of printedForms(error))
      expect(form.includes(c.token), `token shown in ${form.slice(0, 300)}`).toBe(false);
  }
  if (c.badInput !== "none") expect(outcome.error).toBeInstanceOf(CallbellInputError);
  // A body over the cap is a typed error, and not retried.
  const last = run.arrivals.at(-1);
  if (
    last?.behaviour.body === "huge" &&
    last.behaviour.fault === "none" &&
    ![204, 205, 304].includes(last.behaviour.status) &&
    !controller.signal.aborted &&
    (c.via === "updateContact" || last.behaviour.status < 300 || last.behaviour.status > 599)
  ) {
    // (A slow token function and a short timeout may run out first on a busy machine: that is a timeout.)
    if (!(outcome.error instanceof CallbellTimeoutError))
      expect(outcome.error).toBeInstanceOf(CallbellResponseTooLargeError);
    // (Counted where the client starts requests: an attempt on a pooled socket the server had closed
    // fails before reaching it, and is retried like any connection error.)
    expect((outcome.error as CallbellResponseTooLargeError | CallbellTimeoutError).attempts).toBe(
      fetchCalls.length,
    );
  }
  // What a resolved call returns: the contact exactly as sent, or (callbell.api) a masked error.
  if ("value" in outcome) {
    const last = run.arrivals.at(-1)?.served;
    if (c.via === "updateContact") {
      const body = last?.contactBody as { contact: unknown } | undefined;
      expect(body, "resolved without a 2xx contact").toBeDefined();
      expect(outcome.value).toEqual(Array.isArray(body!.contact) ? body!.contact[0] : body!.contact);
    } else {
      const { data, error, response } = outcome.value as {
        data?: unknown;
        error?: unknown;
        response: Response;
      };
      if (response.ok) {
        expect(last?.contactBody, "resolved without a 2xx contact").toBeDefined();
        expect(data).toEqual(last!.contactBody);
      } else {
        expect(data).toBeUndefined();
        const shown = [
          JSON.stringify(error) ?? "",
          response.statusText,
          JSON.stringify([...response.headers]),
        ];
        for (const form of shown)
          expect(form.includes(c.token), `token shown in ${form.slice(0, 300)}`).toBe(false);
      }
    }
  }
  // A Retry-After that asked for a wait, on an answer the client read in full and may retry: the
  // next request comes no sooner than asked (the upper bound is the settle bound above).
  for (const [index, arrival] of run.arrivals.slice(0, -1).entries()) {
    const asked = askedWait(arrival.served);
    // The attempt this answer went to: the last request started before it arrived. Its signal aborted
    // means the client did not read the answer (its timeout ran out first, on a busy machine), and
    // then it backs off instead.
    const attempt = fetchCalls.filter((call) => call.at <= arrival.at).at(-1);
    if (!asked || !isRetryableStatus(arrival.behaviour.status) || !attempt || attempt.signal?.aborted)
      continue;
    const next = run.arrivals[index + 1]!;
    expect(
      next.wallAt,
      `retried ${asked.until - next.wallAt} ms before the Retry-After (${asked.form}) ${arrival.served.retryAfter}`,
    ).toBeGreaterThanOrEqual(asked.until - 15);
    tally(`Retry-After waited for: ${asked.form}`);
  }
  // Nothing sent after an abort: no request started after it (timed where the client starts it, as
  // the server shares this event loop and may read a request sent before the abort much later),
  // none with an aborted signal, and the server saw no more requests than were started.
  expect(
    fetchCalls.filter((call) => call.at >= abortedAt || call.signalAborted),
    "requests started after the abort",
  ).toEqual([]);
  if (abortedAt !== Infinity) await unrefSleep(50);
  expect(run.arrivals.length, `arrivals (${arrivalsAtSettle} when the call settled)`).toBeLessThanOrEqual(
    fetchCalls.length,
  );
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

  // What this run reached, for the distribution.
  tally("runs");
  if (run.arrivals.length) tally("reached the server");
  const resolvedOk =
    "value" in outcome && (via === "updateContact" || (outcome.value as { response: Response }).response.ok);
  if (resolvedOk) tally("returned a 2xx contact");
  if ("value" in outcome && !resolvedOk) tally("callbell.api resolved a non-2xx (masked error)");
  if ("error" in outcome)
    tally(
      `threw ${outcome.error === controller.signal.reason ? "the abort reason" : (outcome.error as Error).name}`,
    );
  if (c.badInput !== "none") tally(`bad input: ${c.badInput}`);
  if (c.badInput === "none" && (c.tokenKind === "throws" || c.tokenKind === "never"))
    tally(`token function that ${c.tokenKind === "throws" ? "throws" : "never settles"}`);
  if (c.tokenKind === "slow" && run.arrivals.length) tally("slow token function, then sent");
  if (abortedAt !== Infinity && run.arrivals.length) tally("aborted after sending");
  for (const { behaviour, served } of run.arrivals) {
    const { status, body, fault, echo } = behaviour;
    tally(
      `answered ${status < 300 ? "2xx" : status < 400 ? "3xx" : status < 500 ? "4xx" : status < 600 ? "5xx" : "600-799"}`,
    );
    if (fault !== "none") tally(`fault: ${fault}`);
    else {
      tally(`body: ${body}`.replace(/contactInArray|contactWithoutUuid/, "contact"));
      if (behaviour.gzip) tally("gzip body");
      if (served.retryAfter !== undefined && isRetryableStatus(status))
        tally("Retry-After on a retryable answer");
      if (status >= 300 || status < 200) {
        if (echo !== "none" && body !== "contact" && body !== "contactInArray")
          tally(`token echoed ${echo} in an error body`);
        if (behaviour.statusTextEcho) tally("token echoed in an error's status line");
        if (behaviour.headerEcho) tally("token echoed in an error's header");
      }
    }
  }
}

/** The cases the README names, each of which some run must reach (over both properties and seeds). */
const MUST_REACH = [
  "reached the server",
  "returned a 2xx contact",
  "answered 2xx",
  "answered 4xx",
  "answered 5xx",
  "answered 600-799",
  "body: contact",
  "gzip body",
  "body: html",
  "body: huge",
  "body: empty",
  "body: notJson",
  "fault: reset",
  "fault: hang",
  "fault: stall",
  "fault: cut",
  "token echoed raw in an error body",
  "token echoed escaped in an error body",
  "token echoed in an error's status line",
  "token echoed in an error's header",
  "Retry-After waited for: delta-seconds",
  "Retry-After waited for: IMF-fixdate",
  "Retry-After waited for: RFC 850",
  "Retry-After waited for: asctime",
  "slow token function, then sent",
  "token function that throws",
  "token function that never settles",
  "aborted after sending",
  "threw the abort reason",
  "bad input: uuid",
  "bad input: update",
  "bad input: tokenString",
];

const seedsTitle = `fixed seed ${FIXED_SEED} (FC_SEED)${ROTATING_SEED === undefined ? "" : `, rotating seed ${ROTATING_SEED} (FC_ROTATING_SEED=${ROTATING_SEED} replays it)`}`;

// What the runs of both properties reached, over every seed.
const reached = new Map<string, number>();

describe.concurrent(`the client under generated server and caller behaviour: ${seedsTitle}`, () => {
  for (const via of ["updateContact", "api"] as const)
    it(
      `${via}: every promise holds in ${NUM_RUNS} generated runs per seed`,
      { timeout: 60_000 + SEEDS.length * NUM_RUNS * 4_000 },
      async () => {
        for (const seed of SEEDS) {
          const runCounts = new Map<string, number>();
          const tally: Tally = (label) => runCounts.set(label, (runCounts.get(label) ?? 0) + 1);
          await fc.assert(
            fc.asyncProperty(
              fc.array(attemptBehaviour, { minLength: 1, maxLength: 3 }),
              caller,
              (behaviours, who) => oneRun(via, behaviours, who, tally),
            ),
            { seed: seed + (via === "api" ? 1 : 0), numRuns: NUM_RUNS, endOnFailure: false },
          );
          for (const [label, count] of runCounts) reached.set(label, (reached.get(label) ?? 0) + count);
          const runs = runCounts.get("runs") ?? 0;
          const share = (label: string) => (runCounts.get(label) ?? 0) / runs;
          const lines = [...runCounts]
            .filter(([label]) => label !== "runs")
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([label, count]) => `  ${String(count).padStart(4)}  ${label}`);
          console.log(
            `properties ${via}, seed ${seed + (via === "api" ? 1 : 0)}: ${runs} runs, ${Math.round(100 * share("reached the server"))} % reached the server, ${Math.round(100 * share("returned a 2xx contact"))} % returned a contact\n${lines.join("\n")}`,
          );
          expect(
            share("reached the server"),
            `seed ${seed}: share of runs that reached the server`,
          ).toBeGreaterThanOrEqual(0.5);
          expect(
            share("returned a 2xx contact"),
            `seed ${seed}: share of runs that returned a contact`,
          ).toBeGreaterThanOrEqual(0.25);
        }
      },
    );
});

// After both properties (the describe above runs first). Rare cases are counted over both paths and
// both seeds, so that an unlucky rotating seed does not fail it; one never reached fails it.
it("the generated runs reached every case the README names", () => {
  expect(reached.get("runs"), "the properties above did not run: run the whole file").toBeGreaterThan(0);
  expect(
    MUST_REACH.filter((label) => !reached.has(label)),
    "cases the README names that no run reached",
  ).toEqual([]);
});

// The policy the bound above relies on.
it("backoff never exceeds 0.5 s doubling", () => {
  for (let retry = 1; retry <= 4; retry++)
    expect(backoffMs(retry)).toBeLessThanOrEqual(500 * 2 ** (retry - 1));
});
