// The recipes of the generator matrix as the docs show them: one recipe per language (install line,
// the commands a user types, which description to feed, caveats) and the matrix table (language ×
// generator: generates, compiles, calls the mock, typed Contact, typed error). Rendered from the
// cells of test/generators/<language>/recipe.mjs, the same cells test/generators/matrix.test.ts runs
// and holds to the status each declares (expectedStages), so the table says what the test proves.
// The docs page renders it (scripts/site/guide.mjs); docs/regenerating.md carries it between
// markers, rewritten by `node scripts/generators/recipes.mjs --write` and checked by
// test/unit/generator-recipes.test.ts.
// Usage: node scripts/generators/recipes.mjs [--write | --check]
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "../lib/run-tool.mjs";
import { loadCells, shown } from "./matrix.mjs";

/** The stages in the order a cell runs them. */
export const STAGES = ["generate", "compile", "call"];

/**
 * The stages a cell declares it reaches: every stage passes, except a parse-only cell's call (not
 * run) and a declared known failure (that stage fails, the later ones are not run).
 * @param {import("./matrix.mjs").Cell} cell
 * @returns {Record<"generate" | "compile" | "call", "pass" | "fail" | "not run">}
 */
export function expectedStages(cell) {
  const stages = {};
  let failed = false;
  for (const stage of STAGES) {
    if (failed || (cell.parseOnly && stage === "call")) stages[stage] = "not run";
    else if (cell.knownFailure?.stage === stage) {
      stages[stage] = "fail";
      failed = true;
    } else stages[stage] = "pass";
  }
  return stages;
}

/** The TypeScript generators test/package/generators.test.ts runs, with the versions its package.json pins. */
export function typescriptGenerators() {
  const pinned = JSON.parse(
    readFileSync(path.join(root, "test", "package", "generators", "package.json"), "utf8"),
  ).dependencies;
  return [
    ["openapi-typescript", "openapi-typescript", "types, called with openapi-fetch"],
    ["@hey-api/openapi-ts", "@hey-api/openapi-ts", "client-fetch, sdk and zod plugins"],
    ["orval", "orval", "fetch client and zod"],
    ["Kubb", "@kubb/cli", "plugin-ts, plugin-zod, plugin-client"],
    ["openapi-zod-client", "openapi-zod-client", "a Zodios (axios) client"],
    [
      "typed-openapi",
      "typed-openapi",
      "its client and zod schemas; its zod client is loaded, not type-checked",
    ],
  ].map(([name, pkg, what]) => ({ name, version: pinned[pkg], what }));
}

const descriptionFile = (cell) => (cell.description === "3.0" ? "openapi-3.0.json" : "openapi.json");

/** One table cell per column for a cell of the matrix, from the status it declares. */
function row(cell) {
  const stages = expectedStages(cell);
  const issue = cell.knownFailure ? ` ([upstream](${cell.knownFailure.issue}))` : "";
  const mark = (stage) =>
    stages[stage] === "pass" ? "yes" : stages[stage] === "fail" ? `**no**${issue}` : "not run";
  const compiles = cell.parseOnly
    ? stages.compile === "pass"
      ? "parsed only"
      : mark("compile")
    : mark("compile");
  const called = stages.call === "pass";
  return [
    cell.language,
    `${cell.generator} ${cell.version} (${cell.description})`,
    mark("generate"),
    compiles,
    cell.parseOnly ? "not run (no .NET SDK)" : mark("call"),
    called ? `\`${cell.contactType}\`` : "not run",
    called ? `\`${cell.errorType}\`` : "not run",
  ];
}

/** The matrix table: every cell of every recipe, then the TypeScript generators. */
export function matrixTable(cells) {
  const rows = [
    ...cells.map(row),
    ...typescriptGenerators().map(({ name, version }) => [
      "TypeScript",
      `${name} ${version} (3.1)`,
      "yes",
      name === "typed-openapi" ? "yes (types; its zod client is only loaded)" : "yes",
      "yes",
      "yes",
      "yes",
    ]),
  ];
  return [
    "| language | generator (description fed) | generates | compiles | calls the mock | typed Contact | typed error |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((cells) => `| ${cells.map((text) => text.replace(/\|/g, "\\|")).join(" | ")} |`),
  ].join("\n");
}

