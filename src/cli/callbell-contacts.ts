#!/usr/bin/env node
// callbell-contacts: bulk contact updates from a CSV or JSON Lines file. Reads the file twice: first
// to check every row before any request, then lazily to send, so a file is never held in memory.
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { SingleBar } from "cli-progress";
import { updateContacts, DEFAULT_RATE_PER_SECOND, type BulkItem, type BulkResult } from "../bulk/index.js";
import {
  AuthenticationError,
  CallbellInputError,
  createCallbellClient,
  PermissionDeniedError,
  type ContactUpdate,
} from "../client/index.js";
import { DEFAULT_SEPARATOR, formatOf, readContactRows, textLines } from "./contact-rows.js";

const USAGE = `Usage: callbell-contacts update --input contacts.csv|contacts.jsonl [options]

Updates Callbell contacts from a file, at Callbell's rate limit. Every row is checked against
the API's contract first; any problem is reported by line number and nothing is sent.
Rows of one contact are sent one at a time, in file order.

Options:
  --input FILE       .csv (a header row; uuid, name, tags, custom_fields.<name>, …) or .jsonl
  --dry-run          check every row, send nothing
  --rate N           requests per second, retries included (default ${DEFAULT_RATE_PER_SECOND}; Callbell allows 300)
  --out FILE         write one JSON line per result there (default: standard output)
  --resume           skip the rows that --out already records as updated, and append to it
                     (a recorded row is sent again after an earlier row of its contact that is
                     sent, so that the contact's rows still apply in file order)
  --separator S      splits tags and custom_fields.<name>[] cells in CSV (default "${DEFAULT_SEPARATOR}")
  --delimiter D      what separates a CSV's fields: "," ";" or "tab" (default: read from the header)
  --base-url URL     another server, such as a mock (default https://api.callbell.eu/v1)
  --help             this text

The API token is read from CALLBELL_API_TOKEN and never printed.
Exit codes: 0 every row updated, 1 some rows failed, 2 bad input or usage,
3 Callbell refused the token (401 or 403): the run stopped at once.`;

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
      delimiter: { type: "string" },
      "base-url": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "update")
    throw new UsageError("The command is `update`.");
  const input = values.input;
  if (!input) throw new UsageError("--input is required.");
  if (!formatOf(input)) throw new UsageError(`--input must end in .csv or .jsonl: ${input}`);
  if (!existsSync(input)) throw new UsageError(`No such file: ${input}`);
  const rate = values.rate === undefined ? DEFAULT_RATE_PER_SECOND : Number(values.rate);
  if (!(rate > 0 && Number.isFinite(rate)))
    throw new UsageError(`--rate must be a number above 0, not ${values.rate}.`);
  if (values.resume && !values.out)
    throw new UsageError("--resume needs --out, the results file of the earlier run.");
  if (values.separator === "") throw new UsageError("--separator must not be empty.");
  const delimiter = values.delimiter === "tab" ? "\t" : values.delimiter;
  if (delimiter !== undefined && [...delimiter].length !== 1)
    throw new UsageError(
      `--delimiter must be one character (",", ";") or "tab", not ${JSON.stringify(values.delimiter)}.`,
    );
  if (delimiter !== undefined && delimiter === values.separator)
    throw new UsageError(`--delimiter and --separator must differ: both are ${JSON.stringify(delimiter)}.`);

  // With --resume, what the earlier run's results file records as updated.
  const earlier =
    values.resume && values.out && existsSync(values.out)
      ? await updatedRows(values.out)
      : { rows: new Set<string>(), uuids: new Set<string>() };

  // Pass 1: every row checked, every problem reported, before anything is sent.
  let rows = 0;
  let problems = 0;
  let toSend = 0;
  const counting = new ResumePlan(earlier);
  for await (const row of readContactRows(input, values.separator, delimiter)) {
    rows++;
    for (const problem of row.problems) {
      problems++;
      process.stderr.write(`${input}:${row.line}: ${problem}\n`);
    }
    if (counting.decide(row.line, row.uuid) !== "skip") toSend++;
  }
  if (problems > 0) {
    process.stderr.write(`${problems} problem${problems === 1 ? "" : "s"} in ${input}; nothing was sent.\n`);
    return 2;
  }
  if (values["dry-run"]) {
    process.stderr.write(
      `${rows} row${rows === 1 ? "" : "s"} checked, all valid; nothing sent (--dry-run).\n`,
    );
    return 0;
  }
  const token = process.env.CALLBELL_API_TOKEN;
  if (!token) throw new UsageError("Set CALLBELL_API_TOKEN to your Callbell API token.");

  if (values.resume && values.out && existsSync(values.out)) {
    const torn = setAsideTornLine(values.out);
    if (torn) process.stderr.write(`${torn}\n`);
  }
  // Each result is written to --out with one write call before the batch is asked for the next
  // result, and the batch sends a contact's next row only then: a crash (kill -9) never leaves a
  // row recorded while an earlier row of its contact, already sent, is not.
  const outFile = values.out ? openSync(values.out, values.resume ? "a" : "w") : undefined;
  const write = async (text: string) => {
    if (outFile === undefined) {
      if (!process.stdout.write(text)) await once(process.stdout, "drain");
      return;
    }
    const bytes = Buffer.from(text);
    for (let offset = 0; offset < bytes.length;) offset += writeSync(outFile, bytes, offset);
  };
  const callbell = createCallbellClient({
    token,
    ...(values["base-url"] ? { baseUrl: values["base-url"] } : {}),
  });

  // Pass 2: the rows to send, read again lazily; `lines` maps a batch index to its line while it is in flight.
  const lines = new Map<number, number>();
  const plan = new ResumePlan(earlier);
  let skipped = 0;
  let again = 0;
  async function* items(): AsyncGenerator<BulkItem> {
    let index = 0;
    for await (const row of readContactRows(input!, values.separator, delimiter)) {
      const decision = plan.decide(row.line, row.uuid);
      if (decision === "skip") {
        skipped++;
        continue;
      }
      if (decision === "again") again++;
      lines.set(index++, row.line);
      yield { uuid: row.uuid, update: row.update as ContactUpdate };
    }
  }

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      "\nStopping: settling the requests in flight; the rest are reported as not sent (Ctrl-C again to quit now).\n",
    );
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
  bar.start(toSend, 0, { rate: "0", failed: 0 });
  let updated = 0;
  let failed = 0;
  let notSent = 0;
  let refusal: (Error & { status?: number }) | undefined;
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
      else if (result.attempts === 0) (notSent++, failed++);
      else failed++;
      if (
        !result.ok &&
        (result.error instanceof AuthenticationError || result.error instanceof PermissionDeniedError)
      )
        refusal ??= result.error;
      await write(`${JSON.stringify(resultLine(line, result))}\n`);
    }
  } finally {
    bar.stop();
    process.off("SIGINT", onSignal);
    if (outFile !== undefined) closeSync(outFile);
  }
  const where = values.out ? `; results in ${values.out}` : "";
  if (refusal) {
    // One line, and never the token: the batch stopped at the first refusal.
    const why =
      refusal.status === 403 ? "403: it may not update contacts" : `${refusal.status ?? 401}: not accepted`;
    const next = values.out ? ", then run the same command with --resume" : "";
    process.stderr.write(
      `callbell-contacts: Callbell refused the API token (${why}), so the run stopped: ` +
        `updated ${updated}, failed ${failed - notSent}, not sent ${notSent}${where}. ` +
        `Check CALLBELL_API_TOKEN${next}.\n`,
    );
    return 3;
  }
  const resumed = skipped ? `, ${skipped} already done (--resume)` : "";
  const sentAgain = again
    ? `, ${again} done before but sent again after an earlier row of their contact (--resume)`
    : "";
  process.stderr.write(
    `Updated ${updated}, failed ${failed}${notSent ? ` (${notSent} not sent)` : ""}${resumed}${sentAgain}${where}.\n`,
  );
  return failed > 0 ? 1 : 0;
}

