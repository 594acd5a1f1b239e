// The problems `callbell-contacts` and the bulk entry report are sentences a person acts on: the
// field, what it must be (the allowed values, the limit, read from the spec's validators) and
// what it is; one per problem; never the validator's own words. And a CSV saved with `;` between
// fields (a spreadsheet where the comma is the decimal separator) is read.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  contactUpdateFields,
  validateContactUpdate,
  validateContactUuid,
} from "../../generated/contact-validators.js";
import { contactProblems, updateProblems, uuidProblems } from "../../src/bulk/contact-problems.js";
import { delimiterOf, readContactRows } from "../../src/cli/contact-rows.js";
import { invalid, invalidOfItsType, valid, type Schema } from "../support/schema-arbitraries.js";
import { spec } from "../support/spec.js";

const contactUpdate = spec.components.schemas.ContactUpdate as Schema;
const contactUuid = spec.components.parameters.ContactUuid.schema as Schema;
// What the validator says in its own words (Ajv's messages, schema paths, its keyword names).
const VALIDATOR_WORDS =
  /must NOT|must match|must be equal to one of|exactly one schema|property name must be valid|additional properties|#\/|instancePath|oneOf|propertyNames|minProperties|\bshould\b/;
/** A message's own words: the values it quotes (the caller's, which may say anything) left out. */
const ownWords = (message: string) => message.replace(/"(?:[^"\\]|\\.)*"/g, '""');
const startsWithAField = new RegExp(`^(?:(?:uuid|the update|${contactUpdateFields.join("|")})\\b|")`);

/** The fields of a bad update, as the validator finds them: each must be named by some message. */
function fieldsNamed(update: unknown): string[] {
  validateContactUpdate(update);
  return (validateContactUpdate.errors ?? []).map((error) =>
    error.instancePath
      ? error.instancePath.split("/")[1]!
      : error.keyword === "additionalProperties"
        ? String(error.params.additionalProperty)
        : "the update",
  );
}