/** One language's recipe: for each of its cells the install line, the commands and the caveats. */
function recipe(cell) {
  const commands = cell.steps.filter((step) => step.docs !== false).map((step) => shown(cell, step));
  const lines = [
    `**${cell.generator} ${cell.version}**, fed \`${descriptionFile(cell)}\` ` +
      `(OpenAPI ${cell.description === "3.0" ? "3.0 edition" : "3.1"}):`,
    "",
    "```sh",
    cell.install,
    ...commands,
    "```",
  ];
  if (cell.caveats.length) lines.push("", ...cell.caveats.map((caveat) => `- ${caveat}`));
  return lines.join("\n");
}

/**
 * The recipes by language, each under a heading of the given level (`##` on the docs page, `###`
 * in docs/regenerating.md), in the cells' order.
 */
export function recipesMarkdown(cells, level = 2) {
  const languages = [...new Set(cells.map((cell) => cell.language))];
  return languages
    .map((language) =>
      [
        `${"#".repeat(level)} ${language}`,
        ...cells.filter((cell) => cell.language === language).map(recipe),
      ].join("\n\n"),
    )
    .join("\n\n");
}

/** What the docs say of the matrix, before the table and the recipes. */
export function matrixIntro() {
  return `Each recipe below is what \`npm run test:generators\` runs, with this machine's paths for
the files (\`test/generators/<language>/recipe.mjs\`): it generates a client from the description named,
fails on any warning not listed with why it is harmless, compiles or type-checks it strictly with a
small program in that language, and that program calls this contract's Prism mock three times: both
envelopes of the success (an object, and Callbell's array of one) must decode into the generator's
own typed Contact, and a \`Prefer: code=422\` answer must come back as the generator's error with
status 422. The table shows the status each recipe declares, which the test holds it to; the
TypeScript generators are checked by \`test/package/generators.test.ts\`.`;
}

const START = "<!-- generator-recipes:start (node scripts/generators/recipes.mjs --write) -->";
const END = "<!-- generator-recipes:end -->";
export const regeneratingDoc = path.join(root, "docs", "regenerating.md");

/** docs/regenerating.md's generated part: the table and the recipes, kept out of Prettier's way. */
export function regeneratingSection(cells) {
  return [
    START,
    "<!-- prettier-ignore-start -->",
    matrixIntro(),
    "",
    matrixTable(cells),
    "",
    recipesMarkdown(cells, 3),
    "<!-- prettier-ignore-end -->",
    END,
  ].join("\n");
}

/** The file with its generated part replaced by what the recipes render now. */
export function withRegeneratingSection(text, cells) {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start)
    throw new Error(
      `docs/regenerating.md has no generated part: put the lines\n${START}\n${END}\nwhere it goes.`,
    );
  return text.slice(0, start) + regeneratingSection(cells) + text.slice(end + END.length);
}

async function main() {
  const cells = await loadCells();
  const current = readFileSync(regeneratingDoc, "utf8");
  const wanted = withRegeneratingSection(current, cells);
  if (process.argv.includes("--write")) {
    if (wanted !== current) writeFileSync(regeneratingDoc, wanted);
    console.log(
      `docs/regenerating.md: ${wanted === current ? "up to date" : "rewritten"} (${cells.length} cells).`,
    );
  } else if (process.argv.includes("--check")) {
    if (wanted !== current) {
      console.error(
        "docs/regenerating.md's recipes differ from test/generators/*/recipe.mjs: " +
          "run `node scripts/generators/recipes.mjs --write`.",
      );
      process.exit(1);
    }
    console.log("docs/regenerating.md's recipes are up to date.");
  } else process.stdout.write(`${regeneratingSection(cells)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
