// Opens the docs page in Debian's Chromium through playwright-core (never a downloaded browser),
// for the browser test and `npm run docs:screenshot`. Every request for anything not on
// 127.0.0.1 is aborted and recorded, and so is every console error.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { chromiumPath } from "./toolchains.mjs";

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
export async function openDocsPage(url, { viewport = { width: 1440, height: 900 } } = {}) {
  if (!existsSync(chromiumPath))
    throw new Error(`No Chromium at ${chromiumPath}. Install Debian's (\`npm run setup:toolchains\`) or set CHROMIUM_PATH.`);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
  const context = await browser.newContext({ viewport });
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
