// Rows of a CSV or JSON Lines file as contact updates, read lazily, each with its line number, for
// the `callbell-contacts` command; the columns and their meaning are in docs/bulk-and-cli.md.
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { contactUpdateFields } from "../../generated/contact-validators.js";
import { contactProblems } from "../bulk/contact-problems.js";

export const DEFAULT_SEPARATOR = "|";
/** The field delimiters a CSV's header is read with, when none is given. */
export const DELIMITERS = [",", ";", "\t"] as const;

export interface ContactRow {
  /** The file's line number of the row (its last line, for a CSV row with a quoted line break). */
  line: number;
  uuid: string;
  update: Record<string, unknown>;
  /** What is wrong with the row, each a sentence; empty when it can be sent. */
  problems: string[];
}

export function formatOf(file: string): "csv" | "jsonl" | undefined {
  return /\.csv$/i.test(file) ? "csv" : /\.(jsonl|ndjson)$/i.test(file) ? "jsonl" : undefined;
}

/**
 * The file's rows in order, each checked against the spec's ContactUuid and ContactUpdate.
 * `delimiter`: what separates a CSV's fields; read from its header when not given.
 */
export async function* readContactRows(
  file: string,
  separator = DEFAULT_SEPARATOR,
  delimiter?: string,
): AsyncGenerator<ContactRow> {
  const rows = formatOf(file) === "csv" ? csvRows(file, separator, delimiter) : jsonLinesRows(file);
  for await (const row of rows) {
    if (row.problems.length === 0) row.problems.push(...contactProblems(row.uuid, row.update, "the row"));
    yield row;
  }
}

/** A delimiter as a message names it. */
export const delimiterName = (delimiter: string) =>
  delimiter === "\t" ? "a tab" : JSON.stringify(delimiter);

const isColumn = (name: string) =>
  name === "uuid" || contactUpdateFields.includes(name) || CUSTOM_FIELD.test(name);
const columnsOf = (header: string, delimiter: string) =>
  header.split(delimiter).map((name) =>
    name
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .trim(),
  );

/**
 * The delimiter a CSV header is written with: of those it holds, the one that splits it into the
 * most columns this command knows; `,` for a header of one column. A problem, naming
 * `--delimiter`, when no delimiter or more than one fits best.
 */
export function delimiterOf(header: string): { delimiter: string } | { problem: string } {
  const present = DELIMITERS.filter((delimiter) => header.includes(delimiter));
  if (present.length === 0) return { delimiter: "," };
  const known = present.map((delimiter) => columnsOf(header, delimiter).filter(isColumn).length);
  const best = Math.max(...known);
  const winners = present.filter((_, i) => known[i] === best);
  if (best > 0 && winners.length === 1) return { delimiter: winners[0]! };
  const tried = present.map(delimiterName).join(" or ");
  return {
    problem:
      best === 0
        ? `the header has no column this command knows (uuid, ${contactUpdateFields.join(", ")}, ` +
          `custom_fields.<name>) when read with ${tried} between fields; ` +
          "pass the file's delimiter with --delimiter"
        : `the header reads as well with ${winners.map(delimiterName).join(" as with ")} between fields; ` +
          "pass the file's delimiter with --delimiter",
  };
}

/** The file's first line, without a byte order mark. */
async function headerOf(file: string): Promise<string> {
  for await (const line of textLines(file)) return line.replace(/^\uFEFF/, "");
  return "";
}

/**
 * The file's lines, split at "\n" only (a "\r" before it dropped), as JSON Lines defines them.
 * Not node:readline: on Node 24 it also ends a line at U+2028 and U+2029, which JSON.stringify
 * writes unescaped inside strings.
 */
export async function* textLines(file: string): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8" }) as AsyncIterable<string>) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const part of parts) yield part.endsWith("\r") ? part.slice(0, -1) : part;
  }
  if (rest) yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}

async function* jsonLinesRows(file: string): AsyncGenerator<ContactRow> {
  let line = 0;
  for await (const text of textLines(file)) {
    line++;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line, uuid: "", update: {}, problems: [`not JSON (${(error as Error).message})`] };
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      yield { line, uuid: "", update: {}, problems: ["not a JSON object"] };
      continue;
    }
    const { uuid, ...update } = value as Record<string, unknown>;
    yield { line, uuid: uuid as string, update, problems: [] };
  }
}

const CUSTOM_FIELD = /^custom_fields\.(.+?)(\[\])?$/;

async function* csvRows(
  file: string,
  separator: string,
  given: string | undefined,
): AsyncGenerator<ContactRow> {
  const header = await headerOf(file);
  const detected = given === undefined ? delimiterOf(header) : { delimiter: given };
  if ("problem" in detected) {
    yield { line: 1, uuid: "", update: {}, problems: [detected.problem] };
    return;
  }
  const { delimiter } = detected;
  if (header.trim() !== "" && !columnsOf(header, delimiter).includes("uuid")) {
    const hint =
      given === undefined
        ? ""
        : ` (read with ${delimiterName(delimiter)} between fields, as --delimiter says)`;
    yield {
      line: 1,
      uuid: "",
      update: {},
      problems: [`the header has no uuid column${hint}: the first row names the columns, one of them uuid`],
    };
    return;
  }
  const parser = createReadStream(file).pipe(
    parse({
      columns: (names: string[]) => names.map((name) => name.trim()),
      delimiter,
      info: true,
      skip_empty_lines: true,
      bom: true,
    }),
  );
  const split = (cell: string) =>
    cell
      .split(separator)
      .map((value) => value.trim())
      .filter((value) => value !== "");
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const update: Record<string, unknown> = {};
      const problems: string[] = [];
      for (const [column, cell] of Object.entries(record)) {
        if (column === "uuid" || cell === "") continue;
        const custom = CUSTOM_FIELD.exec(column);
        if (custom) {
          const fields = (update.custom_fields ??= {}) as Record<string, unknown>;
          fields[custom[1]!] = custom[2] ? split(cell) : cell;
        } else if (column === "tags") update.tags = split(cell);
        else if (column === "unassign_user") {
          if (cell === "true" || cell === "false") update.unassign_user = cell === "true";
          else problems.push(`unassign_user must be true or false, not ${JSON.stringify(cell)}`);
        } else update[column] = cell;
      }
      yield { line: info.lines, uuid: record.uuid as string, update, problems };
    }
  } catch (error) {
    // csv-parse says where: "Invalid Record Length: … on line 4", "Quote Not Closed: … at line 7".
    const { lines } = error as { lines?: number };
    yield {
      line: lines ?? 0,
      uuid: "",
      update: {},
      problems: [`not readable as CSV: ${(error as Error).message}`],
    };
  }
}
