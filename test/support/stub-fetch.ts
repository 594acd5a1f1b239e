// A fetch that records what the client sent and answers from a script, for unit tests.
export interface SentRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

export type Reply = Response | (() => Response | Promise<Response>) | Error;

export function stubFetch(...replies: Reply[]) {
  const sent: SentRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    sent.push({
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: await request.text(),
    });
    const reply = replies.length > 1 ? replies.shift()! : replies[0];
    if (reply === undefined) throw new Error("stubFetch: no reply scripted");
    if (reply instanceof Error) throw reply;
    return typeof reply === "function" ? reply() : reply.clone();
  };
  return { fetch, sent };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

export const TOKEN = "test_SECRETtoken123";
export const UUID = "414a6d692bd645ed803f2e7ce360d4c8";
