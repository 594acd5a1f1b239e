// `npm run docs:screenshot`: refreshes docs/screenshot.png, the README's picture of the docs page,
// from a fresh build in Chromium. The browser test takes the same picture into test-results/.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildDocs } from "./build-site.mjs";
import { openDocsPage, screenshotOperation } from "./browser.mjs";
import { serveDocs } from "./serve-site.mjs";
import { root } from "../lib/run-tool.mjs";

const file = path.join(root, "docs", "screenshot.png");
const dir = mkdtempSync(path.join(tmpdir(), "callbell-docs-"));
const server = await serveDocs({ dir, port: 0 });
try {
  buildDocs(dir);
  const browser = await openDocsPage(`${server.url}/`);
  try {
    await screenshotOperation(browser.page, "updateContact", file);
    const problems = [...browser.outside.map((url) => `requested ${url}`), ...browser.consoleErrors];
    if (problems.length) throw new Error(`The docs page misbehaved; fix it before taking its picture:\n  ${problems.join("\n  ")}`);
  } finally {
    await browser.close();
  }
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
