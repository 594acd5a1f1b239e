// openapi-typescript's types with openapi-fetch.
import createClient from "openapi-fetch";
import type { paths } from "../out/openapi-typescript/schema.js";
import { result, token, typedBody, uuid, type CallResult } from "./result.js";

export async function call(baseUrl: string, prefer: string): Promise<CallResult> {
  const client = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${token}`, Prefer: prefer },
  });
  const { data, error, response } = await client.PATCH("/contacts/{uuid}", {
    params: { path: { uuid } },
    body: { name: "Joe Doe NEW" },
  });
  if (error !== undefined) throw new Error(`openapi-fetch: ${response.status} ${JSON.stringify(error)}`);
  const body = typedBody(data);
  // @ts-expect-error: a contact's uuid is a string; a generator that typed it so refuses this.
  const wrong: number = Array.isArray(body.contact) ? 0 : body.contact.uuid;
  void wrong;
  return result(response.status, body.contact);
}
