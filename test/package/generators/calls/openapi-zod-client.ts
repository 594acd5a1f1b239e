// openapi-zod-client: a Zodios client (axios), which validates the response with its zod schemas.
import { createApiClient } from "../out/openapi-zod-client/client.js";
import { result, token, typedBody, uuid, type CallResult } from "./result.js";

export async function call(baseUrl: string, prefer: string): Promise<CallResult> {
  const api = createApiClient(baseUrl);
  let status: number | null = null;
  api.use({
    name: "status",
    response: async (_api, _config, response) => ((status = response.status), response),
  });
  const data = await api.updateContact(
    { name: "Joe Doe NEW" },
    { params: { uuid }, headers: { Authorization: `Bearer ${token}`, Prefer: prefer } },
  );
  const body = typedBody(data);
  // @ts-expect-error: a contact's uuid is a string; a generator that typed it so refuses this.
  const wrong: number = Array.isArray(body.contact) ? 0 : body.contact.uuid;
  void wrong;
  return result(status, body.contact);
}
