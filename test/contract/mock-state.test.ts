// The stateful mock (startMock({ stateful: true, contacts })), model-based: fast-check runs random
// sequences of updates (valid and invalid, to seeded and unknown uuids, in either envelope), reads
// and resets against a real mock, and after every step the mock's contacts must equal a plain
// model's (a Map from uuid to the contact, updated by test/support/contact-model.ts). Then: one
// contact updated by many concurrent requests loses none of them; bad seeds are refused with a
// message that says what to fix; `reflect: false` is plain Prism.
//
// Repeatable: the seed is fixed (FC_SEED overrides it, FC_NUM_RUNS the run count).
import fc from "fast-check";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMock, type MockContact, type RunningMock } from "../../src/mock/start-mock.js";
import { asContact, exampleContact, updated, type Contact, type Update } from "../support/contact-model.js";
import { resolve, schemaValidator, spec, successExamples } from "../support/spec.js";

const SEED = Number(process.env.FC_SEED ?? 20_261_206);
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 150);
const MODEL_RUNS = Math.max(5, Math.round(NUM_RUNS / 3));
const TIMEOUT_MS = 60_000 + MODEL_RUNS * 3_000;
// Three Prisms start at once beside the run's own; on a busy machine that takes a while.
const STARTUP_MS = 90_000;
const validUpdate = schemaValidator("ContactUpdate");
const validContact = schemaValidator("Contact");
const examples = successExamples();
const notFoundBody = resolve(
  resolve(spec.paths["/contacts/{uuid}"].patch.responses["404"]).content["application/json"].examples
    .contactNotFound,
).value;

// Seeds: the full example under its own uuid, one with no custom fields and `team: null`, one
// with a checkbox list and `team: {}` (Callbell's "no team").
const SEEDS: MockContact[] = [
  asContact(exampleContact("objectEnvelope"), "5eed0000000000000000000000000001"),
  { uuid: "5eed0000000000000000000000000002", name: "Ann", team: null, assignedUser: null },
  {
    uuid: "5eed0000000000000000000000000003",
    name: null,
    tags: [],
    customFields: { Preferences: ["Dark Mode"] },
    team: {},
  },
];
const UNKNOWN = ["c0ffee0000000000000000000000beef", "f00d"];

// Small pools, so that updates in one run meet: the same custom field twice, the team a contact has.
const updates: fc.Arbitrary<Update> = fc
  .record(
    {
      name: fc.string({ minLength: 1, maxLength: 12 }),
      tags: fc.uniqueArray(fc.constantFrom("A", "B", "VIP", "Call back"), { maxLength: 3 }),
      note: fc.oneof(fc.constant(""), fc.string({ maxLength: 20 })),
      custom_fields: fc.dictionary(
        fc.constantFrom("orderNumber", "zipCode", "Preferences", "Город"),
        fc.oneof(
          fc.string({ maxLength: 8 }),
          fc.integer(),
          fc.uniqueArray(fc.constantFrom("Dark Mode", "Analytics"), { maxLength: 2 }),
        ),
        { maxKeys: 2 },
      ),
      assigned_user: fc.constantFrom("jane.doe@email.com", "joe@example.com"),
      unassign_user: fc.boolean(),
      team_uuid: fc.constantFrom("9b2c30e1f7f84aa2b3a3f1a0c4f5d6e7", "team2"),
      bot_status: fc.constantFrom("bot_start", "bot_end"),
    },
    { requiredKeys: [] },
  )
  .filter((update) => Object.keys(update).length > 0);
const invalidUpdates = fc.constantFrom<unknown>(
  {},
  { name: "" },
  { tags: ["A", "A"] },
  { note: "n".repeat(1001) },
  { phone_number: "1" },
  { custom_fields: { x: true } },
);

interface Model {
  seeded: boolean;
  contacts: Map<string, Contact>;
}
interface Real {
  mock: RunningMock;
}

