// A local server that plays Callbell's rate limit for tests and benchmarks: PATCH
// /v1/contacts/{uuid} answers 200 with the contact, or 429 once `limit` requests were served in
// the last second (a sliding window; 429s do not count), and fails a share of the others with
// a 5xx or a reset connection. Faults are drawn from a seeded generator, so a run can be replayed.
// In a test it can also delay answers or pick their status per request (`script`), and keep what
// a contact would hold (`record`): every request in arrival order, the contacts' state as the
// answered updates left it (each field replaced, as Callbell applies a PATCH), and how often a
// request for a contact arrived while another for it was still unanswered (`overlaps`).
// What it serves keeps to the contract (Schemathesis checks it: test/contract/schemathesis.test.ts):
// no bearer token is 401, a uuid or body the spec refuses is 404, 400 or 422 (checked with the
// generated validators), another method on the contact's path is 405 with `Allow: PATCH`.
//
// In a test:     const standIn = await startRateLimitedStandIn({ limit: 2000 }); … standIn.stats(); await standIn.close();
// From a shell:  node test/fakes/rate-limited-api.mjs --limit 300 [--port 0] [--retry-after seconds|fractional|none|mixed]
//                [--server-errors 0.01] [--resets 0.01] [--seed 1]; prints its URL; GET /__stats answers the counts.
import { createServer } from "node:http";
import { validateContactUpdate, validateContactUuid } from "../../generated/contact-validators.js";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

/** mulberry32: a small seeded generator, so a fault mix can be replayed from its seed. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {object} [options]
 * @param {number} [options.limit] requests served per sliding second (default 300)
 * @param {"seconds" | "fractional" | "none" | "mixed"} [options.retryAfter] the 429's Retry-After: whole seconds
 *   rounded up (default), the exact wait in seconds with 3 decimals, none, or one of those at random
 * @param {number} [options.serverErrors] share of served requests answered 500, 502 or 503
 * @param {number} [options.resets] share of served requests whose connection is reset
 * @param {number} [options.seed]
 * @param {string[]} [options.missing] uuids answered 404 (no such contact), for failures that no retry fixes
 * @param {number} [options.port] default 0 (any free port)
 * @param {(request: { uuid: string, body: any, nth: number }) => ({ delayMs?: number, status?: number } | undefined)} [options.script]
 *   per request (not rate-limited): answer after `delayMs`, and with `status` instead of the dice's
 *   outcome; `nth` counts this contact's requests from 1
 * @param {boolean} [options.record] keep `history()` and `contacts()`
 * @param {string} [options.token] the only bearer token accepted; by default any is
 */
