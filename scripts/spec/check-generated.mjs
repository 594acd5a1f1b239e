// Fails when generated/ is not what `npm run generate` would write from openapi/ now.
import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root } from "../lib/run-tool.mjs";
import { generate } from "./generate.mjs";

const committedDir = path.join(root, "generated");
const freshDir = mkdtempSync(path.join(tmpdir(), "callbell-generated-"));
try {
  const generatedFiles = (await generate(freshDir)).map((file) => path.relative(freshDir, file));
  const problems = [];
  for (const file of generatedFiles) {
    const committed = path.join(committedDir, file);
    if (!existsSync(committed)) problems.push(`generated/${file} is missing`);
    else if (readFileSync(committed, "utf8") !== readFileSync(path.join(freshDir, file), "utf8"))
      problems.push(`generated/${file} differs from what openapi/ produces`);
  }
  const expected = new Set(generatedFiles);
  const committedFiles = existsSync(committedDir)
    ? readdirSync(committedDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    : [];
  for (const entry of committedFiles) {
    const file = path.relative(committedDir, path.join(entry.parentPath, entry.name));
    if (!expected.has(file)) problems.push(`generated/${file} is not produced by npm run generate`);
  }
  if (problems.length) {
    console.error(
      `Generated files drift from openapi/:\n  ${problems.join("\n  ")}\nRun \`npm run generate\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log(`generated/ is up to date (${generatedFiles.length} files checked).`);
} finally {
  rmSync(freshDir, { recursive: true, force: true });
}