function patch(mock: RunningMock, uuid: string, body: unknown, envelope?: string) {
  return fetch(`${mock.url}/contacts/${encodeURIComponent(uuid)}`, {
    method: "PATCH",
    headers: {
      Authorization: "Bearer t",
      "Content-Type": "application/json",
      ...(envelope ? { Prefer: `example=${envelope}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function expectSameState(model: Model, real: Real) {
  expect(await real.mock.contacts()).toStrictEqual([...model.contacts.values()]);
}

const steps = new Map<string, number>();
const count = (step: string) => steps.set(step, (steps.get(step) ?? 0) + 1);

class UpdateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly uuid: string,
    readonly update: Update,
    readonly envelope: string | undefined,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    expect(validUpdate(this.update)).toBe(true);
    const response = await patch(real.mock, this.uuid, this.update, this.envelope);
    const known = model.contacts.get(this.uuid);
    if (known === undefined && model.seeded) {
      expect(response.status).toBe(404);
      expect(await response.json()).toStrictEqual(notFoundBody);
      count("update of an unknown uuid: 404");
    } else {
      expect(response.status).toBe(200);
      const body = (await response.json()) as { contact: Contact | Contact[] };
      const arrayEnvelope = Array.isArray(examples[this.envelope ?? "objectEnvelope"]!.contact);
      expect(Array.isArray(body.contact)).toBe(arrayEnvelope);
      const next = updated(
        known ?? asContact(exampleContact(this.envelope ?? "objectEnvelope"), this.uuid),
        this.update,
      );
      expect(Array.isArray(body.contact) ? body.contact[0] : body.contact).toStrictEqual(next);
      expect(validContact(next)).toBe(true);
      model.contacts.set(this.uuid, next);
      count(known === undefined ? "update of a new uuid" : "update of a held contact");
    }
    await expectSameState(model, real);
  }
  toString = () =>
    `update(${this.uuid}, ${JSON.stringify(this.update)}${this.envelope ? `, ${this.envelope}` : ""})`;
}

class InvalidUpdateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly uuid: string,
    readonly body: unknown,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    expect((await patch(real.mock, this.uuid, this.body)).status).toBe(422);
    count("invalid update: 422, nothing changed");
    await expectSameState(model, real);
  }
  toString = () => `invalid(${this.uuid}, ${JSON.stringify(this.body)})`;
}

class ResetCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real) {
    await real.mock.reset();
    model.contacts = seedMap(model.seeded);
    count("reset");
    await expectSameState(model, real);
  }
  toString = () => "reset()";
}

class ReadCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real) {
    const held = await real.mock.contacts();
    expect(held).toStrictEqual([...model.contacts.values()]);
    for (const contact of held) expect(validContact(contact)).toBe(true);
    count("read");
  }
  toString = () => "contacts()";
}

const seedMap = (seeded: boolean) =>
  new Map(seeded ? SEEDS.map((contact) => [contact.uuid, structuredClone(contact) as Contact]) : []);

function commands(uuids: string[]) {
  const uuid = fc.constantFrom(...uuids);
  const update = fc
    .tuple(uuid, updates, fc.constantFrom(undefined, ...Object.keys(examples)))
    .map(([id, body, envelope]) => new UpdateCommand(id, body, envelope));
  return fc.commands(
    [
      update,
      update, // twice as likely as each other step: runs of updates to one contact are the point
      fc.tuple(uuid, invalidUpdates).map(([id, body]) => new InvalidUpdateCommand(id, body)),
      fc.constant(new ResetCommand()),
      fc.constant(new ReadCommand()),
    ],
    { maxCommands: 12 },
  );
}

/** Expects the start to fail with `message`; a mock that started anyway is stopped, not left running. */
async function expectRefusal(start: Promise<RunningMock>, message: string) {
  const outcome = await start.then(
    async (mock) => {
      await mock.stop();
      return new Error("the mock started");
    },
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  expect((outcome as Error).message).toContain(message);
}

let seeded: RunningMock;
let unseeded: RunningMock;
let plain: RunningMock;

beforeAll(async () => {
  [seeded, unseeded, plain] = await Promise.all([
    startMock({ stateful: true, contacts: SEEDS, timeoutMs: STARTUP_MS }),
    startMock({ stateful: true, timeoutMs: STARTUP_MS }),
    startMock({ reflect: false, timeoutMs: STARTUP_MS }),
  ]);
}, STARTUP_MS + 10_000);

afterAll(async () => {
  await Promise.all([seeded?.stop(), unseeded?.stop(), plain?.stop()]);
  console.info(`stateful model steps run: ${JSON.stringify(Object.fromEntries([...steps].sort()))}`);
});

describe(`the stateful mock equals a plain model after every step (fast-check seed ${SEED}, ${MODEL_RUNS} runs each)`, () => {
  it("the issue's example: a second update's answer shows the first one's changes", async () => {
    await unseeded.reset();
    const uuid = "c0ffee0000000000000000000000beef";
    await patch(unseeded, uuid, { name: "Zed", tags: ["A"] });
    const { contact } = (await (await patch(unseeded, uuid, { note: "n" })).json()) as { contact: Contact };
    expect(contact).toMatchObject({ uuid, name: "Zed", tags: ["A"], note: "n" });
    expect(await unseeded.contacts()).toStrictEqual([contact]);
  });

  it(
    "seeded with contacts: updates, invalid updates, resets and reads; an unknown uuid is the contract's 404",
    async () => {
      await fc.assert(
        fc.asyncProperty(commands([...SEEDS.map((contact) => contact.uuid), ...UNKNOWN]), async (cmds) => {
          await seeded.reset();
          await fc.asyncModelRun(
            () => ({ model: { seeded: true, contacts: seedMap(true) }, real: { mock: seeded } }),
            cmds,
          );
        }),
        { seed: SEED, numRuns: MODEL_RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "without seeds: a contact starts as the example Prism picks, under its uuid",
    async () => {
      await fc.assert(
        fc.asyncProperty(commands(UNKNOWN.concat(SEEDS[0]!.uuid)), async (cmds) => {
          await unseeded.reset();
          await fc.asyncModelRun(
            () => ({ model: { seeded: false, contacts: seedMap(false) }, real: { mock: unseeded } }),
            cmds,
          );
        }),
        { seed: SEED, numRuns: MODEL_RUNS },
      );
      // Every kind of step was really taken.
      for (const step of [
        "update of an unknown uuid: 404",
        "update of a new uuid",
        "update of a held contact",
        "invalid update: 422, nothing changed",
        "reset",
        "read",
      ])
        expect(steps.get(step) ?? 0, step).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );
});

describe("the stateful mock, otherwise", () => {
  it("applies concurrent updates of one contact one at a time: none is lost, each answer holds the ones before it", async () => {
    await seeded.reset();
    const uuid = SEEDS[1]!.uuid;
    // Truly concurrent: every request has arrived, body half sent, before any body is complete, so
    // a mock that read the contact on arrival and wrote it on answering would lose all but one.
    const requests = Array.from({ length: 25 }, (_, i) => {
      const body = Buffer.from(JSON.stringify({ custom_fields: { [`field${i}`]: String(i) } }));
      const request = http.request(`${seeded.url}/contacts/${uuid}`, {
        method: "PATCH",
        headers: {
          Authorization: "Bearer t",
          "Content-Type": "application/json",
          "Content-Length": body.length,
        },
        agent: false,
      });
      const answer = new Promise<Contact>((resolve, reject) => {
        request.on("response", (response) => {
          let text = "";
          response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
          response.on("end", () =>
            response.statusCode === 200
              ? resolve((JSON.parse(text) as { contact: Contact }).contact)
              : reject(new Error(`${response.statusCode}: ${text}`)),
          );
        });
        request.on("error", reject);
      });
      request.write(body.subarray(0, 10));
      return { request, rest: body.subarray(10), answer };
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const { request, rest } of requests) request.end(rest);
    const answers = await Promise.all(
      requests.map(async ({ answer }) => Object.keys((await answer).customFields as object)),
    );
    const [held] = (await seeded.contacts()).filter((contact) => contact.uuid === uuid);
    expect(Object.keys(held!.customFields as object).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `field${i}`).sort(),
    );
    // Serial: the answers, by size, are 1, 2, …, 25 fields, each holding the one before.
    const bySize = answers.sort((a, b) => a.length - b.length);
    bySize.forEach((fields, i) => {
      expect(fields).toHaveLength(i + 1);
      if (i > 0) expect(fields).toEqual(expect.arrayContaining(bySize[i - 1]!));
    });
  });

  it("answers GET /__mock/contacts and POST /__mock/reset for other languages' CI", async () => {
    await patch(seeded, SEEDS[2]!.uuid, { name: "Over HTTP" });
    const listed = await fetch(`${seeded.url}/__mock/contacts`);
    expect(listed.status).toBe(200);
    expect(
      ((await listed.json()) as Contact[]).find((contact) => contact.uuid === SEEDS[2]!.uuid)?.name,
    ).toBe("Over HTTP");
    expect((await fetch(`${seeded.url}/__mock/reset`, { method: "POST" })).status).toBe(204);
    expect(await seeded.contacts()).toStrictEqual(SEEDS);
  });

  it.each([
    [
      [{ uuid: "a", tags: "VIP" }],
      'contact #1 (uuid "a") of the `contacts` option is not a Contact as the contract describes it: tags must be array.',
    ],
    [
      [{ name: "no uuid" }],
      "contact #1 of the `contacts` option is not a Contact as the contract describes it: the contact must have required property 'uuid'.",
    ],
    [
      [{ uuid: "a" }, { uuid: "a" }],
      'contact #2 (uuid "a") of the `contacts` option repeats a uuid; each contact must have its own.',
    ],
    [
      [{ uuid: "a/b" }],
      'contact #1 (uuid "a/b") of the `contacts` option: a uuid is one path segment of at most 128 characters, without "/".',
    ],
  ])("refuses seeds the contract forbids, saying which and why: %j", async (contacts, message) => {
    await expectRefusal(
      startMock({ stateful: true, contacts: contacts as MockContact[], timeoutMs: STARTUP_MS }),
      message,
    );
  });

  it("refuses contradictory options before starting anything", async () => {
    await expectRefusal(startMock({ contacts: [], timeoutMs: STARTUP_MS }), "add `stateful: true`");
    await expectRefusal(
      startMock({ stateful: true, reflect: false, timeoutMs: STARTUP_MS }),
      "needs `reflect`",
    );
  });
});

describe("reflect: false", () => {
  it("is plain Prism: the canned example, whatever was sent, and no contacts()", async () => {
    const response = await patch(plain, "c0ffee0000000000000000000000beef", { name: "Zed" });
    const { contact } = (await response.json()) as { contact: Contact };
    expect(contact).toStrictEqual(exampleContact("objectEnvelope"));
    await expect(plain.contacts()).rejects.toThrow("keeps no contacts");
  });
});
