// The `callbell-contacts` command as a user runs it (node dist/cli.js), on real files in a
// temporary folder, against the rate-limited stand-in on 127.0.0.1: every problem reported by
// line before any request, --dry-run, results as JSON Lines, --resume, exit codes 0/1/2, and the
// token never printed. Needs a fresh build (`npm test` builds first).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRateLimitedStandIn } from "../fakes/rate-limited-api.mjs";
import { assertBuildIsFresh, root } from "../support/build.js";
import { valid, invalidOfItsType, type Schema } from "../support/schema-arbitraries.js";
import { parameterValidator, schemaValidator, spec } from "../support/spec.js";

const TOKEN = "cli_SECRET_0123456789abcdef";
const SEED = Number(process.env.FC_SEED ?? 20_261_125);
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 12);
const CLI = path.join(root, "dist", "cli.js");
const validUpdate = schemaValidator("ContactUpdate");
const validUuid = parameterValidator("ContactUuid");

type StandIn = Awaited<ReturnType<typeof startRateLimitedStandIn>>;

function runCli(args: string[], env: Record<string, string | undefined> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: folder,
      env: { PATH: process.env.PATH, CALLBELL_API_TOKEN: TOKEN, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let folder: string;
const file = (name: string, text?: string) => {
  const full = path.join(folder, name);
  if (text !== undefined) writeFileSync(full, text);
  return full;
};
const resultsOf = (name: string) =>
  readFileSync(path.join(folder, name), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { line: number; uuid: string; ok: boolean; attempts: number; error?: { name: string; status?: number } });

const uuidOf = (index: number) => `d${index.toString(16).padStart(31, "0")}`;

const CSV = [
  "uuid,name,tags,custom_fields.orderNumber,custom_fields.Preferences[],unassign_user",
  `${uuidOf(1)},Joe,VIP|Interested,42,Dark Mode|E-mail,`,
  `${uuidOf(2)},"Doe, Jane",,,,true`,
  `${uuidOf(3)},Ann,,,,`,
  `${uuidOf(4)},,Call back,,,`,
].join("\n");

describe("callbell-contacts", () => {
  let standIn: StandIn;
  beforeAll(async () => {
    assertBuildIsFresh();
    folder = mkdtempSync(path.join(tmpdir(), "callbell-contacts-"));
    standIn = await startRateLimitedStandIn({ limit: 5_000, missing: [uuidOf(3)] });
  });
  afterAll(async () => {
    await standIn?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("--dry-run checks every row and sends nothing (exit 0)", async () => {
    const before = standIn.stats().requests;
    const { code, stderr, stdout } = await runCli(["update", "--input", file("ok.csv", CSV), "--dry-run", "--base-url", standIn.url]);
    expect(stderr).toContain("4 rows checked, all valid; nothing sent (--dry-run).");
    expect(stdout).toBe("");
    expect(code).toBe(0);
    expect(standIn.stats().requests).toBe(before);
  });

  it("reports every invalid row by line and sends nothing, even without --dry-run (exit 2)", async () => {
    const csv = [
      "uuid,name,tags,bot_status",
      `${uuidOf(1)},Joe,,`, // line 2: fine
      `${uuidOf(2)},,,`, // line 3: no field
      `a/b,Ann,VIP|VIP,`, // line 4: bad uuid and repeated tag
      `${uuidOf(4)},Bo,,bot_maybe`, // line 5: not an allowed bot_status
    ].join("\n");
    const before = standIn.stats().requests;
    const { code, stderr } = await runCli(["update", "--input", file("bad.csv", csv), "--out", file("bad-results.jsonl"), "--base-url", standIn.url]);
    const reported = stderr.split("\n").filter((line) => line.startsWith(path.join(folder, "bad.csv")));
    expect(reported.map((line) => Number(line.split(":")[1]))).toEqual([3, 4, 4, 5]);
    expect(stderr).toContain(":3: the row has no field to update");
    expect(stderr).toContain(':4: uuid "a/b" must match pattern');
    expect(stderr).toContain(":4: tags must NOT have duplicate items");
    expect(stderr).toContain(":5: bot_status must be equal to one of the allowed values");
    expect(stderr).toContain("4 problems in");
    expect(code).toBe(2);
    expect(standIn.stats().requests).toBe(before);
  });

  it("updates the rows, writes one result line each, and exits 1 when some failed; --resume sends only what is not done", async () => {
    const input = file("run.csv", CSV);
    const out = file("run-results.jsonl");
    const before = standIn.requestsPerUuid();
    const first = await runCli(["update", "--input", input, "--out", out, "--base-url", standIn.url]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`Updated 3, failed 1; results in ${out}.`);
    const results = resultsOf("run-results.jsonl");
    expect(results.map((result) => result.line).sort()).toEqual([2, 3, 4, 5]);
    const byLine = new Map(results.map((result) => [result.line, result]));
    expect(byLine.get(4)).toMatchObject({ uuid: uuidOf(3), ok: false, attempts: 1, error: { name: "NotFoundError", status: 404 } });
    expect(byLine.get(2)).toMatchObject({ uuid: uuidOf(1), ok: true, contact: { name: "Joe", tags: ["VIP", "Interested"], custom_fields: { orderNumber: "42", Preferences: ["Dark Mode", "E-mail"] } } });
    expect(byLine.get(3)).toMatchObject({ ok: true, contact: { name: "Doe, Jane", unassign_user: true } });

    // The contact now exists: a resumed run sends the failed row only, and appends its result.
    const fixed = await startRateLimitedStandIn({ limit: 5_000 });
    try {
      const second = await runCli(["update", "--input", input, "--out", out, "--resume", "--base-url", fixed.url]);
      expect(second.stderr).toContain(`Updated 1, failed 0, 3 already done (--resume); results in ${out}.`);
      expect(second.code).toBe(0);
      expect([...fixed.requestsPerUuid()]).toEqual([[uuidOf(3), 1]]);
      const after = resultsOf("run-results.jsonl");
      expect(after).toHaveLength(5);
      expect(after[4]).toMatchObject({ line: 4, uuid: uuidOf(3), ok: true });
      // Everything done: a third run sends nothing.
      const third = await runCli(["update", "--input", input, "--out", out, "--resume", "--base-url", fixed.url]);
      expect(third.code).toBe(0);
      expect(fixed.stats().requests).toBe(1);
    } finally {
      await fixed.close();
    }
    for (const uuid of [uuidOf(1), uuidOf(2), uuidOf(4)]) expect(standIn.requestsPerUuid().get(uuid)).toBe((before.get(uuid) ?? 0) + 1);
    for (const output of [first.stdout, first.stderr, readFileSync(out, "utf8")]) expect(output).not.toContain(TOKEN);
  });

  it("reads a JSON line, and resumes from a result line, whose strings hold U+2028 or U+2029 as one line each", async () => {
    // JSON.stringify leaves both unescaped; node:readline on Node 24 would end a line at them.
    const jsonl = [
      JSON.stringify({ uuid: uuidOf(9), name: "Para\u2028graph", note: "a\u2029b" }),
      JSON.stringify({ uuid: uuidOf(10), name: "Crlf" }),
    ].join("\r\n");
    const input = file("separators.jsonl", jsonl);
    const out = file("separators-results.jsonl");
    const first = await runCli(["update", "--input", input, "--out", out, "--base-url", standIn.url]);
    expect(first.stderr).not.toContain("problem");
    expect(first.code).toBe(0);
    expect(resultsOf("separators-results.jsonl").map(({ line, ok }) => [line, ok]).sort()).toEqual([
      [1, true],
      [2, true],
    ]);
    const before = standIn.stats().requests;
    const resumed = await runCli(["update", "--input", input, "--out", out, "--resume", "--base-url", standIn.url]);
    expect(resumed.stderr).toContain("2 already done (--resume)");
    expect(standIn.stats().requests).toBe(before);
  });

  it("writes results to standard output without --out, and reads JSON Lines", async () => {
    const jsonl = [
      JSON.stringify({ uuid: uuidOf(7), name: "Line one", tags: [] }),
      "",
      JSON.stringify({ uuid: uuidOf(8), note: "", custom_fields: { Score: 7 } }),
    ].join("\n");
    const { code, stdout } = await runCli(["update", "--input", file("in.jsonl", jsonl), "--base-url", standIn.url]);
    expect(code).toBe(0);
    const lines = stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line));
    expect(lines.map((line) => line.line).sort()).toEqual([1, 3]);
    expect(lines.find((line) => line.line === 3)).toMatchObject({ ok: true, contact: { note: "", custom_fields: { Score: 7 } } });
  });

  it("exits 2 on usage errors, naming what is wrong, and never prints the token", async () => {
    const input = file("usage.csv", CSV);
    const cases: [string[], Record<string, string | undefined>, string][] = [
      [["update"], {}, "--input is required."],
      [["upgrade", "--input", input], {}, "The command is `update`."],
      [["update", "--input", input, "--frobnicate"], {}, "Unknown option '--frobnicate'"],
      [["update", "--input", file("x.txt", "")], {}, "must end in .csv or .jsonl"],
      [["update", "--input", path.join(folder, "none.csv")], {}, "No such file"],
      [["update", "--input", input, "--resume"], {}, "--resume needs --out"],
      [["update", "--input", input, "--rate", "fast"], {}, "--rate must be a number above 0"],
      [["update", "--input", input, "--base-url", standIn.url], { CALLBELL_API_TOKEN: undefined }, "Set CALLBELL_API_TOKEN"],
      [["update", "--input", input, "--base-url", standIn.url], { CALLBELL_API_TOKEN: `${TOKEN} x` }, "No usable Callbell API token"],
    ];
    const before = standIn.stats().requests;
    for (const [args, env, message] of cases) {
      const { code, stderr, stdout } = await runCli(args, env);
      expect(stderr, args.join(" ")).toContain(message);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr + stdout).not.toContain(TOKEN);
    }
    expect(standIn.stats().requests).toBe(before);
  });
});

describe(`callbell-contacts properties (fast-check seed ${SEED}, ${NUM_RUNS} runs; FC_SEED and FC_NUM_RUNS override)`, () => {
  beforeAll(() => {
    assertBuildIsFresh();
    folder = mkdtempSync(path.join(tmpdir(), "callbell-contacts-props-"));
  });
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const contactUpdate = spec.components.schemas.ContactUpdate as Schema;
  const update = fc.oneof(valid(contactUpdate), invalidOfItsType(contactUpdate)).filter((value) => !Object.hasOwn(value as object, "uuid"));
  const uuid = fc.oneof({ weight: 5, arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 1, maxLength: 32 }) }, { weight: 1, arbitrary: fc.constantFrom("", "a/b", "x".repeat(129)) });

  it("a dry run reports exactly the rows the spec refuses, by line, and exits 2 iff there is one", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ uuid, update }), { minLength: 1, maxLength: 25 }), async (rows) => {
        const jsonl = rows.map(({ uuid, update }) => JSON.stringify({ uuid, ...(update as object) })).join("\n");
        const input = file("generated.jsonl", jsonl);
        const { code, stderr } = await runCli(["update", "--input", input, "--dry-run"]);
        const expected = rows.flatMap((row, index) => (validUuid(row.uuid) && validUpdate(row.update) ? [] : [index + 1]));
        const reported = [...new Set(stderr.split("\n").filter((line) => line.startsWith(`${input}:`)).map((line) => Number(line.slice(input.length + 1).split(":")[0])))];
        expect(reported).toEqual(expected);
        expect(code).toBe(expected.length ? 2 : 0);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  }, 120_000);
});
