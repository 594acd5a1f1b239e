// orval: its fetch client (through calls/orval-fetch.ts) and zod schemas.
import { updateContact } from "../out/orval/callbell.js";
import { UpdateContactResponse } from "../out/orval/callbell.zod.js";
import { configure } from "./orval-fetch.js";
import { result, token, typedBody, uuid, type CallResult } from "./result.js";

export async function call(baseUrl: string, prefer: string): Promise<CallResult> {
  configure({ baseUrl, headers: { Authorization: `Bearer ${token}`, Prefer: prefer } });
  const response = await updateContact(uuid, { name: "Joe Doe NEW" });
  if (response.status !== 200) throw new Error(`orval: ${response.status} ${JSON.stringify(response.data)}`);
  const body = typedBody(response.data);
  // @ts-expect-error: a contact's uuid is a string; a generator that typed it so refuses this.
  const wrong: number = Array.isArray(body.contact) ? 0 : body.contact.uuid;
  void wrong;
  UpdateContactResponse.parse(body);
  return result(response.status, body.contact);
}
