// `npm run docs`: the docs site, one self-contained page that Redoc 2 renders from
// generated/openapi-with-samples.json, plus the contract and the Postman collection to download; why Redoc 2: docs/docs-site.md.
// Usage: node scripts/site/build-site.mjs [outDir]   (outDir defaults to site/)
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { withGuide } from "./guide.mjs";
import { postmanFiles } from "../spec/postman-collection.mjs";
import { root } from "../lib/run-tool.mjs";

export const siteDir = path.join(root, "site");
const generatedDir = path.join(root, "generated");

const require = createRequire(import.meta.url);
const redocPackage = require.resolve("redoc/package.json");
const redocVersion = JSON.parse(readFileSync(redocPackage, "utf8")).version;
// Prism's Rust grammar, from the prismjs that Redoc depends on; it registers itself on the Prism
// that Redoc's bundle puts on window.
const prismRust = createRequire(redocPackage).resolve("prismjs/components/prism-rust.min.js");

// Redoc 2 draws Redocly's logo from its CDN next to "API docs by Redocly" and has no option to
// turn it off; the page shows a blank image of the same kind instead (the link stays).
const REDOCLY_LOGO = 'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"';
// Redoc's search (lunr 2.3.9, in its worker) looks each term of a wildcard query up in the index, and
// for some vocabularies lunr's token set yields a term the index does not hold: the search then throws
// "Cannot read properties of undefined (reading '_index')" and shows nothing (olivernn/lunr.js#314; our
// docs page's "contact" did, once the Rust recipes were on it). Skip such a term: it matches no document.
const LUNR_TERM_LOOKUP = "x=this.invertedIndex[g],v=x._index;";
const LUNR_TERM_LOOKUP_SAFE = "x=this.invertedIndex[g];if(!x)continue;var v=x._index;";
const BLANK_LOGO = `src:"data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')}"`;

