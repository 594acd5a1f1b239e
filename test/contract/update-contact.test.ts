// The client and plain HTTP against a real Prism mock of the bundled spec.
import { describe, expect, inject, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  createCallbellClient,
  NotFoundError,
  RateLimitError,
  UnprocessableEntityError,
  type CallbellAPIError,
  type ContactUpdate,
} from "../../src/client/index.js";
import { requestExamples, schemaValidator } from "../support/spec.js";

const prismUrl = inject("prismUrl");
const UUID = "414a6d692bd645ed803f2e7ce360d4c8";
const TOKEN = "test_gshuPaZoeEG6ovbc8M79w0QyM";
const SEED_BODY = { name: "Joe Doe NEW", custom_fields: { orderNumber: 123, zipCode: "98765430" } };
const validContact = schemaValidator("Contact");
const validResponse = schemaValidator("UpdateContactResponse");

/** A fetch that changes each request on its way to Prism: extra headers, a replaced body. */
function tamperedFetch(change: (request: Request) => Request) {
  return (input: string | URL | Request, init?: RequestInit) => fetch(change(new Request(input, init)));
}

function clientWith(change?: (request: Request) => Request, maxRetries?: number) {
  return createCallbellClient({
    token: TOKEN,
    baseUrl: prismUrl,
    fetch: change ? tamperedFetch(change) : undefined,
    maxRetries,
  });
}

function withHeader(name: string, value: string) {
  return (request: Request) => {
    const headers = new Headers(request.headers);
    headers.set(name, value);
    return new Request(request, { headers });
  };
}

/** What Prism said was wrong with the request (its sl-violations header). */
function violations(error: CallbellAPIError): string {
  return error.headers.get("sl-violations") ?? "";
}

function patch(body: string, headers: Record<string, string> = {}) {
  return fetch(`${prismUrl}/contacts/${UUID}`, {
    method: "PATCH",
    headers: {
      Authorization: `Bearer ${TOKEN}`,
      "Content-Type": "application/json",
      Accept: "application/json",
      ...headers,
    },
    body,
  });
}

describe("Callbell's own example request", () => {
  it("gets 200 through the client, and the contact matches the spec", async () => {
    const contact = await clientWith().updateContact(UUID, SEED_BODY);
    expect(validContact(contact), JSON.stringify(validContact.errors)).toBe(true);
    expect(contact.uuid).toMatch(/^[0-9a-f]{32}$/);
  });

  it("gets 200 through plain fetch, as the cURL example sends it", async () => {
    const response = await patch(JSON.stringify(SEED_BODY));
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(validResponse(body), JSON.stringify(validResponse.errors)).toBe(true);
  });
});

describe("every named request example", () => {
  const examples = Object.entries(requestExamples());
  it("is there: the string-form quick start, the seed's verbatim, and one per kind of change", () => {
    expect(examples.map(([name]) => name)).toEqual([
      "quickStart",
      "seedRequest",
      "rename",
      "replaceTags",
      "clearTags",
      "setCustomFields",
      "assignUser",
      "unassignUser",
      "setTeam",
      "startBot",
      "stopBot",
      "setNote",
      "clearNote",
    ]);
    expect(requestExamples().seedRequest).toEqual(SEED_BODY);
  });

  it.each(examples)("%s gets 200 and a valid contact", async (_name, body) => {
    const contact = await clientWith().updateContact(UUID, body as ContactUpdate);
    expect(validContact(contact)).toBe(true);
  });
});

describe("both response envelopes", () => {
  it.each(["objectEnvelope", "seedArrayEnvelope"])(
    "the client returns one Contact from Prism's %s example",
    async (example) => {
      const raw = await patch(JSON.stringify({ name: "Joe" }), { Prefer: `example=${example}` });
      const envelope = (await raw.json()) as { contact: unknown };
      expect(Array.isArray(envelope.contact)).toBe(example === "seedArrayEnvelope");

      const contact = await clientWith(withHeader("Prefer", `example=${example}`)).updateContact(UUID, {
        name: "Joe",
      });
      expect(validContact(contact)).toBe(true);
      expect(contact).toEqual(
        Array.isArray(envelope.contact) ? (envelope.contact as unknown[])[0] : envelope.contact,
      );
    },
  );
});

