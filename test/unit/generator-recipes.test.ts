// The generator matrix's recipes (test/generators/*/recipe.mjs) in `npm test`: running the cells takes
// minutes and other languages' toolchains, so `npm run test:generators` (and .ci/run) runs them; here,
// in seconds, every recipe is checked well-formed and pinned, the docs (the page and
// docs/regenerating.md) are checked to render from it, and each cell this machine could not run is
// named as a skip (a failure under CI).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCells, openapiGenerator, shown } from "../../scripts/generators/matrix.mjs";
import {
  expectedStages,
  matrixTable,
  regeneratingDoc,
  typescriptGenerators,
  withRegeneratingSection,
} from "../../scripts/generators/recipes.mjs";
import { withGuide } from "../../scripts/site/guide.mjs";
import { requireCellCommands } from "../support/toolchains.js";

const cells = await loadCells();
const STAGES = ["generate", "compile", "call"];
const PLACEHOLDERS = new Set(["spec", "out", "work", "cache", "jar", "here"]);
const ISSUE = /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull)\/\d+$/;
const sentence = (text: unknown) => typeof text === "string" && /^\S.{10,}$/s.test(text);

/** What is wrong with a cell, in sentences (empty when it is well-formed). */
function problems(cell: (typeof cells)[number]): string[] {
  const found: string[] = [];
  const folder = path.basename(cell.here);
  if (!new RegExp(`^${folder}-[a-z0-9]+(-[a-z0-9]+)*$`).test(cell.id))
    found.push(`id ${cell.id} is not "${folder}-<generator>" (lower case, dashes)`);
  for (const key of ["language", "generator", "contactType", "errorType"] as const)
    if (typeof cell[key] !== "string" || !cell[key]) found.push(`${key} is empty`);
  if (!/^v?\d+\.\d+\.\d+$/.test(cell.version)) found.push(`version ${cell.version} is not an exact x.y.z`);
  if (!cell.install?.includes(cell.version.replace(/^v/, "")))
    found.push(`install (${cell.install}) does not name version ${cell.version}`);
  if (/\blatest\b|[@=]\^|[@=]~|\*/.test(cell.install ?? ""))
    found.push(`install (${cell.install}) is not pinned`);
  if (!["3.1", "3.0"].includes(cell.description))
    found.push(`description ${cell.description} is not "3.1" or "3.0"`);
  if (
    !Array.isArray(cell.commands) ||
    !cell.commands.length ||
    !cell.commands.every((c) => /^[\w.+-]+$/.test(c))
  )
    found.push("commands must list the programs the cell needs on PATH");
  if (!(cell.debianPackages ?? []).every((name) => /^[a-z0-9][a-z0-9+.-]+$/.test(name)))
    found.push(`debianPackages ${JSON.stringify(cell.debianPackages)} are not Debian package names`);
  if (cell.setup !== undefined && typeof cell.setup !== "function") found.push("setup is not a function");
  const stages = (cell.steps ?? []).map((step) => STAGES.indexOf(step.stage));
  if (!stages.length || stages.includes(-1) || stages.some((stage, i) => i > 0 && stage < stages[i - 1]!))
    found.push(`steps' stages ${JSON.stringify(cell.steps?.map((step) => step.stage))} are not in order`);
  if (cell.steps?.[0]?.stage !== "generate") found.push("the first step does not generate");
  const has = (stage: string) => cell.steps?.some((step) => step.stage === stage);
  if (cell.parseOnly ? !has("compile") || has("call") : !has("compile") || !has("call"))
    found.push(
      cell.parseOnly ? "a parse-only cell parses (compile) and calls nothing" : "no compile or call step",
    );
  if (
    !cell.steps?.some(
      (step) =>
        step.stage === "generate" &&
        [...step.command, ...Object.values(step.env ?? {})].some((part) => part.includes("{spec}")),
    )
  )
    found.push("no generate step reads {spec}");
  if (!cell.steps?.some((step) => step.docs !== false)) found.push("no step is shown in the docs");
  for (const step of cell.steps ?? []) {
    const texts = [...step.command, ...Object.values(step.env ?? {}), step.cwd ?? ""];
    for (const [, name] of texts.join(" ").matchAll(/\{(\w+)\}/g))
      if (!PLACEHOLDERS.has(name!))
        found.push(`step ${step.command.join(" ")} has an unknown placeholder {${name}}`);
    if (step.command.some((part) => part.includes("{jar}")) && cell.version !== openapiGenerator.version)
      found.push(
        `it runs openapi-generator's jar (${openapiGenerator.version}) but says version ${cell.version}`,
      );
  }
  for (const warning of cell.knownWarnings ?? [])
    if (!(warning.pattern instanceof RegExp) || !sentence(warning.why))
      found.push(`a known warning lacks a pattern or a why: ${String(warning.pattern)}`);
  if (!Array.isArray(cell.caveats) || !cell.caveats.every(sentence)) found.push("caveats are not sentences");
  if (cell.parseOnly && !cell.caveats.some((caveat) => /parsed only/i.test(caveat)))
    found.push("a parse-only cell's caveats do not say it is parsed only");
  if (cell.knownFailure) {
    const { stage, issue, why } = cell.knownFailure;
    if (!STAGES.includes(stage) || !ISSUE.test(issue) || !sentence(why))
      found.push(
        `knownFailure needs a stage, an upstream issue URL and why: ${JSON.stringify(cell.knownFailure)}`,
      );
    if (!cell.caveats.some((caveat) => caveat.includes(issue)))
      found.push(`no caveat links the known failure's issue ${issue} with its workaround`);
  }
  return found;
}

