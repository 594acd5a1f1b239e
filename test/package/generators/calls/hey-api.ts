// @hey-api/openapi-ts: its fetch client, SDK and zod schemas.
import { createClient, createConfig } from "../out/hey-api/client/index.js";
import { updateContact } from "../out/hey-api/sdk.gen.js";
import { zUpdateContactResponse } from "../out/hey-api/zod.gen.js";
import { result, token, typedBody, uuid, type CallResult } from "./result.js";

export async function call(baseUrl: string, prefer: string): Promise<CallResult> {
  const client = createClient(createConfig({ baseUrl, headers: { Authorization: `Bearer ${token}` } }));
  const { data, error, response } = await updateContact({
    client,
    path: { uuid },
    body: { name: "Joe Doe NEW" },
    headers: { Prefer: prefer },
  });
  if (!response || error !== undefined || data === undefined)
    throw new Error(`hey-api: ${response?.status} ${JSON.stringify(error)}`);
  const body = typedBody(data);
  // @ts-expect-error: a contact's uuid is a string; a generator that typed it so refuses this.
  const wrong: number = Array.isArray(body.contact) ? 0 : body.contact.uuid;
  void wrong;
  zUpdateContactResponse.parse(body);
  return result(response.status, body.contact);
}
