// Masks the API token in what the client shows (messages, status lines, error bodies, headers), also
// where a server echoes it JSON-escaped; a successful answer's data is never passed through here.

export type Redact = (text: string) => string;

const KEEP: Redact = (text) => text;

/** A function that masks `token` in a text; linear in the text (two passes, no backtracking). */
export function redactor(token: string | undefined): Redact {
  return token ? (text) => text.replace(/\\(?:[\\/]|u([\da-fA-F]{4}))/g, unescapeTokenChar).replaceAll(token, "[redacted]") : KEEP;
}

// `\\` is matched so that its second backslash never starts an escape; it is kept, as is any
// escape of a character no token holds (a quote, a control character).
function unescapeTokenChar(escape: string, hex?: string): string {
  const char = hex ? String.fromCharCode(parseInt(hex, 16)) : escape[1]!;
  return /[\w\-.~+/=]/.test(char) ? char : escape;
}

/** The same headers, with the token masked in every value. */
export function redactHeaders(headers: Headers, redact: Redact): Headers {
  return redact === KEEP ? headers : new Headers(Array.from(headers, ([name, value]) => [name, redact(value)]));
}