describe("the generator matrix's recipes", () => {
  it("has at least one cell, each id once", () => {
    expect(cells.length).toBeGreaterThan(0);
    expect(new Set(cells.map((cell) => cell.id)).size).toBe(cells.length);
  });

  for (const cell of cells)
    it(`${cell.id} is well-formed and pinned`, () => {
      expect(problems(cell)).toEqual([]);
    });

  it("finds a malformed cell (each fault in turn)", () => {
    const [cell] = cells;
    const faults: Record<string, (copy: any) => void> = {
      "an unpinned version": (copy) => (copy.version = "latest"),
      "an install line without the version": (copy) => (copy.install = "pip install something"),
      "no generate step": (copy) =>
        (copy.steps = copy.steps.filter((step: any) => step.stage !== "generate")),
      "an unknown placeholder": (copy) => (copy.steps[0].command = [...copy.steps[0].command, "{nowhere}"]),
      "a warning without why": (copy) => (copy.knownWarnings = [{ pattern: /x/, why: "" }]),
      "a known failure without an issue": (copy) =>
        (copy.knownFailure = { stage: "call", issue: "#1", why: "it fails" }),
      "stages out of order": (copy) => (copy.steps = [...copy.steps].reverse()),
    };
    for (const [fault, apply] of Object.entries(faults)) {
      const copy = { ...cell!, steps: cell!.steps.map((step) => ({ ...step })) };
      apply(copy);
      expect(problems(copy), fault).not.toEqual([]);
    }
  });

  it("load through the runner's command line (a recipe that imports the runner must not deadlock it)", () => {
    const result = spawnSync(process.execPath, ["scripts/generators/matrix.mjs", "--only", "no-such-cell"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(`${result.stdout}${result.stderr}`).toContain("No cell matches --only no-such-cell.");
    expect(result.status).toBe(1);
  });

  it("imports nothing from npm packages (.ci/run loads them before `npm ci`)", () => {
    for (const cell of cells) {
      const source = readFileSync(path.join(cell.here, "recipe.mjs"), "utf8");
      const imported = [...source.matchAll(/^\s*import\s[^;]*?from\s+["']([^"']+)["']/gm)].map(
        (match) => match[1],
      );
      expect(
        imported.filter((name) => !/^(node:|\.)/.test(name!)),
        cell.id,
      ).toEqual([]);
    }
  });

  it("declares the status the docs' table shows: every stage passes, unless parse-only or a known failure", () => {
    const [cell] = cells;
    expect(expectedStages({ ...cell!, parseOnly: false, knownFailure: undefined })).toEqual({
      generate: "pass",
      compile: "pass",
      call: "pass",
    });
    expect(expectedStages({ ...cell!, parseOnly: true, knownFailure: undefined }).call).toBe("not run");
    expect(
      expectedStages({ ...cell!, parseOnly: false, knownFailure: { stage: "compile", issue: "", why: "" } }),
    ).toEqual({ generate: "pass", compile: "fail", call: "not run" });
  });
});

describe("the docs render the recipes", () => {
  const page = withGuide(
    JSON.parse(readFileSync("generated/openapi-with-samples.json", "utf8")),
    readFileSync("CHANGELOG.md", "utf8"),
  ).info.description as string;
  const section = page.slice(page.indexOf("# Generators by language"), page.indexOf("# Run the mock"));

  it("docs/regenerating.md carries the table and recipes the recipes render now", () => {
    const text = readFileSync(regeneratingDoc, "utf8");
    expect(text, "run `node scripts/generators/recipes.mjs --write`").toBe(
      withRegeneratingSection(text, cells),
    );
  });

  it("the page shows each cell's install line, its commands as a user types them, and its caveats", () => {
    expect(section).toContain(matrixTable(cells));
    for (const cell of cells) {
      expect(section).toContain(`## ${cell.language}`);
      expect(section).toContain(cell.install);
      for (const step of cell.steps)
        if (step.docs === false) expect(section, step.command.join(" ")).not.toContain(shown(cell, step));
        else expect(section).toContain(shown(cell, step));
      for (const caveat of cell.caveats) expect(section).toContain(caveat);
    }
    expect(section).not.toMatch(/\/work\/|\/tmp\/|\.cache\//);
  });

  it("the table has a row per cell and the TypeScript generators at their pinned versions", () => {
    const rows = matrixTable(cells)
      .split("\n")
      .filter((line) => /^\| (?!language|---)/.test(line));
    const typescript = typescriptGenerators();
    expect(rows).toHaveLength(cells.length + typescript.length);
    expect(typescript).toHaveLength(6);
    for (const { name, version } of typescript) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(rows.some((row) => row.startsWith(`| TypeScript | ${name} ${version} `))).toBe(true);
    }
  });
});

describe("this machine can run the generator matrix", () => {
  for (const cell of cells)
    it(`has the programs ${cell.id} needs (${cell.commands.join(", ")})`, (context) => {
      requireCellCommands(context, cell);
    });
});
