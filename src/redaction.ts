// The API token must never reach what the client shows: error messages, status lines, error
// bodies (raw or parsed), headers. A server may echo it raw or JSON-escaped (`\/`, `\u002B`), so
// the pattern matches each character in any of those forms. A successful answer's data is never
// passed through here: it is the caller's, and a short token ("t", "Joe") would corrupt it.

export type Redact = (text: string) => string;

const KEEP: Redact = (text) => text;

/** A function that masks `token` in a text; the pattern is built on first use, on an error path. */
export function redactor(token: string | undefined): Redact {
  if (!token) return KEEP;
  let pattern: RegExp | undefined;
  // Linear in the text for a given token: one fixed sequence of alternatives, no nested repeats.
  return (text) => text.replace((pattern ??= new RegExp(Array.from(token, formsOf).join(""), "g")), "[redacted]");
}

// A bearer token's characters are [A-Za-z0-9-._~+/=]; JSON may write any of them as \uXXXX (hex in
// either case), and "/" as "\/".
function formsOf(char: string): string {
  const hex = char.charCodeAt(0).toString(16).padStart(4, "0").replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
  return `(?:${/\w/.test(char) ? char : `\\${char}`}|\\\\u${hex}${char === "/" ? "|\\\\/" : ""})`;
}

/** The same headers, with the token masked in every value (a copy only when one held it). */
export function redactHeaders(headers: Headers, redact: Redact): Headers {
  if (redact === KEEP) return headers;
  const copy = new Headers();
  let changed = false;
  headers.forEach((value, name) => {
    const masked = redact(value);
    changed ||= masked !== value;
    copy.append(name, masked);
  });
  return changed ? copy : headers;
}
