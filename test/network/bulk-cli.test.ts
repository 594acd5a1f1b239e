// The `callbell-contacts` command as a user runs it (node dist/cli.js), on real files in a
// temporary folder, against the rate-limited stand-in on 127.0.0.1: every problem reported by
// line before any request, --dry-run, results as JSON Lines, --resume (also after kill -9 and a
// torn last line), rows of one contact in file order, a refused token, exit codes 0/1/2/3, and
// the token never printed. Needs a fresh build (`npm test` builds first).
import { spawn } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRateLimitedStandIn } from "../fakes/rate-limited-api.mjs";
import { assertBuildIsFresh, root } from "../support/build.js";
import { spawnBounded } from "../support/children.js";
import { valid, invalidOfItsType, type Schema } from "../support/schema-arbitraries.js";
import { parameterValidator, schemaValidator, spec } from "../support/spec.js";

const TOKEN = "cli_SECRET_0123456789abcdef";
const SEED = Number(process.env.FC_SEED ?? 20_261_125);
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 12);
const KILL_RUNS = Number(process.env.FC_KILL_RUNS ?? 8);
const CLI = path.join(root, "dist", "cli.js");
const validUpdate = schemaValidator("ContactUpdate");
const validUuid = parameterValidator("ContactUuid");

type StandIn = Awaited<ReturnType<typeof startRateLimitedStandIn>>;

