// Schemathesis, the field's outside check of an API against its OpenAPI description, against the
// project's Prism mock and the stand-in API the bulk tests use: every check it has, positive and
// negative data, a fixed seed (scripts/ci/schemathesis.mjs). A finding fails the test unless
// scripts/ci/schemathesis.mjs lists it with why it is not a defect (the docs page shows that list);
// a listed finding that no longer reproduces fails it too. The requests it sent are counted, so
// that a run which never reached a branch of the schema cannot pass.
import { describe, expect, inject, it } from "vitest";
import { validateContactUpdate } from "../../generated/contact-validators.js";
import { startRateLimitedStandIn } from "../fakes/rate-limited-api.mjs";
import {
  acceptedFindings,
  findingsOf,
  MAX_EXAMPLES,
  runSchemathesis,
  SEED,
} from "../../scripts/ci/schemathesis.mjs";
import { ensureSchemathesis } from "../../scripts/ci/setup-schemathesis.mjs";
import { requireToolchain } from "../support/toolchains.js";

const prismUrl = inject("prismUrl");
type Run = Awaited<ReturnType<typeof runSchemathesis>>;

/** What the accepted (200) and refused (422) bodies reached: fields, value kinds, and the schema keywords refused. */
function branches(requests: Run["requests"]) {
  const reached = new Set<string>();
  for (const { method, status, body } of requests) {
    if (method !== "PATCH" || body === undefined) continue;
    let update: unknown;
    try {
      update = JSON.parse(body);
    } catch {
      if (status === 400) reached.add("refused: not JSON");
      continue;
    }
    if (status === 200 && update && typeof update === "object" && !Array.isArray(update)) {
      for (const [field, value] of Object.entries(update)) {
        reached.add(`accepted: ${field}`);
        if (field === "bot_status" || field === "unassign_user") reached.add(`accepted: ${field} = ${value}`);
        if (field === "tags")
          reached.add(`accepted: tags ${(value as unknown[]).length ? "listed" : "empty"}`);
        if (field === "custom_fields")
          for (const fieldValue of Object.values(value as object))
            reached.add(`accepted: custom field ${Array.isArray(fieldValue) ? "list" : typeof fieldValue}`);
      }
    }
    if (status === 422 && !validateContactUpdate(update))
      for (const problem of validateContactUpdate.errors ?? []) reached.add(`refused: ${problem.keyword}`);
  }
  return reached;
}

const mustReach = [
  ...[
    "name",
    "tags",
    "custom_fields",
    "assigned_user",
    "unassign_user",
    "team_uuid",
    "bot_status",
    "note",
  ].map((field) => `accepted: ${field}`),
  "accepted: bot_status = bot_start",
  "accepted: bot_status = bot_end",
  "accepted: unassign_user = true",
  "accepted: unassign_user = false",
  "accepted: tags empty",
  "accepted: tags listed",
  "accepted: custom field string",
  "accepted: custom field number",
  "accepted: custom field list",
  "refused: not JSON",
  ...["type", "additionalProperties", "minProperties", "enum", "minLength", "maxLength", "format"].map(
    (keyword) => `refused: ${keyword}`,
  ),
];

async function check(
  context: Parameters<typeof requireToolchain>[0],
  target: "mock" | "stand-in",
  url: string,
) {
  requireToolchain(context, "Python venv");
  ensureSchemathesis();
  const run = await runSchemathesis({ url, label: target });
  const findings = findingsOf(run.report, target);
  const statuses = run.requests.reduce<Record<string, number>>(
    (counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }),
    {},
  );
  console.log(
    `Schemathesis against the ${target}: seed ${SEED}, up to ${MAX_EXAMPLES} examples per phase, ${run.report.test_cases.generated} test cases, ` +
      `${run.requests.length} requests (by status ${JSON.stringify(statuses)}), ${run.seconds.toFixed(0)} s; findings: ` +
      (findings.map((finding) => `${finding.code}${finding.accepted ? " (accepted)" : ""}`).join(", ") ||
        "none"),
  );
  expect(run.report.complete, run.output).toBe(true);
  expect(run.report.errors, run.output).toEqual([]);
  expect(
    findings.filter((finding) => !finding.accepted),
    run.output,
  ).toEqual([]);
  const expected = acceptedFindings.filter((entry) => entry.target === target).map((entry) => entry.code);
  expect(
    findings.map((finding) => finding.code).sort(),
    "an accepted finding no longer reproduces: take it out of scripts/ci/schemathesis.mjs",
  ).toEqual(expected.sort());
  const reached = branches(run.requests);
  expect(
    mustReach.filter((branch) => !reached.has(branch)),
    "branches no request reached",
  ).toEqual([]);
}

describe("Schemathesis (every check, positive and negative data)", () => {
  it("finds nothing unexplained in the mock", async (context) => {
    await check(context, "mock", prismUrl);
  }, 900_000);

  it("finds nothing unexplained in the bulk tests' stand-in", async (context) => {
    const standIn = await startRateLimitedStandIn({ limit: 1_000_000, token: "schemathesis-token" });
    try {
      await check(context, "stand-in", standIn.url);
    } finally {
      await standIn.close();
    }
  }, 900_000);
});
