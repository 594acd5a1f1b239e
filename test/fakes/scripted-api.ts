// A local HTTP server on 127.0.0.1 that answers each request with the next step of a script
// (the last step repeats), recording what arrived and when: the network faults a client meets,
// played for real over loopback.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Arrival {
  /** performance.now() when the request's body had been read. */
  at: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Step = (
  request: IncomingMessage,
  response: ServerResponse,
  arrival: Arrival,
) => void | Promise<void>;

export interface ScriptedServer {
  /** Base URL, such as http://127.0.0.1:40123/v1. */
  url: string;
  arrivals: Arrival[];
  /** Closes the server and every connection it still holds (hung ones included). */
  close(): Promise<void>;
}

export async function startScriptedServer(...steps: Step[]): Promise<ScriptedServer> {
  if (steps.length === 0) throw new Error("startScriptedServer: give at least one step");
  const arrivals: Arrival[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const arrival: Arrival = {
      at: performance.now(),
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    arrivals.push(arrival);
    const step = steps[Math.min(arrivals.length, steps.length) - 1]!;
    await step(request, response, arrival);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    arrivals,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export const contact = { uuid: "414a6d692bd645ed803f2e7ce360d4c8", name: "Joe", tags: ["Interested"] };

/** Answers with a status, a body (objects as JSON) and headers. */
export function reply(
  status: number,
  body: unknown = { contact },
  headers: Record<string, string> = {},
): Step {
  return (_request, response) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    response.writeHead(status, { "Content-Type": "application/json", ...headers });
    response.end(text);
  };
}

/** Resets the connection (TCP RST) without answering. */
export const reset: Step = (request) => {
  request.socket.resetAndDestroy();
};

/** Never answers; the connection stays open until the client gives up or the server closes. */
export const hang: Step = () => {};

/** Sends the headers and the body in pieces, `gapMs` apart; `stallAfter` pieces, it stops sending (no end). */
export function trickle(
  pieces: string[],
  gapMs: number,
  options: { stallAfter?: number; resetAfter?: number } = {},
): Step {
  return async (request, response) => {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.flushHeaders();
    for (const [index, piece] of pieces.entries()) {
      if (index === options.stallAfter) return;
      if (index === options.resetAfter) return void request.socket.resetAndDestroy();
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      if (response.destroyed) return;
      response.write(piece);
    }
    response.end();
  };
}