/** The CLI, killed if it runs past 15 s (a test's own timeout is 20 s). */
function runCli(args: string[], env: Record<string, string | undefined> = {}) {
  return spawnBounded(process.execPath, [CLI, ...args], {
    cwd: folder,
    env: { PATH: process.env.PATH, CALLBELL_API_TOKEN: TOKEN, ...env },
    timeout: 15_000,
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
    .map(
      (line) =>
        JSON.parse(line) as {
          line: number;
          uuid: string;
          ok: boolean;
          attempts: number;
          error?: { name: string; status?: number };
        },
    );

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
    const { code, stderr, stdout } = await runCli([
      "update",
      "--input",
      file("ok.csv", CSV),
      "--dry-run",
      "--base-url",
      standIn.url,
    ]);
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
    const { code, stderr } = await runCli([
      "update",
      "--input",
      file("bad.csv", csv),
      "--out",
      file("bad-results.jsonl"),
      "--base-url",
      standIn.url,
    ]);
    const reported = stderr.split("\n").filter((line) => line.startsWith(path.join(folder, "bad.csv")));
    expect(reported.map((line) => Number(line.split(":")[1]))).toEqual([3, 4, 4, 5]);
    expect(stderr).toContain(":3: the row names no field to change");
    expect(stderr).toContain(':4: uuid must not contain "/", as "a/b" does');
    expect(stderr).toContain(':4: tags has "VIP" twice; each value may appear once');
    expect(stderr).toContain(':5: bot_status must be bot_start or bot_end, not "bot_maybe"');
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
    expect(byLine.get(4)).toMatchObject({
      uuid: uuidOf(3),
      ok: false,
      attempts: 1,
      error: { name: "NotFoundError", status: 404 },
    });
    expect(byLine.get(2)).toMatchObject({
      uuid: uuidOf(1),
      ok: true,
      contact: {
        name: "Joe",
        tags: ["VIP", "Interested"],
        custom_fields: { orderNumber: "42", Preferences: ["Dark Mode", "E-mail"] },
      },
    });
    expect(byLine.get(3)).toMatchObject({ ok: true, contact: { name: "Doe, Jane", unassign_user: true } });

    // The contact now exists: a resumed run sends the failed row only, and appends its result.
    const fixed = await startRateLimitedStandIn({ limit: 5_000 });
    try {
      const second = await runCli([
        "update",
        "--input",
        input,
        "--out",
        out,
        "--resume",
        "--base-url",
        fixed.url,
      ]);
      expect(second.stderr).toContain(`Updated 1, failed 0, 3 already done (--resume); results in ${out}.`);
      expect(second.code).toBe(0);
      expect([...fixed.requestsPerUuid()]).toEqual([[uuidOf(3), 1]]);
      const after = resultsOf("run-results.jsonl");
      expect(after).toHaveLength(5);
      expect(after[4]).toMatchObject({ line: 4, uuid: uuidOf(3), ok: true });
      // Everything done: a third run sends nothing.
      const third = await runCli([
        "update",
        "--input",
        input,
        "--out",
        out,
        "--resume",
        "--base-url",
        fixed.url,
      ]);
      expect(third.code).toBe(0);
      expect(fixed.stats().requests).toBe(1);
    } finally {
      await fixed.close();
    }
    for (const uuid of [uuidOf(1), uuidOf(2), uuidOf(4)])
      expect(standIn.requestsPerUuid().get(uuid)).toBe((before.get(uuid) ?? 0) + 1);
    for (const output of [first.stdout, first.stderr, readFileSync(out, "utf8")])
      expect(output).not.toContain(TOKEN);
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
    expect(
      resultsOf("separators-results.jsonl")
        .map(({ line, ok }) => [line, ok])
        .sort(),
    ).toEqual([
      [1, true],
      [2, true],
    ]);
    const before = standIn.stats().requests;
    const resumed = await runCli([
      "update",
      "--input",
      input,
      "--out",
      out,
      "--resume",
      "--base-url",
      standIn.url,
    ]);
    expect(resumed.stderr).toContain("2 already done (--resume)");
    expect(standIn.stats().requests).toBe(before);
  });

  it("writes results to standard output without --out, and reads JSON Lines", async () => {
    const jsonl = [
      JSON.stringify({ uuid: uuidOf(7), name: "Line one", tags: [] }),
      "",
      JSON.stringify({ uuid: uuidOf(8), note: "", custom_fields: { Score: 7 } }),
    ].join("\n");
    const { code, stdout } = await runCli([
      "update",
      "--input",
      file("in.jsonl", jsonl),
      "--base-url",
      standIn.url,
    ]);
    expect(code).toBe(0);
    const lines = stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.line).sort()).toEqual([1, 3]);
    expect(lines.find((line) => line.line === 3)).toMatchObject({
      ok: true,
      contact: { note: "", custom_fields: { Score: 7 } },
    });
  });

  it("reads a CSV saved with ; between fields, and asks for --delimiter when its header cannot tell", async () => {
    const semicolons = file(
      "semicolons.csv",
      `\uFEFF${CSV.split("\n")
        .map((line) => line.replaceAll(",", ";"))
        .join("\r\n")}`,
    );
    const read = await runCli(["update", "--input", semicolons, "--dry-run"]);
    expect(read.stderr).toContain("4 rows checked, all valid; nothing sent (--dry-run).");
    expect(read.code).toBe(0);
    const unclear = file("unclear.csv", "id;full name\n1;Joe\n");
    const asked = await runCli(["update", "--input", unclear, "--dry-run"]);
    expect(asked.stderr).toContain(`${unclear}:1: the header has no column this command knows`);
    expect(asked.stderr).toContain("pass the file's delimiter with --delimiter");
    expect(asked.code).toBe(2);
    const given = await runCli([
      "update",
      "--input",
      file("tabs.csv", CSV.replaceAll(",", "\t")),
      "--dry-run",
      "--delimiter",
      "tab",
    ]);
    expect(given.stderr).toContain("4 rows checked, all valid");
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
      [
        ["update", "--input", input, "--delimiter", ";;"],
        {},
        '--delimiter must be one character (",", ";") or "tab"',
      ],
      [["update", "--input", input, "--delimiter", "|"], {}, "--delimiter and --separator must differ"],
      [
        ["update", "--input", input, "--base-url", standIn.url],
        { CALLBELL_API_TOKEN: undefined },
        "Set CALLBELL_API_TOKEN",
      ],
      [
        ["update", "--input", input, "--base-url", standIn.url],
        { CALLBELL_API_TOKEN: `${TOKEN} x` },
        "No usable Callbell API token",
      ],
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
  const update = fc
    .oneof(valid(contactUpdate), invalidOfItsType(contactUpdate))
    .filter((value) => !Object.hasOwn(value as object, "uuid"));
  const uuid = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 1, maxLength: 32 }),
    },
    { weight: 1, arbitrary: fc.constantFrom("", "a/b", "x".repeat(129)) },
  );

  it("a dry run reports exactly the rows the spec refuses, by line, and exits 2 iff there is one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ uuid, update }), { minLength: 1, maxLength: 25 }),
        async (rows) => {
          const jsonl = rows
            .map(({ uuid, update }) => JSON.stringify({ uuid, ...(update as object) }))
            .join("\n");
          const input = file("generated.jsonl", jsonl);
          const { code, stderr } = await runCli(["update", "--input", input, "--dry-run"]);
          const expected = rows.flatMap((row, index) =>
            validUuid(row.uuid) && validUpdate(row.update) ? [] : [index + 1],
          );
          const reported = [
            ...new Set(
              stderr
                .split("\n")
                .filter((line) => line.startsWith(`${input}:`))
                .map((line) => Number(line.slice(input.length + 1).split(":")[0])),
            ),
          ];
          expect(reported).toEqual(expected);
          expect(code).toBe(expected.length ? 2 : 0);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  }, 120_000);
});

