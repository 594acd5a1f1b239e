// Preloaded into Prism by start-mock.ts: keeps the mock alive on the three odd requests that end
// Prism 5.14.2's process (docs/testing-with-the-mock.md); each fix has a case in
// test/contract/mock-survives.test.ts. A fourth adds the `Allow` header Prism leaves out of its 405.
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
  if (
    typeof value === "string" &&
    String(name).toLowerCase() === "sl-violations" &&
    /[^\x20-\x7e]/.test(value)
  ) {
    value = value.replace(
      /[^\x20-\x7e]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    if (value.length > MAX_SAFE_HEADER_LENGTH)
      value = `Too many violations! ${value.slice(0, MAX_SAFE_HEADER_LENGTH)}`;
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
    response.end(
      JSON.stringify({
        type: "https://stoplight.io/prism/errors#INVALID_PATH",
        title: "Malformed path",
        status: 400,
        detail: "The path has a %-escape that is not UTF-8.",
      }),
    );
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
  if (id !== "content-type" || !/negotiator[\\/]InternalHelpers\.js$/.test(this.filename ?? ""))
    return exported;
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

// 4. Not a crash but a wrong answer, found by Schemathesis (its unsupported_method check): Prism
//    answers 405 to a method the path does not have without the `Allow` header that RFC 9110
//    requires with 405. Add it, listing the methods the served spec gives that path. The spec is
//    the argument after `mock` or `proxy`; when it cannot be read as JSON the answer is left alone.
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
let routes;
function allowedMethods(url) {
  if (routes === undefined) {
    routes = [];
    try {
      const at = process.argv.findIndex((arg) => arg === "mock" || arg === "proxy");
      const spec = JSON.parse(require("node:fs").readFileSync(process.argv[at + 1], "utf8"));
      for (const [template, item] of Object.entries(spec.paths ?? {})) {
        const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}/]+\}/g, "[^/]+");
        routes.push({
          pattern: new RegExp(`${pattern}$`),
          methods: METHODS.filter((method) => item?.[method]).map((method) => method.toUpperCase()),
        });
      }
    } catch {
      // a YAML spec, or none: no Allow header
    }
  }
  const pathname = String(url).split("?")[0];
  return routes.find((route) => route.pattern.test(pathname))?.methods;
}
const writeHead = http.ServerResponse.prototype.writeHead;
http.ServerResponse.prototype.writeHead = function writeHeadWithAllow(statusCode) {
  if (statusCode === 405 && this.req && !this.hasHeader("allow")) {
    const methods = allowedMethods(this.req.url);
    if (methods?.length) this.setHeader("Allow", methods.join(", "));
  }
  return writeHead.apply(this, arguments);
};