/** Redoc's options: https://redocly.com/docs/redoc/config (the 2.x list). */
const redocOptions = {
  // The download links point at the contract next to the page, not at this docs-only copy.
  downloadUrls: [
    { title: "openapi.yaml", url: "openapi.yaml" },
    { title: "openapi.json", url: "openapi.json" },
    { title: "openapi-3.0.json", url: "openapi-3.0.json" },
  ],
  expandResponses: "200",
  jsonSampleExpandLevel: "all",
  // The page's own guide sections carry # headings: show them in the sidebar as entries.
  sortTagsAlphabetically: false,
  showObjectSchemaExamples: true,
  theme: {
    // A wider sample panel: Redoc's 40 % leaves 352 px at 1440 px; at half the page, 13 px code shows ~75 columns before wrapping.
    rightPanel: { width: "50%" },
    // Redoc draws "Array of" in the type names' grey at 90 % opacity: 4.41:1 on a nested schema's
    // #fafafa with its default grey, 5.5:1 with this one.
    schema: { typeNameColor: "#555555" },
    typography: {
      // System fonts: the page loads no web fonts.
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
      headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
      code: { fontSize: "13px", fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace' },
    },
  },
};

/**
 * Redoc 2's theme is a JavaScript object fixed at Redoc.init, so the system's colour scheme picks
 * one of two option sets before the first render and Redoc is drawn again (same spec, same element)
 * when the setting changes. The page's own background and Redoc's few fixed colours follow the
 * same media query in docs-page.css.
 */
export const darkTheme = {
  colors: {
    primary: { main: "#8ab4f8", contrastText: "#0d1117" },
    success: { main: "#7ee787" },
    warning: { main: "#f0b45b" },
    error: { main: "#ff8a80" },
    gray: { 50: "#1c2128", 100: "#262c36" },
    border: { light: "#30363d", dark: "rgba(255, 255, 255, 0.18)" },
    text: { primary: "#e6edf3", secondary: "#b1bac4" },
    responses: {
      success: { color: "#7ee787", backgroundColor: "rgba(126, 231, 135, 0.1)", tabTextColor: "#7ee787" },
      error: { color: "#ff8a80", backgroundColor: "rgba(255, 138, 128, 0.1)", tabTextColor: "#ff8a80" },
      redirect: { color: "#f0b45b", backgroundColor: "rgba(240, 180, 91, 0.1)", tabTextColor: "#f0b45b" },
      info: { color: "#8ab4f8", backgroundColor: "rgba(138, 180, 248, 0.1)", tabTextColor: "#8ab4f8" },
    },
  },
  schema: {
    linesColor: "#6e7b8b",
    typeNameColor: "#b1bac4",
    typeTitleColor: "#b1bac4",
    requireLabelColor: "#ff8a80",
    nestedBackground: "#1c2128",
    arrow: { color: "#b1bac4" },
  },
  typography: {
    code: { color: "#ffb4a8", backgroundColor: "rgba(255, 255, 255, 0.08)" },
    links: { color: "#8ab4f8", visited: "#c9a8fa", hover: "#b3cdfb" },
  },
  sidebar: { backgroundColor: "#1c2128", textColor: "#e6edf3", activeTextColor: "#8ab4f8", arrow: { color: "#e6edf3" } },
  rightPanel: {
    backgroundColor: "#0d1117",
    textColor: "#f0f3f6",
    servers: { overlay: { backgroundColor: "#1c2128", textColor: "#e6edf3" }, url: { backgroundColor: "#0d1117" } },
  },
  codeBlock: { backgroundColor: "#05080b" },
  fab: { backgroundColor: "#262c36", color: "#8ab4f8" },
};

/** A deep merge of plain objects: the dark theme on top of the page's own theme. */
function merged(base, over) {
  const out = { ...base };
  for (const [key, value] of Object.entries(over))
    out[key] = value && typeof value === "object" && base[key] && typeof base[key] === "object" ? merged(base[key], value) : value;
  return out;
}

/** The script that starts Redoc with the light or the dark options, and again when the system setting changes. */
function redocInit() {
  const options = { light: redocOptions, dark: { ...redocOptions, theme: merged(redocOptions.theme, darkTheme) } };
  return `(function () {
  var options = ${JSON.stringify(options)};
  var spec = JSON.parse(document.getElementById("spec").textContent);
  var dark = window.matchMedia("(prefers-color-scheme: dark)");
  function draw(done) { Redoc.init(spec, dark.matches ? options.dark : options.light, document.getElementById("redoc"), done); }
  // Redoc draws the page again from the top (and its last hash): the reader's place is put back.
  dark.addEventListener("change", function () {
    var x = window.scrollX, y = window.scrollY;
    draw(function () { setTimeout(function () { window.scrollTo(x, y); }, 0); });
  });
  draw();
})();`;
}

/** Builds the site into outDir and returns the paths it wrote. */
export function buildDocs(outDir = siteDir) {
  const specFile = path.join(generatedDir, "openapi-with-samples.json");
  if (!existsSync(specFile)) throw new Error(`${path.relative(root, specFile)} is missing: run \`npm run generate\` first.`);
  const spec = withGuide(JSON.parse(readFileSync(specFile, "utf8")), readFileSync(path.join(root, "CHANGELOG.md"), "utf8"));

  const standalone = readFileSync(path.join(path.dirname(redocPackage), "bundles", "redoc.standalone.js"), "utf8");
  const logoCount = standalone.split(REDOCLY_LOGO).length - 1;
  if (logoCount !== 1)
    throw new Error(`Expected Redocly's logo URL once in redoc ${redocVersion}'s standalone bundle, found it ${logoCount} times; update REDOCLY_LOGO in scripts/site/build-site.mjs for this Redoc version.`);
  const lookupCount = standalone.split(LUNR_TERM_LOOKUP).length - 1;
  if (lookupCount !== 1)
    throw new Error(`Expected lunr's term lookup once in redoc ${redocVersion}'s standalone bundle, found it ${lookupCount} times; update LUNR_TERM_LOOKUP in scripts/site/build-site.mjs for this Redoc version.`);
  // `</script` could end the element early; `<\/script` means the same to JavaScript.
  const scripts = [
    standalone.replace(REDOCLY_LOGO, BLANK_LOGO).replace(LUNR_TERM_LOOKUP, LUNR_TERM_LOOKUP_SAFE),
    // Redoc highlights with a Prism that has no Rust grammar; Prism's own adds it.
    readFileSync(prismRust, "utf8"),
    // Before Redoc.init, so that its observer sees Redoc's first render.
    readFileSync(path.join(root, "scripts", "site", "page-a11y.js"), "utf8"),
    redocInit(),
  ].map((script) => script.replace(/<\/script/gi, "<\\/script"));
  const scriptHashes = scripts.map((script) => `'sha256-${createHash("sha256").update(script).digest("base64")}'`);
  // Only these scripts run; Redoc's styles are inline, its search runs in a blob: worker; nothing
  // else (no fetch, font, frame or remote image) is allowed.
  const csp = [
    "default-src 'none'",
    `script-src ${scriptHashes.join(" ")}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "worker-src blob:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");

  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="Redoc ${redocVersion} via scripts/site/build-site.mjs">
<title>${escapeHtml(spec.info.title)}</title>
<meta name="description" content="${escapeHtml(spec.info.summary ?? "")}">
<style>${readFileSync(path.join(root, "scripts", "site", "page.css"), "utf8")}</style>
</head>
<body>
<noscript>This page is drawn by Redoc and needs JavaScript. The contract it shows: <a href="openapi.yaml">openapi.yaml</a>, <a href="openapi.json">openapi.json</a> (OpenAPI 3.1), <a href="openapi-3.0.json">openapi-3.0.json</a> (its OpenAPI 3.0 edition).</noscript>
<main id="redoc"></main>
<script type="application/json" id="spec">${inlineJson(spec)}</script>
${scripts.map((script) => `<script>${script}</script>`).join("\n")}
</body>
</html>
`;
  for (const host of ["cdn.redoc.ly", "cdn.redocly.com", "fonts.googleapis.com"])
    if (html.includes(host)) throw new Error(`The docs page still names ${host}; find where in scripts/site/build-site.mjs's inputs and keep it out.`);

  mkdirSync(outDir, { recursive: true });
  const written = [path.join(outDir, "index.html")];
  writeFileSync(written[0], html);
  for (const file of ["openapi.yaml", "openapi.json", "openapi-3.0.json"]) {
    copyFileSync(path.join(generatedDir, file), path.join(outDir, file));
    written.push(path.join(outDir, file));
  }
  // The Postman collection and its environments, which the guide links to.
  mkdirSync(path.join(outDir, "postman"), { recursive: true });
  for (const file of Object.values(postmanFiles)) {
    copyFileSync(path.join(generatedDir, "postman", file), path.join(outDir, "postman", file));
    written.push(path.join(outDir, "postman", file));
  }
  return written;
}

/** JSON safe inside a <script> element: no `</script>`, no `<!--`. */
function inlineJson(value) {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  try {
    for (const file of buildDocs(outDir)) console.log(`wrote ${path.relative(process.cwd(), file)}`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
