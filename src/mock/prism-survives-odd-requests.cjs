// Preloaded into Prism by start-mock.ts: keeps the mock alive on the three odd requests that end
// Prism 5.14.2's process (docs/testing-with-the-mock.md); each fix has a case in test/contract/mock-survives.test.ts.
const http = require("node:http");
const Module = require("node:module");

// 1. Prism puts its validation messages in the `sl-violations` header as raw JSON, and the
//    messages quote property names from the request: a name with a character outside printable
//    ASCII (an emoji, DEL) makes setHeader throw outside any handler (stoplightio/prism#1934 is
//    the same fault for patterns). Escaping such characters as JSON \u sequences keeps the
//    header the same JSON.
const MAX_SAFE_HEADER_LENGTH = 8 * 1024 - 100; // Prism's own bound for this header
const setHeader = http.ServerResponse.prototype.setHeader;
http.ServerResponse.prototype.setHeader = function setHeaderSafely(name, value) {
  if (typeof value === "string" && String(name).toLowerCase() === "sl-violations" && /[^\x20-\x7e]/.test(value)) {
    value = value.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
    if (value.length > MAX_SAFE_HEADER_LENGTH) value = `Too many violations! ${value.slice(0, MAX_SAFE_HEADER_LENGTH)}`;
  }
  return setHeader.call(this, name, value);
};

// 2. Prism decodes path parameters with decodeURIComponent outside any handler, so a %-escape
//    that is not UTF-8 (`/contacts/%FF`, a cut `%E0%A4%A`) throws a URIError that ends the
//    process. Such a path names no resource: answer 400 before Prism sees it.
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function emitUnlessPathIsMalformed(event, request, response) {
  if (event === "request" && !decodesAsUtf8(String(request.url).split("?")[0])) {
    response.writeHead(400, { "Content-Type": "application/problem+json" });
    response.end(JSON.stringify({ type: "https://stoplight.io/prism/errors#INVALID_PATH", title: "Malformed path", status: 400, detail: "The path has a %-escape that is not UTF-8." }));
    return true;
  }
  return emit.apply(this, arguments);
};

function decodesAsUtf8(path) {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

// 3. When no response content matches `Accept`, Prism's negotiator retries with each media range
//    parsed by content-type, which throws on a range that is not `type/subtype` (`*`, `json`,
//    `application`, an empty one from `,`), outside any handler. Hand that one caller a parse
//    that reads such a range as one without parameters, which the retry skips: Prism then
//    answers its own 406, as for any Accept it cannot meet.
const originalRequire = Module.prototype.require;
let lenientContentType;
Module.prototype.require = function requireWithLenientNegotiator(id) {
  const exported = originalRequire.apply(this, arguments);
  if (id !== "content-type" || !/negotiator[\\/]InternalHelpers\.js$/.test(this.filename ?? "")) return exported;
  lenientContentType ??= {
    ...exported,
    parse(header) {
      try {
        return exported.parse(header);
      } catch {
        return { type: String(header), parameters: {} };
      }
    },
  };
  return lenientContentType;
};
