// Every way an error or object gets printed or logged, to check that a secret shows in none of them.
import { inspect } from "node:util";

export function printedForms(value: unknown): string[] {
  const forms = [
    String(value),
    inspect(value, { depth: Infinity, showHidden: true }),
    JSON.stringify(value) ?? "",
  ];
  if (value instanceof Error) forms.push(value.stack ?? "", value.message);
  return forms;
}

/** The printed forms that contain `secret`; expect it to be empty. */
export function leaksOf(value: unknown, secret: string): string[] {
  return printedForms(value).filter((form) => form.includes(secret));
}
