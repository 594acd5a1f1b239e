// Property-based: generated request bodies and uuids, each sent by the client to the Prism mock.
// The oracle is Ajv compiled from the bundled spec; Prism, a separate implementation of the same
// contract, must reach the same verdict (200 or 422), and the client must put on the wire exactly
// what it was given. Bodies come from the ContactUpdate schema itself (schema-arbitraries.ts),
// valid ones and ones that break one constraint.
//
// Repeatable: the seed is fixed (FC_SEED overrides it, FC_NUM_RUNS the run count). On failure
// fast-check prints the seed, the path of the shrunk counterexample and the counterexample.
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import {
  CallbellInputError,
  createCallbellClient,
  UnprocessableEntityError,
  type ContactUpdate,
} from "../../src/client/index.js";
import { invalidOfItsType, text, valid, type Schema } from "../support/schema-arbitraries.js";
import { parameterValidator, schemaValidator, spec } from "../support/spec.js";

const prismUrl = inject("prismUrl");
const SEED = Number(process.env.FC_SEED ?? 20_261_125);
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 150);
const settings: fc.Parameters<unknown> = { seed: SEED, numRuns: NUM_RUNS };
// Each run is a round trip to Prism (about 20 ms); leave room for slow machines and big FC_NUM_RUNS.
const TIMEOUT_MS = 30_000 + NUM_RUNS * 100;
const TOKEN = "property_token_0123456789";
const UUID = "414a6d692bd645ed803f2e7ce360d4c8";

const validUpdate = schemaValidator("ContactUpdate");
const validUuid = parameterValidator("ContactUuid");

/** A client whose requests are recorded as they leave for Prism. */
function tappedClient() {
  const wire: { url: string; body: string }[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    wire.push({ url: request.url, body: await request.clone().text() });
    return globalThis.fetch(request);
  };
  // No retries: Prism answers at once, and one request per case keeps the wire simple to read.
  return { callbell: createCallbellClient({ token: TOKEN, baseUrl: prismUrl, fetch, maxRetries: 0 }), wire };
}

/** Prism's verdict: 200, or 422 with what it found wrong (its sl-violations header). */
async function prismVerdict(
  call: Promise<unknown>,
): Promise<{ status: 200 | 422; violations: { location: string[]; message: string }[] }> {
  try {
    await call;
    return { status: 200, violations: [] };
  } catch (error) {
    if (error instanceof UnprocessableEntityError)
      return { status: 422, violations: JSON.parse(error.headers.get("sl-violations") ?? "[]") };
    throw error;
  }
}

const ajvErrors = () =>
  JSON.stringify(validUpdate.errors?.map(({ instancePath, message }) => `${instancePath} ${message}`));

