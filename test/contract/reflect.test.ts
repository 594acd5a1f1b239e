// The reflecting mock (src/mock/reflect-answers.cjs, on by default): generated valid updates and uuids,
// each sent to the run's mock with each of Prism's success examples. The answer must be that
// example with the path's uuid and the update applied by the README's mapping (the oracle,
// test/support/contact-model.ts), in the example's envelope, and a Contact the contract allows.
// Generated invalid requests must still get Prism's own refusals.
//
// Repeatable: the seed is fixed (FC_SEED overrides it, FC_NUM_RUNS the run count).
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import {
  asContact,
  exampleContact,
  reached,
  reachingUpdates,
  updated,
  type Contact,
} from "../support/contact-model.js";
import { invalidOfItsType, text, valid, type Schema } from "../support/schema-arbitraries.js";
import { parameterValidator, schemaValidator, spec, successExamples } from "../support/spec.js";

const prismUrl = inject("prismUrl");
const SEED = Number(process.env.FC_SEED ?? 20_261_206);
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 150);
// Bodies of up to 100 fields of 1000 characters take Prism up to ~0.3 s each on a loaded machine.
const TIMEOUT_MS = 30_000 + NUM_RUNS * 400;
const UUID = "414a6d692bd645ed803f2e7ce360d4c8";

const validContact = schemaValidator("Contact");
const validResponse = schemaValidator("UpdateContactResponse");
const validUpdate = schemaValidator("ContactUpdate");
const validUuid = parameterValidator("ContactUuid");
const examples = successExamples();

