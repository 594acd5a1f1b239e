// Extra request headers, from the client's options and per call, checked before anything is sent.
// `Authorization` is refused rather than ignored: the token comes from `token` alone.
import { CallbellInputError } from "../errors.js";

/** Header name to value; an undefined value sends nothing. */
export type ExtraHeaders = Record<string, string | undefined>;

/** The headers by lower-case name, once each is known to be one fetch can send. */
export function checkHeaders(headers: ExtraHeaders = {}): Record<string, string> {
  // A Headers object or an array would read as no headers at all.
  if (Object.getPrototypeOf(headers ?? 0) != Object.prototype)
    throw new CallbellInputError("headers", "headers must be a plain object.");
  // No prototype: `__proto__` is a header name like any other.
  const checked: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (/^authorization$/i.test(name))
      throw new CallbellInputError("headers", "Pass the token as `token`, not in headers.");
    // The value stays out of the message: it may be a secret of its own.
    try {
      if (typeof value != "string") throw 0;
      new Headers([[name, value]]);
    } catch {
      throw new CallbellInputError(
        "headers",
        `Header "${name}" is not an HTTP header name with a Latin-1 string value.`,
      );
    }
    checked[name.toLowerCase()] = value;
  }
  return checked;
}
