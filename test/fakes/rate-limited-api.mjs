// A local server that plays Callbell's rate limit for tests and benchmarks: PATCH
// /v1/contacts/{uuid} answers 200 with the contact, or 429 once `limit` requests were served in
// the last second (a sliding window; 429s do not count), and fails a share of the others with
// a 5xx or a reset connection. Faults are drawn from a seeded generator, so a run can be replayed.
//
// In a test:     const standIn = await startRateLimitedStandIn({ limit: 2000 }); … standIn.stats(); await standIn.close();
// From a shell:  node test/fakes/rate-limited-api.mjs --limit 300 [--port 0] [--retry-after seconds|fractional|none|mixed]
//                [--server-errors 0.01] [--resets 0.01] [--seed 1]; prints its URL; GET /__stats answers the counts.
import { createServer } from "node:http";
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
 */
export async function startRateLimitedStandIn({
  limit = 300,
  retryAfter = "seconds",
  serverErrors = 0,
  resets = 0,
  seed = 1,
  port = 0,
  missing = [],
} = {}) {
  const missingUuids = new Set(missing);
  const random = seededRandom(seed);
  const window = []; // times (ms) at which the served requests of the last second arrived
  let windowStart = 0;
  const counts = { requests: 0, served: 0, rateLimited: 0, serverErrors: 0, resets: 0, maxInWindow: 0 };
  const perUuid = new Map(); // uuid → requests that reached the server, for "nothing twice, nothing lost" checks
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
      if (request.method !== "PATCH" || !match) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end('{"message":"Not found"}');
        return;
      }
      counts.requests++;
      const uuid = decodeURIComponent(match[1]);
      perUuid.set(uuid, (perUuid.get(uuid) ?? 0) + 1);
      const now = performance.now();
      while (windowStart < window.length && window[windowStart] <= now - 1_000) windowStart++;
      if (windowStart > 4_096) window.splice(0, windowStart), (windowStart = 0);
      if (window.length - windowStart >= limit) {
        counts.rateLimited++;
        const waitSeconds = (window[windowStart] + 1_000 - now) / 1_000;
        const style = retryAfter === "mixed" ? ["seconds", "fractional", "none"][Math.floor(random() * 3)] : retryAfter;
        const headers = { "content-type": "application/json" };
        if (style === "seconds") headers["retry-after"] = String(Math.max(1, Math.ceil(waitSeconds)));
        if (style === "fractional") headers["retry-after"] = Math.max(0.001, waitSeconds).toFixed(3);
        response.writeHead(429, headers);
        response.end('{"message":"Too many requests"}');
        return;
      }
      window.push(now);
      counts.maxInWindow = Math.max(counts.maxInWindow, window.length - windowStart);
      const dice = random();
      if (dice < resets) {
        counts.resets++;
        request.socket.destroy();
        return;
      }
      if (dice < resets + serverErrors) {
        counts.serverErrors++;
        response.writeHead([500, 502, 503][Math.floor(random() * 3)], { "content-type": "application/json" });
        response.end('{"message":"Stand-in failure"}');
        return;
      }
      if (missingUuids.has(uuid)) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end('{"message":"Contact not found"}');
        return;
      }
      counts.served++;
      let update = {};
      try {
        update = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        // an unreadable body still gets a contact: this server plays the limit, not the validation
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ contact: { uuid, name: "Stand-in", ...update } }));
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
