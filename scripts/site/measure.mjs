// `npm run docs:measure`: how heavy and how fast the docs page is, from a fresh build served on
// 127.0.0.1 and opened in Chromium: gzip size of index.html, first paint, the time until Redoc
// has drawn the operation ("ready"), and the requests (all, and to other hosts). Median of runs.
// Usage: node scripts/site/measure.mjs [runs]   (default 5)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { buildDocs } from "./build-site.mjs";
import { openDocsPage, operationSection } from "./browser.mjs";
import { serveDocs } from "./serve-site.mjs";

const runs = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(path.join(tmpdir(), "callbell-docs-measure-"));
const server = await serveDocs({ dir, port: 0 });
try {
  buildDocs(dir);
  const html = readFileSync(path.join(dir, "index.html"));
  const figures = [];
  for (let run = 0; run < runs; run += 1) {
    const browser = await openDocsPage(`${server.url}/`);
    try {
      await browser.page.locator(operationSection("updateContact")).waitFor();
      const timing = await browser.page.evaluate(() => ({
        firstPaint: performance.getEntriesByName("first-paint")[0]?.startTime ?? NaN,
        firstContentfulPaint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
        ready: performance.now(),
      }));
      figures.push({ ...timing, requests: browser.requests.length, outside: browser.outside.length });
    } finally {
      await browser.close();
    }
  }
  const median = (key) => figures.map((figure) => figure[key]).sort((a, b) => a - b)[Math.floor(figures.length / 2)];
  console.log(`docs page, median of ${runs} loads in Chromium (${server.url}/):`);
  console.log(`  index.html            ${(html.length / 1024).toFixed(0)} KB, ${(gzipSync(html, { level: 9 }).length / 1024).toFixed(0)} KB gzip`);
  console.log(`  first paint           ${median("firstPaint").toFixed(0)} ms`);
  console.log(`  first contentful      ${median("firstContentfulPaint").toFixed(0)} ms`);
  console.log(`  ready (operation drawn, upper bound) ${median("ready").toFixed(0)} ms`);
  console.log(`  requests              ${median("requests")} (to other hosts: ${median("outside")})`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