describe("callbell-contacts: rows of one contact in file order, a refused token, a torn results file", () => {
  beforeAll(() => {
    assertBuildIsFresh();
    folder = mkdtempSync(path.join(tmpdir(), "callbell-contacts-order-"));
  });
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** JSON Lines: row `n` (its line) sets the contact's name to `r<n>`. */
  const jsonl = (contacts: number[]) =>
    contacts.map((contact, at) => JSON.stringify({ uuid: uuidOf(contact), name: `r${at + 1}` })).join("\n");
  const lastNames = (contacts: number[]) =>
    new Map(contacts.map((contact, at) => [uuidOf(contact), `r${at + 1}`]));
  const namesAt = (standIn: StandIn) =>
    new Map([...standIn.contacts()].map(([uuid, contact]) => [uuid, (contact as { name: string }).name]));

  it("applies the rows of one contact in file order, even when its first row is slow", async () => {
    const contacts = Array.from({ length: 3 }, () =>
      Array.from({ length: 10 }, (_, contact) => contact),
    ).flat();
    const standIn = await startRateLimitedStandIn({
      limit: 5_000,
      record: true,
      script: ({ nth }) => ({ delayMs: nth === 1 ? 120 : 5 }),
    });
    try {
      const { code } = await runCli([
        "update",
        "--input",
        file("order.jsonl", jsonl(contacts)),
        "--out",
        file("order-results.jsonl"),
        "--base-url",
        standIn.url,
      ]);
      expect(code).toBe(0);
      expect(standIn.stats().overlaps).toBe(0);
      expect(namesAt(standIn)).toEqual(lastNames(contacts));
    } finally {
      await standIn.close();
    }
  });

  it("--resume sends a recorded row again after an earlier row of its contact that failed, so the contact ends at its last row", async () => {
    // Row 1 (contact 0) fails with a 503 on every try; row 2 (contact 0 again) is sent after it, and succeeds.
    const contacts = [0, 0, 1];
    const input = file("again.jsonl", jsonl(contacts));
    const out = file("again-results.jsonl");
    const failing = await startRateLimitedStandIn({
      limit: 5_000,
      script: ({ body }) => (body.name === "r1" ? { status: 503 } : {}),
    });
    try {
      const first = await runCli(["update", "--input", input, "--out", out, "--base-url", failing.url]);
      expect(first.code).toBe(1);
      expect(
        resultsOf("again-results.jsonl")
          .map(({ line, ok }) => [line, ok])
          .sort(),
      ).toEqual([
        [1, false],
        [2, true],
        [3, true],
      ]);
    } finally {
      await failing.close();
    }
    const fixed = await startRateLimitedStandIn({ limit: 5_000, record: true });
    try {
      const second = await runCli([
        "update",
        "--input",
        input,
        "--out",
        out,
        "--resume",
        "--base-url",
        fixed.url,
      ]);
      expect(second.stderr).toContain(
        "Updated 2, failed 0, 1 already done (--resume), 1 done before but sent again after an earlier row of their contact (--resume)",
      );
      expect(second.code).toBe(0);
      expect(fixed.history().map(({ body }) => body.name)).toEqual(["r1", "r2"]);
      expect(namesAt(fixed).get(uuidOf(0))).toBe("r2");
    } finally {
      await fixed.close();
    }
  });

  for (const status of [401, 403]) {
    it(`stops at a refused token (${status}): exit 3, one line that says so, never the token; the rows not sent are recorded as such`, async () => {
      const standIn = await startRateLimitedStandIn({ limit: 5_000, script: () => ({ status }) });
      try {
        const contacts = Array.from({ length: 300 }, (_, contact) => contact);
        const out = file(`refused-${status}.jsonl`);
        const { code, stderr, stdout } = await runCli([
          "update",
          "--input",
          file("refused.jsonl", jsonl(contacts)),
          "--out",
          out,
          "--base-url",
          standIn.url,
        ]);
        expect(code).toBe(3);
        const lines = stderr.split("\n").filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(
            `^callbell-contacts: Callbell refused the API token \\(${status}: [^)]*\\), so the run stopped: updated 0, failed \\d+, not sent \\d+; results in .*\\. Check CALLBELL_API_TOKEN, then run the same command with --resume\\.$`,
          ),
        );
        expect(stderr + stdout + readFileSync(out, "utf8")).not.toContain(TOKEN);
        const results = resultsOf(`refused-${status}.jsonl`);
        expect(results).toHaveLength(300);
        const sent = results.filter((result) => result.attempts > 0);
        expect(sent.length).toBe(standIn.stats().requests);
        // At the default rate and concurrency, the first refusal comes back long before 300 are sent.
        expect(sent.length).toBeLessThan(150);
        expect(results.filter((result) => result.error?.name === "NotSentError")).toHaveLength(
          300 - sent.length,
        );
      } finally {
        await standIn.close();
      }
    });
  }

  it("--resume sets a torn last line aside, says where, and starts on a new line", async () => {
    const contacts = [0, 1, 2, 3];
    const input = file("torn.jsonl", jsonl(contacts));
    const out = file("torn-results.jsonl");
    const standIn = await startRateLimitedStandIn({ limit: 5_000, record: true });
    try {
      expect((await runCli(["update", "--input", input, "--out", out, "--base-url", standIn.url])).code).toBe(
        0,
      );
      // Row 4's line loses its end, as a write cut short would leave it.
      const text = readFileSync(out, "utf8");
      const row4 = text.split("\n").find((line) => line.startsWith('{"line":4,'))!;
      writeFileSync(out, text.replace(`${row4}\n`, "") + row4.slice(0, 30));
      const resumed = await runCli([
        "update",
        "--input",
        input,
        "--out",
        out,
        "--resume",
        "--base-url",
        standIn.url,
      ]);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain(
        `${out} ended in a line cut short (30 bytes with no newline, from a run that stopped while writing): set it aside in ${out}.torn;`,
      );
      expect(readFileSync(`${out}.torn`, "utf8")).toBe(row4.slice(0, 30));
      expect(resumed.stderr).toContain("Updated 1, failed 0, 3 already done (--resume)");
      const results = resultsOf("torn-results.jsonl");
      expect(results.map(({ line, ok }) => [line, ok]).sort()).toEqual([
        [1, true],
        [2, true],
        [3, true],
        [4, true],
      ]);
      // A second torn file does not overwrite the first one set aside.
      appendFileSync(out, '{"line":');
      const again = await runCli([
        "update",
        "--input",
        input,
        "--out",
        out,
        "--resume",
        "--base-url",
        standIn.url,
      ]);
      expect(again.stderr).toContain(`set it aside in ${out}.torn.2;`);
      expect(readFileSync(`${out}.torn`, "utf8")).toBe(row4.slice(0, 30));
    } finally {
      await standIn.close();
    }
  });
});