export async function startRateLimitedStandIn({
  limit = 300,
  retryAfter = "seconds",
  serverErrors = 0,
  resets = 0,
  seed = 1,
  port = 0,
  missing = [],
  script,
  record = false,
  token,
} = {}) {
  const missingUuids = new Set(missing);
  const random = seededRandom(seed);
  const window = []; // times (ms) at which the served requests of the last second arrived
  let windowStart = 0;
  const counts = {
    requests: 0,
    served: 0,
    rejected: 0,
    rateLimited: 0,
    serverErrors: 0,
    resets: 0,
    maxInWindow: 0,
    overlaps: 0,
  };
  const perUuid = new Map(); // uuid → requests that reached the server, for "nothing twice, nothing lost" checks
  const unanswered = new Map(); // uuid → its requests not answered yet
  const history = []; // with `record`: { uuid, body, status, at } per request, in arrival order
  const contacts = new Map(); // with `record`: uuid → the contact as the answered updates left it
  const sockets = new Set();

  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://stand-in");
      if (request.method === "GET" && url.pathname === "/__stats") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(counts));
        return;
      }
      const match = /^\/v1\/contacts\/([^/]+)$/.exec(url.pathname);
      if (match && request.method !== "PATCH") {
        response.writeHead(405, { "content-type": "application/json", allow: "PATCH" });
        response.end('{"message":"Method not allowed: this path takes PATCH"}');
        return;
      }
      if (!match) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end('{"message":"Not found"}');
        return;
      }
      counts.requests++;
      const uuid = decodeURIComponent(match[1]);
      perUuid.set(uuid, (perUuid.get(uuid) ?? 0) + 1);
      let body = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        // refused with a 400 below, when it is this request's turn; `body` is what `script` and `record` see
      }
      if (unanswered.get(uuid)) counts.overlaps++;
      unanswered.set(uuid, (unanswered.get(uuid) ?? 0) + 1);
      const entry = { uuid, body, status: 0, at: performance.now() };
      if (record) history.push(entry);
      // Marks the request answered (before the answer leaves, so that the next request for the contact, which waits for it, finds it so).
      const answer = (status, headers, text) => {
        entry.status = status;
        if (unanswered.get(uuid) === 1) unanswered.delete(uuid);
        else unanswered.set(uuid, unanswered.get(uuid) - 1);
        if (status === 0) return request.socket.destroy();
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(text);
      };
      const now = performance.now();
      while (windowStart < window.length && window[windowStart] <= now - 1_000) windowStart++;
      if (windowStart > 4_096) (window.splice(0, windowStart), (windowStart = 0));
      if (window.length - windowStart >= limit) {
        counts.rateLimited++;
        const waitSeconds = (window[windowStart] + 1_000 - now) / 1_000;
        const style =
          retryAfter === "mixed" ? ["seconds", "fractional", "none"][Math.floor(random() * 3)] : retryAfter;
        const headers = {};
        if (style === "seconds") headers["retry-after"] = String(Math.max(1, Math.ceil(waitSeconds)));
        if (style === "fractional") headers["retry-after"] = Math.max(0.001, waitSeconds).toFixed(3);
        answer(429, headers, '{"message":"Too many requests"}');
        return;
      }
      window.push(now);
      counts.maxInWindow = Math.max(counts.maxInWindow, window.length - windowStart);
      const planned = script?.({ uuid, body, nth: perUuid.get(uuid) }) ?? {};
      const dice = random();
      const outcome = () => {
        if (planned.status !== undefined && planned.status !== 200) {
          if (planned.status >= 500) counts.serverErrors++;
          return answer(planned.status, {}, JSON.stringify({ message: `Stand-in answer ${planned.status}` }));
        }
        if (planned.status === undefined && dice < resets) {
          counts.resets++;
          return answer(0);
        }
        if (planned.status === undefined && dice < resets + serverErrors) {
          counts.serverErrors++;
          return answer([500, 502, 503][Math.floor(random() * 3)], {}, '{"message":"Stand-in failure"}');
        }
        if (missingUuids.has(uuid)) return answer(404, {}, '{"message":"Contact not found"}');
        const refuse = (status, message, errors) => {
          counts.rejected++;
          answer(status, {}, JSON.stringify({ message, ...(errors && { errors }) }));
        };
        const bearer = /^Bearer (\S.*)$/.exec(request.headers.authorization ?? "")?.[1];
        if (!bearer || (token !== undefined && bearer !== token))
          return refuse(401, "Missing or invalid API token.");
        if (!validateContactUuid(uuid)) return refuse(404, "Contact not found.");
        let update;
        try {
          if (!/^application\/json\b/i.test(request.headers["content-type"] ?? ""))
            throw new Error("not JSON");
          update = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          return refuse(400, "The request body is not valid JSON.");
        }
        if (!validateContactUpdate(update))
          return refuse(
            422,
            "Validation failed.",
            validateContactUpdate.errors?.map(({ instancePath, message }) => ({
              field: instancePath,
              message,
            })),
          );
        counts.served++;
        const contact = { uuid, name: "Stand-in", ...(record ? contacts.get(uuid) : undefined), ...update };
        if (record) contacts.set(uuid, contact);
        answer(200, {}, JSON.stringify({ contact }));
      };
      if (planned.delayMs > 0) setTimeout(outcome, planned.delayMs);
      else outcome();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    /** A copy of the counts so far. */
    stats: () => ({ ...counts }),
    /** How many requests reached the server for each uuid. */
    requestsPerUuid: () => new Map(perUuid),
    /** With `record`: every request so far, in arrival order, with the status it got (0: reset, or not answered yet). */
    history: () => [...history],
    /** With `record`: each contact as the answered updates left it. */
    contacts: () => new Map(contacts),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      limit: { type: "string", default: "300" },
      port: { type: "string", default: "0" },
      "retry-after": { type: "string", default: "seconds" },
      "server-errors": { type: "string", default: "0" },
      resets: { type: "string", default: "0" },
      seed: { type: "string", default: "1" },
    },
  });
  const standIn = await startRateLimitedStandIn({
    limit: Number(values.limit),
    port: Number(values.port),
    retryAfter: values["retry-after"],
    serverErrors: Number(values["server-errors"]),
    resets: Number(values.resets),
    seed: Number(values.seed),
  });
  console.log(standIn.url);
  const stop = () => standIn.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