describe("problem messages (generated bad rows)", () => {
  it("name the field, the allowed values and the limits, never the validator's words", () => {
    const keywords = new Set<string>();
    fc.assert(
      fc.property(invalidOfItsType(contactUpdate), (update) => {
        expect(validateContactUpdate(update)).toBe(false);
        const errors = validateContactUpdate.errors!;
        for (const error of errors)
          keywords.add(error.propertyName === undefined ? error.keyword : `propertyNames/${error.keyword}`);
        const messages = updateProblems(update);
        expect(messages.length).toBeGreaterThan(0);
        for (const message of messages) {
          expect(ownWords(message)).not.toMatch(VALIDATOR_WORDS);
          expect(message).toMatch(startsWithAField);
        }
        const all = messages.join("\n");
        for (const field of fieldsNamed(update))
          expect(all).toContain(
            JSON.stringify(field)
              .slice(1, -1)
              .slice(0, 39)
              .replace(/\\[^"]{0,4}$/, ""),
          );
        for (const error of errors) {
          if (error.keyword === "enum")
            expect(all).toContain((error.params.allowedValues as string[]).join(" or "));
          if (typeof error.params.limit === "number")
            expect(all).toContain(
              error.params.limit !== 1
                ? String(error.params.limit)
                : error.keyword === "minLength"
                  ? error.propertyName === undefined
                    ? "must not be empty"
                    : "at least 1 character"
                  : error.keyword === "minProperties"
                    ? "names no field"
                    : "1",
            );
        }
      }),
      { seed: 20261206, numRuns: 300 },
    );
    // Every kind of problem the spec can have was generated and said.
    for (const keyword of [
      "enum",
      "uniqueItems",
      "maxLength",
      "minLength",
      "maxItems",
      "maxProperties",
      "minProperties",
      "additionalProperties",
      "format",
      "type",
      "oneOf",
      "propertyNames/maxLength",
      "propertyNames/minLength",
    ])
      expect(keywords, keyword).toContain(keyword);
  }, 120_000);

  it("say one thing per problem of a uuid: an empty one is one problem, not two", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(invalid(contactUuid), (uuid) => {
        expect(validateContactUuid(uuid)).toBe(false);
        // An empty uuid also fails the pattern (one character or more): that is the same problem.
        const problems = validateContactUuid.errors!.filter(
          (error) => !(uuid === "" && error.keyword === "pattern"),
        );
        const messages = uuidProblems(uuid);
        expect(messages).toHaveLength(problems.length);
        for (const message of messages) {
          expect(message).toMatch(/^uuid /);
          expect(ownWords(message)).not.toMatch(VALIDATOR_WORDS);
          expect(message.length).toBeLessThan(200);
          seen.add(message.replace(/[,(].*/, ""));
        }
      }),
      { seed: 20261206, numRuns: 300 },
    );
    expect(uuidProblems("")).toEqual(["uuid must not be empty"]);
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });

  it("are none for a valid row", () => {
    fc.assert(
      fc.property(valid(contactUpdate), (update) => {
        expect(contactProblems("414a6d692bd645ed803f2e7ce360d4c8", update)).toEqual([]);
      }),
      { seed: 20261206, numRuns: 60 },
    );
  }, 60_000);

  it.each([
    [{ bot_status: "bot_maybe" }, 'bot_status must be bot_start or bot_end, not "bot_maybe"'],
    [{ tags: ["VIP", "Call back", "VIP"] }, 'tags has "VIP" twice; each value may appear once'],
    [{ tags: ["VIP", ""] }, "tags item 2 must not be empty"],
    [{ name: "x".repeat(256) }, "name must have at most 255 characters, not 256"],
    [
      { custom_fields: { Preferences: {} } },
      "custom_fields.Preferences must be text, a number, or a list, not an object",
    ],
    [
      { custom_fields: { Preferences: ["ok", "y".repeat(256)] } },
      "custom_fields.Preferences item 2 must have at most 255 characters, not 256",
    ],
    [
      { custom_fields: { "": "x" } },
      'custom_fields has a field named "" (0 characters); a name must have at least 1 character',
    ],
    [{ assigned_user: "jane" }, 'assigned_user must be an e-mail address, not "jane"'],
    [{ unassign_user: "yes" }, 'unassign_user must be true or false, not "yes"'],
    [
      { phone_number: "+1" },
      `"phone_number" is not a field of a contact update; the fields are ${contactUpdateFields.join(", ")}`,
    ],
    [{}, "the update names no field to change"],
  ])("say what is wrong with %j", (update, message) => {
    expect(updateProblems(update)).toEqual([message]);
  });
});

describe("CSV delimiters", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), "callbell-delimiters-"));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const at = path.join(folder, name);
    writeFileSync(at, text);
    return at;
  };
  const rows = async (input: string, delimiter?: string) => {
    const all = [];
    for await (const row of readContactRows(input, "|", delimiter)) all.push(row);
    return all;
  };

  it("reads a `;`-separated file, found from its header (and a tab-separated one)", async () => {
    for (const delimiter of [";", "\t", ","]) {
      const csv = [
        ["uuid", "name", "tags", "custom_fields.Price"].join(delimiter),
        ["414a6d692bd645ed803f2e7ce360d4c8", "Joe", "VIP|Call back", "1,5"].join(delimiter),
      ].join("\r\n");
      const [row] = await rows(
        file(
          `sep-${delimiter.charCodeAt(0)}.csv`,
          delimiter === "," ? csv.replace("1,5", '"1,5"') : `\uFEFF${csv}`,
        ),
      );
      expect(row).toMatchObject({
        line: 2,
        uuid: "414a6d692bd645ed803f2e7ce360d4c8",
        problems: [],
        update: { name: "Joe", tags: ["VIP", "Call back"], custom_fields: { Price: "1,5" } },
      });
    }
  });

  it("asks for --delimiter when the header cannot tell, and reads the file with the one given", async () => {
    expect(delimiterOf("id;full name")).toEqual({
      problem: expect.stringContaining("pass the file's delimiter with --delimiter"),
    });
    expect(delimiterOf("uuid;name,tags")).toEqual({
      problem: expect.stringMatching(/reads as well with "," as with ";".*--delimiter/),
    });
    expect(delimiterOf("uuid")).toEqual({ delimiter: "," });
    const input = file("pipe.csv", "uuid/name\n414a6d692bd645ed803f2e7ce360d4c8/Joe\n");
    const [header] = await rows(input);
    expect(header!.problems).toEqual([
      "the header has no uuid column: the first row names the columns, one of them uuid",
    ]);
    expect(await rows(input, "/")).toMatchObject([{ line: 2, problems: [], update: { name: "Joe" } }]);
    const unknown = file("unknown.csv", "id;nom\n1;Joe\n");
    expect((await rows(unknown))[0]!.problems[0]).toMatch(
      /^the header has no column this command knows .* when read with ";" between fields; pass the file's delimiter with --delimiter$/,
    );
  });

  it("reports a row's problems in the same words", async () => {
    const input = file("bad.csv", "uuid;name;bot_status\n;Joe;bot_maybe\n");
    const [row] = await rows(input);
    expect(row!.problems).toEqual([
      "uuid must not be empty",
      'bot_status must be bot_start or bot_end, not "bot_maybe"',
    ]);
  });
});