describe(`properties (fast-check seed ${SEED}, ${NUM_RUNS} runs; FC_SEED and FC_NUM_RUNS override)`, () => {
  it(
    "Ajv and Prism agree on every generated body, and the client sends it unchanged",
    async () => {
      const contactUpdate = spec.components.schemas.ContactUpdate as Schema;
      const bodies = fc.oneof(
        valid(contactUpdate).map((body) => ({ body, meant: "valid" as const })),
        invalidOfItsType(contactUpdate).map((body) => ({ body, meant: "invalid" as const })),
      );
      // Run first, whatever the seed: the places where JSON Schema implementations are known to
      // differ. Lengths count code points (an emoji is one, though two UTF-16 units; a combining
      // accent is one more); email is ajv-formats' "full" format; uniqueItems compares exactly,
      // with no Unicode normalization.
      const knownDifferences: { body: unknown; meant: "valid" | "invalid" }[] = [
        { body: { name: "😀".repeat(255) }, meant: "valid" },
        { body: { name: "😀".repeat(256) }, meant: "invalid" },
        { body: { note: "e\u0301".repeat(500) }, meant: "valid" },
        { body: { note: "e\u0301".repeat(500) + "x" }, meant: "invalid" },
        { body: { team_uuid: "😀".repeat(128) }, meant: "valid" },
        { body: { custom_fields: { ["😀".repeat(255)]: "x" } }, meant: "valid" },
        { body: { custom_fields: { ["😀".repeat(256)]: "x" } }, meant: "invalid" },
        { body: { assigned_user: "jane.doe+tag@mail.example.co.uk" }, meant: "valid" },
        { body: { assigned_user: "o'brien!#$%&*/=?^_`{|}~-@example.com" }, meant: "valid" },
        { body: { assigned_user: `${"a".repeat(242)}@example.com` }, meant: "valid" },
        { body: { assigned_user: `${"a".repeat(243)}@example.com` }, meant: "invalid" },
        { body: { assigned_user: "jane@example" }, meant: "invalid" },
        { body: { assigned_user: "ja..ne@example.com" }, meant: "invalid" },
        { body: { assigned_user: "jané@example.com" }, meant: "invalid" },
        { body: { assigned_user: '"jane doe"@example.com' }, meant: "invalid" },
        { body: { assigned_user: "jane@[192.0.2.1]" }, meant: "invalid" },
        { body: { tags: ["a", "a"] }, meant: "invalid" },
        { body: { tags: ["a", "A"] }, meant: "valid" },
        { body: { tags: ["é", "e\u0301"] }, meant: "valid" },
        { body: { tags: ["[VIP"] }, meant: "valid" },
        { body: { custom_fields: { Preferences: ["Dark Mode", "Dark Mode"] } }, meant: "valid" },
        { body: { custom_fields: { "😀": true } }, meant: "invalid" },
      ];
      const seen = { valid: 0, invalid: 0 };
      await fc.assert(
        fc.asyncProperty(bodies, async ({ body, meant }) => {
          const ajvSaysValid = validUpdate(body);
          // The generator is checked against the oracle too: a "valid" body that Ajv refuses means
          // schema-arbitraries.ts misreads the schema.
          expect(ajvSaysValid, `generated as ${meant}; Ajv: ${ajvErrors()}`).toBe(meant === "valid");

          const { callbell, wire } = tappedClient();
          const verdict = await prismVerdict(callbell.updateContact(UUID, body as ContactUpdate));
          expect(wire).toHaveLength(1);
          expect(wire[0]!.body).toBe(JSON.stringify(body));
          expect(verdict.status, `Prism: ${JSON.stringify(verdict.violations)}; Ajv: ${ajvErrors()}`).toBe(
            ajvSaysValid ? 200 : 422,
          );
          for (const violation of verdict.violations)
            expect(violation.location.slice(0, 2)).toEqual(["request", "body"]);
          seen[meant]++;
        }),
        { ...settings, examples: knownDifferences.map((example) => [example]) },
      );
      // Both kinds were really exercised.
      expect(seen.valid).toBeGreaterThan(NUM_RUNS / 4);
      expect(seen.invalid).toBeGreaterThan(NUM_RUNS / 4);
    },
    TIMEOUT_MS,
  );

  it(
    "every uuid reaches Prism as one encoded path segment, or is refused before sending",
    async () => {
      const awkward = fc.constantFrom(
        "/",
        "?",
        "#",
        "%",
        " ",
        "%2F",
        "%2f",
        "%25",
        "%E9",
        ".",
        "..",
        "+",
        "&",
        "=",
        ";",
        "\\",
        "😀",
        "é",
        "\u0000",
        "\ud800",
        "\udfff",
      );
      const unit = fc.oneof(
        awkward,
        fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
        fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
      );
      const uuids = fc.oneof(
        { weight: 6, arbitrary: fc.string({ unit, maxLength: 12 }) },
        { weight: 1, arbitrary: fc.constantFrom("", ".", "..", "...", UUID, `${UUID}/`, `../${UUID}`) },
        // Around the parameter's 128-character bound, counted in code points.
        { weight: 2, arbitrary: text(126, 130) },
      );
      const examples = [
        "a/b",
        "%2F",
        "a%2Fb",
        "100%",
        "?x=1#y",
        " ",
        "😀".repeat(128),
        "😀".repeat(129),
        "a".repeat(129),
        "...",
        "\u0000",
      ];
      const basePath = new URL(prismUrl).pathname.replace(/\/$/, "");
      const seen = { sent: 0, refused: 0, accepted: 0, rejectedByPrism: 0 };
      await fc.assert(
        fc.asyncProperty(uuids, async (uuid) => {
          const { callbell, wire } = tappedClient();
          const outcome = prismVerdict(callbell.updateContact(uuid, { name: "Joe" }));
          // A URL cannot carry an empty segment, a dot segment (URL parsers resolve it away) or a
          // lone surrogate (not text): the client refuses those before anything is sent.
          const unsendable = uuid === "" || uuid === "." || uuid === ".." || /\p{Cs}/u.test(uuid);
          if (unsendable) {
            const error = await outcome.catch((e: unknown) => e);
            expect(error).toBeInstanceOf(CallbellInputError);
            expect((error as CallbellInputError).field).toBe("uuid");
            expect(wire).toHaveLength(0);
            seen.refused++;
            return;
          }
          const verdict = await outcome;
          expect(wire).toHaveLength(1);
          const url = new URL(wire[0]!.url);
          expect(url.search).toBe("");
          expect(url.hash).toBe("");
          expect(url.pathname.startsWith(`${basePath}/contacts/`)).toBe(true);
          const segment = url.pathname.slice(`${basePath}/contacts/`.length);
          expect(segment).not.toMatch(/[/?#]/);
          expect(decodeURIComponent(segment)).toBe(uuid);
          seen.sent++;
          // Prism decodes the segment and checks it against the parameter's schema (so `a/b`, sent
          // as `a%2Fb`, reaches the route and fails `^[^/]+$`): its verdict must be Ajv's on the
          // decoded uuid, and a 422 must be about the uuid, never a missed route or the body.
          const uuidOk = validUuid(uuid);
          expect(verdict.status, `Prism: ${JSON.stringify(verdict.violations)}`).toBe(uuidOk ? 200 : 422);
          for (const violation of verdict.violations)
            expect(violation.location).toEqual(["request", "path", "uuid"]);
          if (uuidOk) seen.accepted++;
          else seen.rejectedByPrism++;
        }),
        { ...settings, examples: examples.map((uuid) => [uuid]) },
      );
      for (const [what, count] of Object.entries(seen)) expect(count, `${what} cases`).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );
});
