// The generator matrix across languages (issue 17), as a standing check: one test per cell of
// test/generators/<language>/recipe.mjs, run by scripts/generators/matrix.mjs against this run's Prism
// mock. Each cell must reach exactly the status its recipe declares (expectedStages: every stage
// passes, unless the recipe declares a known failure with its upstream issue), which is the status
// the docs' matrix table shows. A cell whose programs are missing is skipped with their names (a
// failure under CI). Then proof that the matrix can fail: the 0.1.0 release turns a cell of every
// language red, and progenitor refuses the 3.1 description.
// `npm run test:generators` runs this file alone; the toolchains come from `npm run setup:toolchains`
// (Debian) and each recipe's setup (pinned, into .cache/generators/).
import { describe, expect, inject, it } from "vitest";
import { descriptions, loadCells, runCell } from "../../scripts/generators/matrix.mjs";
import { expectedStages } from "../../scripts/generators/recipes.mjs";
import { inCI } from "../../scripts/lib/toolchains.mjs";
import { requireCellCommands } from "../support/toolchains.js";

type Cell = Awaited<ReturnType<typeof loadCells>>[number];

const cells: Cell[] = await loadCells();
// Each cell is bounded by its steps' own timeouts (300 s each by default); this only stops a hang.
const CELL_TIMEOUT_MS = 15 * 60_000;
const oldRelease = "releases/openapi-0.1.0.json";

/** The cell's problems as one message, for an assertion's failure. */
const said = (result: { problems: string[] }) => result.problems.join("\n\n") || "(no problem reported)";

describe("the generator matrix: each cell reaches the status its recipe declares", () => {
  it("has cells to run", () => {
    expect(cells.length).toBeGreaterThan(0);
  });

  for (const cell of cells) {
    const declared = expectedStages(cell);
    const name = cell.knownFailure
      ? `${cell.id}: fails at ${cell.knownFailure.stage}, as its recipe declares (${cell.knownFailure.issue})`
      : `${cell.id}: ${cell.parseOnly ? "generates and parses" : "generates, compiles and calls the mock"}`;
    it(name, { timeout: CELL_TIMEOUT_MS }, (context) => {
      requireCellCommands(context, cell);
      const result = runCell(cell, { mockUrl: inject("prismUrl") });
      if (cell.knownFailure && result.stages[cell.knownFailure.stage] === "pass")
        throw new Error(
          `${cell.id} no longer fails at ${cell.knownFailure.stage} (${cell.knownFailure.issue}): ` +
            "remove its knownFailure and its workaround caveat from test/generators/ " +
            `(${JSON.stringify(result.stages)}).`,
        );
      expect(result.stages, said(result)).toEqual(declared);
      if (!cell.knownFailure) expect(result.ok, said(result)).toBe(true);
    });
  }
});

describe("the generator matrix can fail", () => {
  // One cell per language, the first that runs against the mock (a parse-only cell cannot see a
  // misread contract): each must turn red on the 0.1.0 release, whose errors 1.0.0 fixed.
  const languages = [...new Set(cells.map((cell) => cell.language))];
  for (const language of languages) {
    const cell = cells.find((candidate) => candidate.language === language && !candidate.parseOnly);
    if (!cell) continue;
    it(`turns ${cell.id} red when fed ${oldRelease}`, { timeout: CELL_TIMEOUT_MS }, (context) => {
      requireCellCommands(context, cell);
      const result = runCell(cell, { mockUrl: inject("prismUrl"), spec: oldRelease });
      expect(result.ok, `${cell.id} passed on ${oldRelease}: ${JSON.stringify(result.stages)}`).toBe(false);
      expect(result.problems.length).toBeGreaterThan(0);
    });
  }

  it(
    "turns rust-progenitor red when fed the 3.1 description (progenitor reads 3.0 only)",
    {
      timeout: CELL_TIMEOUT_MS,
    },
    (context) => {
      const cell = cells.find((candidate) => candidate.id === "rust-progenitor");
      if (!cell) {
        const reason = "rust-progenitor has no recipe yet (test/generators/rust/recipe.mjs)";
        if (inCI) throw new Error(`${reason}: under CI this proof must run.`);
        return context.skip(reason);
      }
      requireCellCommands(context, cell);
      const result = runCell(cell, { mockUrl: inject("prismUrl"), spec: descriptions["3.1"] });
      // It cannot read the document, at whichever stage runs progenitor (its CLI or a build script):
      // openapiv3 stops at 3.1's first type array, and a 3.1 document without one is refused with
      // "invalid version: 3.1.0"; the build script says the file is not a 3.0 description.
      expect(result.ok, JSON.stringify(result.stages)).toBe(false);
      expect(result.stages.generate, JSON.stringify(result.stages)).toBe("fail");
      expect(said(result)).toMatch(/\b3\.1\.0\b|is not an OpenAPI 3\.0 description/);
    },
  );
});
