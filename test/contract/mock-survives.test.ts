// The mock (scripts/dev/run-mock.mjs) must outlive any request: stock Prism 5.14.2 exits on the ones below,
// which src/mock/prism-survives-odd-requests.cjs works around. Each case is followed by a plain
// request that must still get 200, so taking any one fix out of the preload fails its test here
// (the process is gone). Each fix was checked the other way too: without the preload, Prism
// exits on every request in this file.
import { describe, expect, inject, it } from "vitest";

const prismUrl = inject("prismUrl");
const UUID = "414a6d692bd645ed803f2e7ce360d4c8";

function patch(body: unknown, { path = `/contacts/${UUID}`, headers = {} as Record<string, string> } = {}) {
  return fetch(`${prismUrl}${path}`, {
    method: "PATCH",
    headers: { Authorization: "Bearer mock_token", "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function expectStillServing() {
  expect((await patch({ name: "Joe" })).status).toBe(200);
}

describe("the mock survives requests that end stock Prism 5.14.2", () => {
  it("an unknown field named with an emoji: 422, with the violations still readable JSON", async () => {
    const response = await patch({ "😀 field": 1 });
    expect(response.status).toBe(422);
    const violations = JSON.parse(response.headers.get("sl-violations") ?? "null") as { message: string }[];
    expect(violations.map((violation) => violation.message).join("\n")).toContain("found '😀 field'");
    await expectStillServing();
  });

  it("a field name with DEL in it: 422", async () => {
    const response = await patch({ custom_fields: { "a\u007fb": true } });
    expect(response.status).toBe(422);
    expect(response.headers.get("sl-violations")).toContain("a\\u007fb");
    await expectStillServing();
  });

  it.each(["/contacts/%FF", "/contacts/%E0%A4%A", "/contacts/a%C0%AFb"])(
    "a path escape that is not UTF-8 (%s): 400, with or without a token",
    async (path) => {
      expect((await patch({ name: "Joe" }, { path })).status).toBe(400);
      const anonymous = await fetch(`${prismUrl}${path}`, { method: "PATCH" });
      expect(anonymous.status).toBe(400);
      expect(((await anonymous.json()) as { title: string }).title).toBe("Malformed path");
      await expectStillServing();
    },
  );

  it.each(["*", "json", "application", ",", "text/html, json"])(
    "Accept %j, which names no media type Prism can parse: 406",
    async (accept) => {
      const response = await patch({ name: "Joe" }, { headers: { Accept: accept } });
      expect(response.status).toBe(406);
      await expectStillServing();
    },
  );

  it("Accept * with Prefer: code=429: an error answer, and the mock keeps serving", async () => {
    const response = await patch({ name: "Joe" }, { headers: { Accept: "*", Prefer: "code=429" } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await expectStillServing();
  });

  it("a usable range beside an unparseable one is still served, as stock Prism serves it", async () => {
    expect((await patch({ name: "Joe" }, { headers: { Accept: "application/json, *" } })).status).toBe(200);
    await expectStillServing();
  });
});

describe("the mock's 405 names the methods the path has (RFC 9110; Schemathesis's unsupported_method)", () => {
  it.each(["GET", "POST", "PUT", "DELETE"])("%s on a contact: 405 with Allow: PATCH", async (method) => {
    const response = await fetch(`${prismUrl}/contacts/${UUID}`, {
      method,
      headers: { Authorization: "Bearer mock_token" },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("PATCH");
  });
});
