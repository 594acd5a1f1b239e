// Lints openapi/ with redocly.yaml; zero errors and zero warnings are allowed.
import { runTool } from "../lib/run-tool.mjs";

const { stdout, stderr } = runTool("redocly", ["lint", "--format", "summary", "--max-problems", "200"]);
const output = `${stdout}${stderr}`;
// recommended-strict turns warnings into errors; this catches any rule configured as warn anyway.
if (/warning/i.test(output.replace(/Deprecation warning[^\n]*/g, ""))) {
  console.error(output);
  console.error("Lint reported warnings; fix them (zero warnings allowed).");
  process.exit(1);
}
console.log("openapi/: lint passed with no errors and no warnings.");
