// The mock (scripts/mock.mjs) must outlive any valid request: stock Prism 5.14.2 exits on some,
// which scripts/prism-survives-odd-requests.cjs works around. Each case is followed by a plain
// request that must still get 200.
import { describe, expect, inject, it } from "vitest";

const prismUrl = inject("prismUrl");

function patch(body: unknown) {
  return fetch(`${prismUrl}/contacts/414a6d692bd645ed803f2e7ce360d4c8`, {
    method: "PATCH",
    headers: { Authorization: "Bearer mock_token", "Content-Type": "application/json" },
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

  it.each([["[VIP"], ["[", "]"], ["[[a", "b"]])("tags %j, which Prism's log printer used to mangle: 200", async (...tags) => {
    const response = await patch({ tags });
    expect(response.status).toBe(200);
    await expectStillServing();
  });
});
