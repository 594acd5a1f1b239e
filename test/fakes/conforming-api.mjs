// A node:http server on 127.0.0.1 that plays Callbell's PATCH /contacts/{uuid}: upstream for
// the proxy wiring test, and the loopback server of the benchmark (run alone, it prints its URL).
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

/** The answer a well-behaved Callbell gives: the contact, with the name it was sent. */
export function conformingAnswer(request) {
  const uuid = decodeURIComponent(request.url.split("/").pop() ?? "");
  const body = request.body ? JSON.parse(request.body) : {};
  return {
    status: 200,
    body: { contact: { uuid, name: body.name ?? null, createdAt: "2020-11-13T21:08:53Z", tags: [] } },
  };
}

/**
 * Starts the server on a free port. `answer` maps each request to { status, headers?, body }.
 * @param {{ answer?: (request: { method: string, url: string, headers: import("node:http").IncomingHttpHeaders, body: string }) => { status: number, headers?: Record<string, string>, body: unknown } }} [options]
 */
export async function startStandInApi({ answer = conformingAnswer } = {}) {
  /** Every request received, in order. */
  const requests = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
    requests.push(request);
    const reply = answer(request);
    const payload = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(payload),
      ...reply.headers,
    });
    res.end(payload);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const api = await startStandInApi();
  console.log(`stand-in API listening on ${api.url}`);
  for (const signal of ["SIGINT", "SIGTERM"])
    process.on(signal, () => void api.stop().then(() => process.exit(0)));
}
