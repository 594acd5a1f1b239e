// The generated Postman collection, run by Newman (Postman's own runner, its library API): against
// the project's Prism mock every test in the collection passes; against a server that answers
// wrongly (a contact that breaks the Contact schema, an error status) the collection fails.
import { readFileSync } from "node:fs";
import newman, { type NewmanRunSummary } from "newman";
import { afterEach, describe, expect, inject, it } from "vitest";
import { postmanFiles, TOKEN_VARIABLE } from "../../scripts/spec/postman-collection.mjs";
import { startStandInApi } from "../fakes/conforming-api.mjs";

const prismUrl = inject("prismUrl");
const load = (file: string) => JSON.parse(readFileSync(`generated/postman/${file}`, "utf8"));
const collection = load(postmanFiles.collection);
const mockEnvironment = load(postmanFiles.mock);
const UUID = "414a6d692bd645ed803f2e7ce360d4c8";

/** Runs the collection with the mock's environment, its baseUrl pointed at `baseUrl`. */
function runCollection(baseUrl: string): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) =>
    newman.run(
      {
        collection,
        environment: mockEnvironment,
        envVar: [{ key: "baseUrl", value: baseUrl }],
        reporters: [],
        timeoutRequest: 15_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    ),
  );
}

const failedTests = (summary: NewmanRunSummary) =>
  summary.run.failures.map((failure) => failure.error.test ?? failure.error.message);

describe("the generated Postman collection", () => {
  it("takes the token from {{callbellApiToken}} and the host from {{baseUrl}}, never a literal", () => {
    expect(collection.auth).toEqual({
      type: "bearer",
      bearer: [{ key: "token", value: `{{${TOKEN_VARIABLE}}}`, type: "string" }],
    });
    const text = JSON.stringify(collection);
    expect(text).not.toMatch(/bearerToken|test_[A-Za-z0-9]{10,}/);
    expect(text).not.toContain("https://api.callbell.eu");
    const live = load(postmanFiles.live);
    expect(live.values.find((value: { key: string }) => value.key === TOKEN_VARIABLE)).toMatchObject({
      value: "",
      type: "secret",
    });
  });

  it("passes every test in the collection against the mock", async () => {
    const summary = await runCollection(prismUrl);
    expect(failedTests(summary)).toEqual([]);
    expect(summary.run.stats.requests.total).toBe(1);
    // Four pm.test blocks: status, JSON, schema, uuid; none may be skipped.
    expect(summary.run.stats.assertions).toMatchObject({ total: 4, failed: 0 });
  }, 60_000);

  describe("fails when the server answers wrongly", () => {
    let stop: (() => Promise<unknown>) | undefined;
    afterEach(async () => stop?.());

    async function runAgainst(status: number, body: unknown) {
      const api = await startStandInApi({ answer: () => ({ status, body }) });
      stop = api.stop;
      const summary = await runCollection(api.url);
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${mockEnvironment.values[1].value}`);
      return failedTests(summary);
    }

    it("passes against a stand-in that answers a conforming contact (the control)", async () => {
      expect(await runAgainst(200, { contact: { uuid: UUID, name: "Joe Doe NEW", tags: [] } })).toEqual([]);
    });

    it.each([
      ["a contact without its uuid", { contact: { name: "Joe Doe NEW" } }],
      ["createdAt as a number", { contact: { uuid: UUID, createdAt: 1605301733 } }],
      ["tags as a string", { contact: { uuid: UUID, tags: "Call back" } }],
      ["an array of two contacts", { contact: [{ uuid: UUID }, { uuid: UUID }] }],
      ["no contact at all", { uuid: UUID }],
    ])("a 200 with %s fails the schema test", async (_what, body) => {
      expect(await runAgainst(200, body)).toContain(
        "the body matches UpdateContactResponse: a Contact, or an array of one Contact",
      );
    });

    it("another contact than the one in the path fails the uuid test", async () => {
      expect(await runAgainst(200, { contact: { uuid: "0".repeat(32) } })).toEqual([
        "the contact is the one in the path",
      ]);
    });

    it("an error status fails the status test", async () => {
      expect(await runAgainst(500, { error: "Internal Server Error" })).toContain("status is 200");
    });
  });
});