describe("requests the contract rejects", () => {
  it.each([
    ["no Authorization header", {}],
    ["a Basic Authorization header", { Authorization: "Basic dXNlcjpwYXNz" }],
    ["a Bearer header with no token", { Authorization: "Bearer" }],
  ])("answers 401 to %s", async (_what, auth) => {
    const response = await fetch(`${prismUrl}/contacts/${UUID}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", ...auth },
      body: JSON.stringify({ name: "Joe" }),
    });
    expect(response.status).toBe(401);
  });

  it("surfaces a missing Authorization header as AuthenticationError", async () => {
    const stripAuth = (request: Request) => {
      const headers = new Headers(request.headers);
      headers.delete("Authorization");
      return new Request(request, { headers });
    };
    const error = await clientWith(stripAuth)
      .updateContact(UUID, { name: "Joe" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
  });

  it.each([
    ["an unknown field", { name: "Joe", phone_number: "+34600000000" }, "phone_number"],
    ["a name that is a number", { name: 42 }, "name"],
    ["tags that are a string", { tags: "Interested" }, "tags"],
    ["a repeated tag", { tags: ["a", "a"] }, "tags"],
    ["a custom field that is an object", { custom_fields: { zip: { code: 1 } } }, "custom_fields"],
    ["a custom field that is a boolean", { custom_fields: { vip: true } }, "custom_fields"],
    ["unassign_user as a string", { unassign_user: "yes" }, "unassign_user"],
    ["bot_status outside its values", { bot_status: "bot_pause" }, "bot_status"],
    ["an assigned_user that is not an e-mail", { assigned_user: "jane" }, "assigned_user"],
    ["an empty object", {}, "fewer than 1 properties"],
    ["a 256-character name", { name: "x".repeat(256) }, "name"],
    ["a 1001-character note", { note: "n".repeat(1001) }, "note"],
    ["a 255-character e-mail", { assigned_user: `${"a".repeat(243)}@example.com` }, "assigned_user"],
    ["an empty team_uuid", { team_uuid: "" }, "team_uuid"],
  ])("answers 422 to %s, surfaced as UnprocessableEntityError", async (_what, body, field) => {
    const raw = await patch(JSON.stringify(body));
    expect(raw.status).toBe(422);
    const error = await clientWith()
      .updateContact(UUID, body as ContactUpdate)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(violations(error as CallbellAPIError)).toContain(field);
  });

  it("accepts the longest values the contract allows", async () => {
    const body = {
      name: "x".repeat(255),
      note: "n".repeat(1000),
      assigned_user: `${"a".repeat(242)}@example.com`,
    };
    await expect(clientWith().updateContact(UUID, body)).resolves.toMatchObject({ uuid: expect.any(String) });
  });

  it("answers 400 to malformed JSON, surfaced as BadRequestError", async () => {
    const raw = await patch('{"name": "Joe"');
    expect(raw.status).toBe(400);
    const breakBody = (request: Request) => new Request(request, { body: '{"name": "Joe"' });
    const error = await clientWith(breakBody)
      .updateContact(UUID, { name: "Joe" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
  });

  it("sends a uuid with a slash as one encoded segment, which the contract rejects", async () => {
    const error = await clientWith()
      .updateContact("a/b", { name: "Joe" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(violations(error as CallbellAPIError)).toContain("uuid");
  });
});

describe("documented error responses", () => {
  it("404 comes back as NotFoundError with the spec's error body", async () => {
    const error = await clientWith(withHeader("Prefer", "code=404"))
      .updateContact(UUID, { name: "Joe" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(schemaValidator("ErrorBody")((error as NotFoundError).body)).toBe(true);
    expect((error as Error).message).toContain("Contact not found.");
  });

  it("429 comes back as RateLimitError", async () => {
    // One attempt: the mock answers 429 every time, and the waits are tested elsewhere.
    const error = await clientWith(withHeader("Prefer", "code=429"), 0)
      .updateContact(UUID, { name: "Joe" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).status).toBe(429);
    expect((error as RateLimitError).attempts).toBe(1);
  });
});
