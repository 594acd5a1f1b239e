// Rows of a CSV or JSON Lines file as contact updates, read lazily, each with its line number, for
// the `callbell-contacts` command; the columns and their meaning are in docs/bulk-and-cli.md.
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { validateContactUpdate, validateContactUuid, type SchemaProblem } from "../../generated/contact-validators.js";

export const DEFAULT_SEPARATOR = "|";

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

/** The file's rows in order, each checked against the spec's ContactUuid and ContactUpdate. */
export async function* readContactRows(file: string, separator = DEFAULT_SEPARATOR): AsyncGenerator<ContactRow> {
  const rows = formatOf(file) === "csv" ? csvRows(file, separator) : jsonLinesRows(file);
  for await (const row of rows) {
    if (row.problems.length === 0) row.problems.push(...checkRow(row));
    yield row;
  }
}

function checkRow({ uuid, update }: ContactRow): string[] {
  const problems: string[] = [];
  if (!validateContactUuid(uuid)) problems.push(describe(validateContactUuid.errors, `uuid ${JSON.stringify(uuid) ?? "(missing)"}`));
  if (!validateContactUpdate(update)) problems.push(describe(validateContactUpdate.errors, "update"));
  return problems;
}

function describe(problems: SchemaProblem[] | null | undefined, what: string): string {
  return (problems ?? [])
    .map((problem) => {
      if (what === "update" && !problem.instancePath && problem.keyword === "minProperties") return "the row has no field to update";
      const where = problem.instancePath ? problem.instancePath.slice(1).replaceAll("/", ".") : what === "update" ? "the row" : what;
      const extra = problem.keyword === "additionalProperties" ? ` (${String(problem.params.additionalProperty)})` : "";
      return `${where} ${problem.message ?? problem.keyword}${extra}`;
    })
    .join("; ");
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

async function* csvRows(file: string, separator: string): AsyncGenerator<ContactRow> {
  const parser = createReadStream(file).pipe(
    parse({ columns: (header: string[]) => header.map((name) => name.trim()), info: true, skip_empty_lines: true, bom: true }),
  );
  const split = (cell: string) => cell.split(separator).map((value) => value.trim()).filter((value) => value !== "");
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
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
    yield { line: lines ?? 0, uuid: "", update: {}, problems: [`not readable as CSV: ${(error as Error).message}`] };
  }
}