function rowKey(line: number, uuid: string): string {
  return `${line}\t${uuid}`;
}

function resultLine(line: number, result: BulkResult): Record<string, unknown> {
  const { uuid, attempts } = result;
  if (result.ok) return { line, uuid, ok: true, attempts, contact: result.contact };
  const { name, message, status } = result.error as Error & { status?: number };
  return {
    line,
    uuid,
    ok: false,
    attempts,
    error: { name, message, ...(status === undefined ? {} : { status }) },
  };
}

/**
 * The rows an earlier run's results file records as updated, and their contacts; a line that is not a
 * result is skipped.
 */
async function updatedRows(file: string): Promise<{ rows: Set<string>; uuids: Set<string> }> {
  const rows = new Set<string>();
  const uuids = new Set<string>();
  for await (const text of textLines(file)) {
    try {
      const { line, uuid, ok } = JSON.parse(text) as { line?: unknown; uuid?: unknown; ok?: unknown };
      if (ok === true && typeof line === "number" && typeof uuid === "string")
        (rows.add(rowKey(line, uuid)), uuids.add(uuid));
    } catch {
      // a line cut short by an interrupted run: that row is sent again
    }
  }
  return { rows, uuids };
}

/**
 * Which rows a run sends, decided in file order. Without --resume, all. With it, a row the results
 * file records as updated is skipped ("skip"), unless an earlier row of the same contact is sent
 * in this run: then it is sent again ("again"), after that row, so that the contact's rows still
 * apply in file order (Callbell keeps the last value sent). The other rows are sent ("send").
 */
