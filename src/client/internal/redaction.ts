// Masks the API token in what the client shows (messages, status lines, error bodies, headers), also
// where a server echoes it JSON-escaped; a successful answer's data is never passed through here.

export type Redact = (text: string) => string;

const KEEP: Redact = (text) => text;
const MASK = "[redacted]";

/**
 * A function that masks `token` in a text, also percent-encoded (as a path segment carries it);
 * linear in the text (three passes, no backtracking).
 */
export function redactor(token: string | undefined): Redact {
  return token
    ? (text) =>
        text
          .replace(/\\(?:[\\/]|u([\da-fA-F]{4}))/g, unescapeTokenChar)
          .replaceAll(token, MASK)
          .replaceAll(encodeURIComponent(token), MASK)
    : KEEP;
}

// `\\` is matched so that its second backslash never starts an escape; it is kept, as is any
// escape of a character no token holds (a quote, a control character).
function unescapeTokenChar(escape: string, hex?: string): string {
  const char = hex ? String.fromCharCode(parseInt(hex, 16)) : escape[1]!;
  return /[\w\-.~+/=]/.test(char) ? char : escape;
}

/** The same headers, with the token masked in every value. */
export function redactHeaders(headers: Headers, redact: Redact): Headers {
  // Without a token the copy would hold the same entries, so skipping it only saves work.
  // Stryker disable next-line ConditionalExpression: equivalent (see above)
  return redact === KEEP
    ? headers
    : new Headers(Array.from(headers, ([name, value]) => [name, redact(value)]));
}

/**
 * `text` cut to at most `max` characters, an ellipsis (…) marking the cut, never inside a
 * surrogate pair. Cut what has been masked already: then no part of a token can remain.
 */
export const cut = (text: string, max = 200): string =>
  text.length > max ? `${text.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, "")}…` : text;