function patch(uuid: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${prismUrl}/contacts/${encodeURIComponent(uuid)}`, {
    method: "PATCH",
    headers: { Authorization: "Bearer mock_token", "Content-Type": "application/json", ...headers },
    body,
  });
}

/** Path uuids the contract allows and a URL can carry: 32-hex ones, and any text of 1 to 128 characters. */
const uuids = fc
  .oneof(
    { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-f]{32}$/) },
    { weight: 2, arbitrary: text(1, 128) },
    { weight: 1, arbitrary: fc.constantFrom(UUID, "c0ffee", "%", "😀", "a b", "+", "é".repeat(128)) },
  )
  .filter((uuid) => validUuid(uuid) && !/\p{Cs}/u.test(uuid) && uuid !== "." && uuid !== "..");

describe(`the mock answers with what was sent (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it("the README's example: a rename with tags to c0ffee… answers that uuid, name and tags", async () => {
    const response = await patch(
      "c0ffee0000000000000000000000beef",
      JSON.stringify({ name: "Zed", tags: ["A"] }),
    );
    expect(response.status).toBe(200);
    const { contact } = (await response.json()) as { contact: Contact };
    expect(contact).toMatchObject({ uuid: "c0ffee0000000000000000000000beef", name: "Zed", tags: ["A"] });
    expect(contact.note).toBe(exampleContact("objectEnvelope").note); // not sent: the example's
  });

  it(
    "every generated valid update: the example with the update applied, in the example's envelope, a valid Contact",
    async () => {
      const envelopes = fc.constantFrom(undefined, ...Object.keys(examples));
      const cases = envelopes.chain((envelope) =>
        fc.record({
          envelope: fc.constant(envelope),
          uuid: uuids,
          update: reachingUpdates(
            valid(spec.components.schemas.ContactUpdate as Schema),
            exampleContact(envelope ?? "objectEnvelope"),
          ),
        }),
      );
      const reach = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(cases, async ({ envelope, uuid, update }) => {
          expect(validUpdate(update), "the generator made an invalid update").toBe(true);
          const example = exampleContact(envelope ?? "objectEnvelope");
          const response = await patch(
            uuid,
            JSON.stringify(update),
            envelope ? { Prefer: `example=${envelope}` } : {},
          );
          expect(response.status).toBe(200);
          const body = (await response.json()) as { contact: Contact | Contact[] };
          expect(validResponse(body), JSON.stringify(validResponse.errors)).toBe(true);
          const arrayEnvelope = Array.isArray(examples[envelope ?? "objectEnvelope"]!.contact);
          expect(Array.isArray(body.contact)).toBe(arrayEnvelope);
          const contact = Array.isArray(body.contact) ? body.contact[0]! : body.contact;
          expect(validContact(contact), JSON.stringify(validContact.errors)).toBe(true);
          // As the mock received it: JSON has no -0 (it arrives as 0).
          const sent = JSON.parse(JSON.stringify(update)) as typeof update;
          expect(contact).toStrictEqual(updated(asContact(example, uuid), sent));
          for (const what of [
            ...reached(example, update),
            arrayEnvelope ? "array envelope" : "object envelope",
            /^[0-9a-f]{32}$/.test(uuid) ? "hex uuid" : "other uuid",
          ])
            reach.set(what, (reach.get(what) ?? 0) + 1);
        }),
        { seed: SEED, numRuns: NUM_RUNS },
      );
      console.info(`reflect property reached: ${JSON.stringify(Object.fromEntries([...reach].sort()))}`);
      const mustReach = [
        ...Object.keys((spec.components.schemas.ContactUpdate as Schema).properties!).map(
          (field) => `sends ${field}`,
        ),
        "unassign_user true",
        "unassign_user false",
        "assigned_user with unassign_user true",
        'note ""',
        "tags []",
        "the contact's own team",
        "another team",
        "a custom field the contact has",
        "a custom field kept by the merge",
        "a checkbox (list) value",
        "a number value",
        "array envelope",
        "object envelope",
        "hex uuid",
        "other uuid",
      ];
      for (const what of mustReach)
        expect(reach.get(what) ?? 0, `generated updates never reached: ${what}`).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    "every generated invalid body still gets Prism's 422, with its violations and no contact",
    async () => {
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(
          invalidOfItsType(spec.components.schemas.ContactUpdate as Schema),
          uuids,
          async (body, uuid) => {
            const response = await patch(uuid, JSON.stringify(body));
            expect(response.status).toBe(422);
            expect(response.headers.get("sl-violations")).toBeTruthy();
            expect(await response.json()).not.toHaveProperty("contact");
            refused++;
          },
        ),
        { seed: SEED, numRuns: Math.ceil(NUM_RUNS / 3) },
      );
      expect(refused).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it.each([
    ["no token", 401, { Authorization: "" }, '{"name":"Zed"}'],
    ["malformed JSON", 400, {}, '{"name":"Zed"'],
    ["Prefer: code=404", 404, { Prefer: "code=404" }, '{"name":"Zed"}'],
    ["Prefer: code=422", 422, { Prefer: "code=422" }, '{"name":"Zed"}'],
    ["Prefer: code=429", 429, { Prefer: "code=429" }, '{"name":"Zed"}'],
    ["Prefer: code=503", 503, { Prefer: "code=503" }, '{"name":"Zed"}'],
  ])("%s: Prism's own %i answer, untouched", async (_what, status, headers: Record<string, string>, body) => {
    const response = await patch(UUID, body, headers);
    expect(response.status).toBe(status);
    expect(JSON.stringify(await response.json())).not.toContain("Zed");
  });

  it("an invalid uuid is still Prism's 422, not reflected", async () => {
    const response = await patch("x".repeat(129), '{"name":"Zed"}');
    expect(response.status).toBe(422);
    expect(response.headers.get("sl-violations")).toContain("uuid");
  });

  it("the admin paths say the mock is not stateful, and what to start instead", async () => {
    const contacts = await fetch(`${prismUrl}/__mock/contacts`);
    expect(contacts.status).toBe(409);
    expect(((await contacts.json()) as { message: string }).message).toContain("--stateful");
    expect((await fetch(`${prismUrl}/__mock/reset`)).status).toBe(405);
    expect((await fetch(`${prismUrl}/__mock/nothing`)).status).toBe(404);
  });
});