class ResumePlan {
  readonly #done: { rows: Set<string>; uuids: Set<string> };
  /** Contacts with a row sent in this run and a row recorded as updated. */
  readonly #reopened = new Set<string>();

  constructor(done: { rows: Set<string>; uuids: Set<string> }) {
    this.#done = done;
  }

  decide(line: number, uuid: string): "skip" | "send" | "again" {
    if (!this.#done.rows.has(rowKey(line, uuid))) {
      if (this.#done.uuids.has(uuid)) this.#reopened.add(uuid);
      return "send";
    }
    return this.#reopened.has(uuid) ? "again" : "skip";
  }
}

/**
 * A results file whose last line has no newline (a write cut short by a crash or a full disk)
 * would glue the next result onto that fragment. Moves the fragment to a file beside it
 * (`<file>.torn`, or `.torn.2`, …) and cuts it from the file; returns what it did, as a sentence
 * for the user, or undefined when the file ends in a newline or is empty.
 */
function setAsideTornLine(file: string): string | undefined {
  const fd = openSync(file, "r+");
  try {
    const size = fstatSync(fd).size;
    // Back from the end to the last newline, 64 KiB at a time.
    const chunk = Buffer.alloc(65_536);
    let cut = 0;
    for (let end = size; end > 0;) {
      const from = Math.max(0, end - chunk.length);
      const read = readSync(fd, chunk, 0, end - from, from);
      const at = chunk.subarray(0, read).lastIndexOf(10);
      if (at >= 0) {
        cut = from + at + 1;
        break;
      }
      end = from;
    }
    if (cut === size) return undefined;
    const fragment = Buffer.alloc(size - cut);
    readSync(fd, fragment, 0, fragment.length, cut);
    let aside = `${file}.torn`;
    for (let n = 2; existsSync(aside); n++) aside = `${file}.torn.${n}`;
    writeFileSync(aside, fragment, { flag: "wx" });
    ftruncateSync(fd, cut);
    return (
      `${file} ended in a line cut short (${fragment.length} bytes with no newline, from a run that ` +
      `stopped while writing): set it aside in ${aside}; the results go on from a new line, ` +
      `and the row it was for is sent again.`
    );
  } finally {
    closeSync(fd);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A malformed token is refused by the client before anything is sent: bad input too.
    if (
      error instanceof UsageError ||
      error instanceof CallbellInputError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`callbell-contacts: ${(error as Error).message ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
