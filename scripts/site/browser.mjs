// Opens the docs page in Debian's Chromium through playwright-core (never a downloaded browser),
// for the browser test and `npm run docs:screenshot`. Every request for anything not on
// 127.0.0.1 is aborted and recorded, and so is every console error.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { chromiumPath } from "../lib/toolchains.mjs";

const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The operation's section on the page, one per operationId. */
export const operationSection = (operationId) => `[data-section-id="operation/${operationId}"]`;

/**
 * @param {string} url the page, on 127.0.0.1
 * @returns {Promise<{ page: import("playwright-core").Page, close: () => Promise<void>, requests: string[], outside: string[], consoleErrors: string[] }>}
 */
export async function openDocsPage(url, { viewport = { width: 1440, height: 900 }, colorScheme = "light", bypassCSP = false } = {}) {
  if (!existsSync(chromiumPath))
    throw new Error(`No Chromium at ${chromiumPath}. Install Debian's (\`npm run setup:toolchains\`) or set CHROMIUM_PATH.`);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
  const context = await browser.newContext({ viewport, colorScheme, bypassCSP });
  const requests = [];
  const outside = [];
  const consoleErrors = [];
  // On the context, so requests from the page's workers are caught too.
  await context.route("**/*", (route) => {
    const requestUrl = route.request().url();
    requests.push(requestUrl);
    if (new URL(requestUrl).hostname === "127.0.0.1") return route.continue();
    outside.push(requestUrl);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(url);
  return { page, close: () => browser.close(), requests, outside, consoleErrors };
}

/** Clicks a request-sample tab of an operation and returns the panel it then shows. */
export async function showRequestSample(page, operationId, label) {
  const samples = page.locator(`${operationSection(operationId)} h3:has-text("Request samples") + div`);
  await samples.getByRole("tab", { name: label, exact: true }).click();
  return samples.locator("[role=tabpanel].react-tabs__tab-panel--selected");
}

/** The picture the README shows: the operation at the top of the window, its Java sample open. */
export async function screenshotOperation(page, operationId, file) {
  await showRequestSample(page, operationId, "Java");
  await page.locator(operationSection(operationId)).evaluate((section) => section.scrollIntoView());
  await page.screenshot({ path: file });
}

/**
 * axe-core's serious and critical violations on the page as it is now. Needs a page opened with
 * `bypassCSP` (the page's CSP admits its own scripts only).
 * @returns {Promise<{ id: string, impact: string, help: string, targets: string[] }[]>}
 */
export async function seriousAxeViolations(page) {
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(({ id, impact, help, nodes }) => ({ id, impact, help, targets: nodes.slice(0, 5).map((node) => node.target.join(" ")) }));
}

/**
 * Lines of code on the page whose end a reader cannot see: a <pre>'s content wider than the box
 * that shows it, with no way to wrap or scroll it into view. For each visible <pre>, every text
 * line's right edge (measured with a Range) must lie inside the nearest clipping box.
 * @returns {Promise<{ pre: string, line: string, right: number, visibleRight: number }[]>}
 */
export async function hiddenCodeLines(page) {
  return page.evaluate(() => {
    const hidden = [];
    for (const pre of document.querySelectorAll("pre")) {
      const box = pre.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      // The visible right edge: the tightest clipping ancestor's (or the window's).
      let visibleRight = Math.min(box.right, document.documentElement.clientWidth);
      for (let at = pre.parentElement; at; at = at.parentElement) {
        const style = getComputedStyle(at);
        if (style.overflowX !== "visible") visibleRight = Math.min(visibleRight, at.getBoundingClientRect().right);
      }
      const scrollable = pre.scrollWidth > pre.clientWidth && getComputedStyle(pre).overflowX !== "hidden" && pre.tabIndex >= 0;
      if (scrollable) continue;
      const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // Word by word: a space at a wrap may hang past the edge, hiding nothing.
        for (const word of node.textContent.matchAll(/\S+/g)) {
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          for (const rect of range.getClientRects()) {
            if (rect.width > 0 && rect.right > visibleRight + 1)
              hidden.push({ pre: pre.textContent.slice(0, 40), line: word[0].slice(0, 60), right: Math.round(rect.right), visibleRight: Math.round(visibleRight) });
          }
        }
      }
    }
    return hidden;
  });
}

/**
 * The page's main colours as relative luminance (0 black … 1 white, WCAG's formula): the page's
 * background, the sidebar's (drawn by Redoc from its theme) and the title's text.
 * @returns {Promise<{ background: number, sidebar: number, title: number }>}
 */
export async function pageLuminance(page) {
  return page.evaluate(() => {
    const luminance = (color) => {
      const [r, g, b] = color.match(/[\d.]+/g).slice(0, 3).map((channel) => {
        const c = Number(channel) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const style = (selector) => getComputedStyle(document.querySelector(selector));
    return {
      background: luminance(style("body").backgroundColor),
      sidebar: luminance(style(".menu-content").backgroundColor),
      title: luminance(style("#redoc h1").color),
    };
  });
}