describe(`callbell-contacts killed (SIGKILL) part way, then --resume (fast-check seed ${SEED}, ${KILL_RUNS} runs; FC_KILL_RUNS overrides)`, () => {
  beforeAll(() => {
    assertBuildIsFresh();
    folder = mkdtempSync(path.join(tmpdir(), "callbell-contacts-kill-"));
  });
  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const reached = { killedPartWay: 0, killedBeforeAny: 0, torn: 0, repeatedContacts: 0 };

  it("every row ends recorded exactly once as updated, and each contact at its last row", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 8, maxLength: 60 }),
        // Unbiased: fast-check's small-value bias would kill nearly every run before its first result.
        fc.noBias(fc.integer({ min: 0, max: 100 })),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
        async (contacts, killAt, tearBytes) => {
          run++;
          const input = file(
            `kill-${run}.jsonl`,
            contacts
              .map((contact, at) => JSON.stringify({ uuid: uuidOf(contact), name: `r${at + 1}` }))
              .join("\n"),
          );
          const out = file(`kill-${run}-results.jsonl`);
          const standIn = await startRateLimitedStandIn({
            limit: 5_000,
            record: true,
            script: () => ({ delayMs: 2 }),
          });
          try {
            // Killed once the results file holds `killAt` % of the rows' lines (polled every 2 ms), or at once.
            const killAfterLines = Math.floor((killAt / 100) * contacts.length);
            const child = spawn(
              process.execPath,
              [CLI, "update", "--input", input, "--out", out, "--rate", "150", "--base-url", standIn.url],
              {
                cwd: folder,
                env: { PATH: process.env.PATH, CALLBELL_API_TOKEN: TOKEN },
                stdio: "ignore",
              },
            );
            const exited = new Promise((resolve) => child.on("exit", resolve));
            for (let stop = false; !stop;) {
              const lines = existsSync(out) ? readFileSync(out, "utf8").split("\n").length - 1 : 0;
              if (lines >= killAfterLines) break;
              stop = await Promise.race([
                exited.then(() => true),
                new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2)),
              ]);
            }
            child.kill("SIGKILL");
            await exited;
            const recorded = existsSync(out) ? readFileSync(out, "utf8").split("\n").length - 1 : 0;
            if (recorded === 0) reached.killedBeforeAny++;
            else if (recorded < contacts.length) reached.killedPartWay++;
            // A write cut short: the last line loses its end.
            let torn = false;
            if (tearBytes !== undefined && existsSync(out) && statSync(out).size > 0) {
              const text = readFileSync(out, "utf8");
              const lastLine = text.slice(text.lastIndexOf("\n", text.length - 2) + 1);
              if (lastLine.length > tearBytes) {
                truncateSync(out, statSync(out).size - tearBytes);
                torn = true;
                reached.torn++;
              }
            }
            if (new Set(contacts).size < contacts.length) reached.repeatedContacts++;

            const resumed = await runCli([
              "update",
              "--input",
              input,
              "--out",
              out,
              "--resume",
              "--rate",
              "1000",
              "--base-url",
              standIn.url,
            ]);
            expect(resumed.code, resumed.stderr).toBe(0);
            if (torn) expect(resumed.stderr).toContain("ended in a line cut short");
            const results = resultsOf(`kill-${run}-results.jsonl`);
            const updated = results
              .filter((result) => result.ok)
              .map((result) => result.line)
              .sort((a, b) => a - b);
            expect(updated).toEqual(contacts.map((_, at) => at + 1));
            expect(standIn.stats().overlaps).toBe(0);
            expect(namesAt(standIn)).toEqual(lastNames(contacts));
          } finally {
            await standIn.close();
          }
        },
      ),
      { seed: SEED, numRuns: KILL_RUNS },
    );
    console.log(`kill property reached: ${JSON.stringify(reached)}`);
    for (const [category, runs] of Object.entries(reached)) expect(runs, category).toBeGreaterThan(0);
  }, 240_000);

  /** JSON Lines rows, results, names: as in the describe above. */
  const namesAt = (standIn: StandIn) =>
    new Map([...standIn.contacts()].map(([uuid, contact]) => [uuid, (contact as { name: string }).name]));
  const lastNames = (contacts: number[]) =>
    new Map(contacts.map((contact, at) => [uuidOf(contact), `r${at + 1}`]));
});
