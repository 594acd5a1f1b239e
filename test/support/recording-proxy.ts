// A pass-through in front of the Prism mock that records each request and Prism's answer, so a
// test sees what a program really sent and got without changing the program.
import http from "node:http";

export interface Exchange {
  method: string;
  /** Path and query, as the program sent them. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
  responseBody: string;
}

// Per-connection headers, which each hop sets for itself.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "host",
  "expect",
  "upgrade",
]);

/** `addHeaders` are set on every forwarded request: `{ Prefer: "code=422" }` makes Prism answer 422. */
export async function startRecordingProxy(
  target: string,
  { addHeaders = {} }: { addHeaders?: Record<string, string> } = {},
) {
  const exchanges: Exchange[] = [];
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name))
        headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    for (const [name, value] of Object.entries(addHeaders)) headers.set(name, value);
    const exchange: Exchange = {
      method: request.method ?? "",
      path: request.url ?? "",
      headers: request.headers,
      body,
      status: 0,
      responseBody: "",
    };
    exchanges.push(exchange);
    try {
      const answer = await fetch(new URL(exchange.path, target), {
        method: exchange.method,
        headers,
        body: ["GET", "HEAD"].includes(exchange.method) ? undefined : body,
      });
      exchange.status = answer.status;
      exchange.responseBody = await answer.text();
      const answerHeaders = Object.fromEntries(
        [...answer.headers].filter(([name]) => !HOP_BY_HOP.has(name) && name !== "content-encoding"),
      );
      response.writeHead(answer.status, answerHeaders).end(exchange.responseBody);
    } catch (error) {
      exchange.status = 502;
      exchange.responseBody = `recording proxy: Prism did not answer (${(error as Error).message})`;
      response.writeHead(502, { "content-type": "text/plain" }).end(exchange.responseBody);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
