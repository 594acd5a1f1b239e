// typed-openapi: its ApiClient (TypeScript types) on a fetcher of ours, and its zod schemas.
import { createApiClient } from "../out/typed-openapi/client.js";
import { UpdateContactResponse } from "../out/typed-openapi/schemas.zod.js";
import { result, token, typedBody, uuid, type CallResult } from "./result.js";

export async function call(baseUrl: string, prefer: string): Promise<CallResult> {
  const api = createApiClient(
    {
      fetch: ({ method, url, parameters, overrides }) =>
        fetch(url, {
          ...overrides,
          method: method.toUpperCase(),
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Prefer: prefer },
          body: JSON.stringify(parameters?.body),
        }),
    },
    baseUrl,
  );
  const response = await api.patch("/contacts/{uuid}", {
    path: { uuid },
    body: { name: "Joe Doe NEW" },
    withResponse: true,
  });
  if (!response.ok) throw new Error(`typed-openapi: ${response.status}`);
  const body = typedBody(response.data);
  // @ts-expect-error: a contact's uuid is a string; a generator that typed it so refuses this.
  const wrong: number = Array.isArray(body.contact) ? 0 : body.contact.uuid;
  void wrong;
  UpdateContactResponse.parse(body);
  return result(response.status, body.contact);
}
