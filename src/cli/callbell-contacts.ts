#!/usr/bin/env node
// callbell-contacts: bulk contact updates from a CSV or JSON Lines file. Reads the file twice: first
// to check every row before any request, then lazily to send, so a file is never held in memory.
import { createWriteStream, existsSync } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import { updateContacts, DEFAULT_RATE_PER_SECOND, type BulkItem, type BulkResult } from "../bulk/index.js";
import { CallbellInputError, createCallbellClient, type ContactUpdate } from "../client/index.js";
import { DEFAULT_SEPARATOR, formatOf, readContactRows, textLines } from "./contact-rows.js";

const USAGE = `Usage: callbell-contacts update --input contacts.csv|contacts.jsonl [options]

Updates Callbell contacts from a file, at Callbell's rate limit. Every row is checked against
the API's contract first; any problem is reported by line number and nothing is sent.

Options:
  --input FILE       .csv (a header row; uuid, name, tags, custom_fields.<name>, …) or .jsonl
  --dry-run          check every row, send nothing
  --rate N           requests per second, retries included (default ${DEFAULT_RATE_PER_SECOND}; Callbell allows 300)
  --out FILE         write one JSON line per result there (default: standard output)
  --resume           skip the rows that --out already records as updated, and append to it
  --separator S      splits tags and custom_fields.<name>[] cells in CSV (default "${DEFAULT_SEPARATOR}")
  --base-url URL     another server, such as a mock (default https://api.callbell.eu/v1)
  --help             this text

The API token is read from CALLBELL_API_TOKEN and never printed.
Exit codes: 0 every row updated, 1 some rows failed, 2 bad input or usage.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      input: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      rate: { type: "string" },
      out: { type: "string" },
      resume: { type: "boolean", default: false },
      separator: { type: "string", default: DEFAULT_SEPARATOR },
      "base-url": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "update") throw new UsageError("The command is `update`.");
  const input = values.input;
  if (!input) throw new UsageError("--input is required.");
  if (!formatOf(input)) throw new UsageError(`--input must end in .csv or .jsonl: ${input}`);
  if (!existsSync(input)) throw new UsageError(`No such file: ${input}`);
  const rate = values.rate === undefined ? DEFAULT_RATE_PER_SECOND : Number(values.rate);
  if (!(rate > 0 && Number.isFinite(rate))) throw new UsageError(`--rate must be a number above 0, not ${values.rate}.`);
  if (values.resume && !values.out) throw new UsageError("--resume needs --out, the results file of the earlier run.");
  if (values.separator === "") throw new UsageError("--separator must not be empty.");

  // Pass 1: every row checked, every problem reported, before anything is sent.
  let rows = 0;
  let problems = 0;
  for await (const row of readContactRows(input, values.separator)) {
    rows++;
    for (const problem of row.problems) {
      problems++;
      process.stderr.write(`${input}:${row.line}: ${problem}\n`);
    }
  }
  if (problems > 0) {
    process.stderr.write(`${problems} problem${problems === 1 ? "" : "s"} in ${input}; nothing was sent.\n`);
    return 2;
  }
  if (values["dry-run"]) {
    process.stderr.write(`${rows} row${rows === 1 ? "" : "s"} checked, all valid; nothing sent (--dry-run).\n`);
    return 0;
  }
  const token = process.env.CALLBELL_API_TOKEN;
  if (!token) throw new UsageError("Set CALLBELL_API_TOKEN to your Callbell API token.");

  const done = values.resume && values.out && existsSync(values.out) ? await updatedRows(values.out) : new Set<string>();
  const out = values.out ? createWriteStream(values.out, { flags: values.resume ? "a" : "w" }) : process.stdout;
  const callbell = createCallbellClient({ token, ...(values["base-url"] ? { baseUrl: values["base-url"] } : {}) });

  // Pass 2: the rows not done yet, read again lazily; `lines` maps a batch index to its line while it is in flight.
  const lines = new Map<number, number>();
  let skipped = 0;
  async function* items(): AsyncGenerator<BulkItem> {
    let index = 0;
    for await (const row of readContactRows(input!, values.separator)) {
      if (done.has(rowKey(row.line, row.uuid))) {
        skipped++;
        continue;
      }
      lines.set(index++, row.line);
      yield { uuid: row.uuid, update: row.update as ContactUpdate };
    }
  }

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\nStopping: settling the requests in flight; the rest are reported as not sent (Ctrl-C again to quit now).\n");
    controller.abort(new Error("interrupted (SIGINT)"));
  };
  process.on("SIGINT", onSignal);
  const bar = new SingleBar({
    stream: process.stderr,
    format: "{bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | failed {failed}",
    etaBuffer: 200,
    hideCursor: true,
  });
  const started = performance.now();
  bar.start(rows - done.size, 0, { rate: "0", failed: 0 });
  let updated = 0;
  let failed = 0;
  let notSent = 0;
  try {
    for await (const result of updateContacts(callbell, items(), {
      ratePerSecond: rate,
      signal: controller.signal,
      onProgress: (progress) => {
        const perSecond = progress.done / ((performance.now() - started) / 1_000);
        bar.update(progress.done, { rate: perSecond.toFixed(0), failed: progress.failed });
      },
    })) {
      const line = lines.get(result.index)!;
      lines.delete(result.index);
      if (result.ok) updated++;
      else if (result.attempts === 0) notSent++, failed++;
      else failed++;
      if (!out.write(`${JSON.stringify(resultLine(line, result))}\n`)) await once(out, "drain");
    }
  } finally {
    bar.stop();
    process.off("SIGINT", onSignal);
    if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
  }
  const where = values.out ? `; results in ${values.out}` : "";
  const resumed = skipped ? `, ${skipped} already done (--resume)` : "";
  process.stderr.write(`Updated ${updated}, failed ${failed}${notSent ? ` (${notSent} not sent)` : ""}${resumed}${where}.\n`);
  return failed > 0 ? 1 : 0;
}

function rowKey(line: number, uuid: string): string {
  return `${line}\t${uuid}`;
}

function resultLine(line: number, result: BulkResult): Record<string, unknown> {
  const { uuid, attempts } = result;
  if (result.ok) return { line, uuid, ok: true, attempts, contact: result.contact };
  const { name, message, status } = result.error as Error & { status?: number };
  return { line, uuid, ok: false, attempts, error: { name, message, ...(status === undefined ? {} : { status }) } };
}

/** The rows an earlier run's results file records as updated; a line that is not a result is skipped. */
async function updatedRows(file: string): Promise<Set<string>> {
  const done = new Set<string>();
  for await (const text of textLines(file)) {
    try {
      const { line, uuid, ok } = JSON.parse(text) as { line?: unknown; uuid?: unknown; ok?: unknown };
      if (ok === true && typeof line === "number" && typeof uuid === "string") done.add(rowKey(line, uuid));
    } catch {
      // a line cut short by an interrupted run: that row is sent again
    }
  }
  return done;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A malformed token is refused by the client before anything is sent: bad input too.
    if (error instanceof UsageError || error instanceof CallbellInputError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`callbell-contacts: ${(error as Error).message ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
