// The mutator orval's fetch client calls (orval's documented way to set a base URL and headers).
let baseUrl = "";
let headers: Record<string, string> = {};

export function configure(options: { baseUrl: string; headers: Record<string, string> }) {
  ({ baseUrl, headers } = options);
}

export async function orvalFetch<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(`${baseUrl}${url}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), ...headers },
  });
  const text = await response.text();
  return {
    status: response.status,
    data: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  } as T;
}
