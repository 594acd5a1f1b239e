// Kubb: its fetch client, types and zod schemas.
import { updateContact } from "../out/kubb/clients/updateContact.ts";
import { updateContactMutationResponseSchema } from "../out/kubb/zod/updateContactSchema.ts";
import { result, token, typedBody, uuid, type CallResult } from "./result.js";

export async function call(baseUrl: string, prefer: string): Promise<CallResult> {
  // Kubb's fetch client sends JSON without saying so: the Content-Type is the caller's.
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Prefer: prefer };
  const response = await updateContact(uuid, { name: "Joe Doe NEW" }, { baseURL: baseUrl, headers });
  // It resolves on any status, with the error body as `data`.
  if (response.status !== 200) throw new Error(`kubb: ${response.status} ${JSON.stringify(response.data)}`);
  const body = typedBody(response.data);
  // @ts-expect-error: a contact's uuid is a string; a generator that typed it so refuses this.
  const wrong: number = Array.isArray(body.contact) ? 0 : body.contact.uuid;
  void wrong;
  updateContactMutationResponseSchema.parse(body);
  return result(response.status, body.contact);
}
