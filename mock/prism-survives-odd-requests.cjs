// Preloaded into Prism by mock.mjs. Two faults in Prism 5.14.2 (and upstream to date) end the
// whole mock process on valid requests that merely look unusual; property tests send such
// requests by design. Both fixes change how Prism reports, never what it validates or answers.
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

// 2. Prism's CLI passes every log line, which is valid JSON and quotes the request body, through
//    jsonrepair (3.15.0), which rewrites some valid JSON: a string in an array that starts with
//    "[" and has no "]" (`["[a"]` becomes `["",["a"]]`). The rewritten line can lose its `name`,
//    and the CLI's printer then throws in a stream handler. Hand valid JSON back untouched.
const originalRequire = Module.prototype.require;
let keepingValidJson;
Module.prototype.require = function requireWithJsonrepairFixed(id) {
  const exported = originalRequire.apply(this, arguments);
  if (id !== "jsonrepair") return exported;
  keepingValidJson ??= {
    ...exported,
    jsonrepair(text) {
      try {
        JSON.parse(text);
        return text;
      } catch {
        return exported.jsonrepair(text);
      }
    },
  };
  return keepingValidJson;
};
