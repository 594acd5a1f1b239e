// The docs site as built by `npm run docs`, served from 127.0.0.1 and opened in Debian's Chromium.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDocsPage, operationSection, screenshotOperation, showRequestSample } from "../../scripts/docs-browser.mjs";
import { buildDocs } from "../../scripts/docs.mjs";
import { serveDocs } from "../../scripts/serve-docs.mjs";
import { operation, resolve, spec } from "../support/spec.js";
import { findToolchain, requireToolchain } from "../support/toolchains.js";

const docsSpec = JSON.parse(readFileSync(path.resolve("generated/openapi-with-samples.json"), "utf8"));
const samples: { label: string; source: string }[] = docsSpec.paths["/contacts/{uuid}"].patch["x-codeSamples"];
const screenshot = path.resolve("test-results", "docs-page.png");

let site: Awaited<ReturnType<typeof serveDocs>>;
let browser: Awaited<ReturnType<typeof openDocsPage>>;
let dir: string;

// Without Chromium every test below is skipped with the reason (a failure under CI).
beforeEach((context) => void requireToolchain(context, "Chromium"));

beforeAll(async () => {
  if (!findToolchain("Chromium")) return;
  dir = mkdtempSync(path.join(tmpdir(), "callbell-docs-"));
  buildDocs(dir);
  site = await serveDocs({ dir, port: 0 });
  browser = await openDocsPage(`${site.url}/`);
  await browser.page.locator(operationSection("updateContact")).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const section = () => browser.page.locator(operationSection("updateContact"));
/** Text as the reader sees it: runs of white space as one space. */
const squeeze = (text: string) => text.replace(/\s+/g, " ").trim();

describe("the docs page", () => {
  it("has the API's title and an introduction: what it does, auth, the rate limit, the sources", async () => {
    const { page } = browser;
    expect(await page.title()).toBe(spec.info.title);
    await expect.poll(() => page.locator("h1").first().innerText()).toContain(spec.info.title);
    const intro = squeeze(await page.locator(".api-info").innerText());
    expect(intro).toContain("updating a contact");
    expect(intro).toContain("Authorization: Bearer <token>");
    expect(intro).toContain("300 requests per second");
    expect(intro).toContain("Sources.");
    expect(intro).toContain("Code samples.");
  });

  it("shows the operation: its summary, method and path", async () => {
    expect(squeeze(await section().locator("h2").first().innerText())).toBe(operation.summary);
    expect(squeeze(await section().locator("button:has(.http-verb)").first().innerText())).toBe("PATCH /contacts/{uuid}");
  });

  it("lists every field of the request body", async () => {
    const fields = await section()
      .locator('h5:has-text("Request Body schema") ~ table > tbody > tr > td[kind=field]')
      .evaluateAll((cells) => cells.map((cell) => cell.getAttribute("title")));
    expect(fields).toEqual(Object.keys(spec.components.schemas.ContactUpdate.properties));
  });

  it("offers every named example of the request body", async () => {
    const payload = await showRequestSample(browser.page, "updateContact", "Payload");
    const named = operation.requestBody.content["application/json"].examples;
    const summaries = Object.values(named).map((example) => resolve(example as { $ref: string }).summary);
    const offered = await payload.innerText();
    expect(summaries).toHaveLength(Object.keys(named).length);
    for (const summary of summaries) expect(offered).toContain(summary);
  });

  it("offers every named example of the 200 response", async () => {
    const named = operation.responses["200"].content["application/json"].examples;
    const responseSamples = section().locator('h3:has-text("Response samples") + div');
    await responseSamples.getByRole("tab", { name: "200", exact: true }).click();
    const offered = await responseSamples.locator("[role=tabpanel].react-tabs__tab-panel--selected").innerText();
    for (const example of Object.values(named)) expect(offered).toContain(resolve(example as { $ref: string }).summary);
  });

  it("lists every response", async () => {
    const codes = await section().locator('h3:has-text("Responses") ~ div > button strong').allInnerTexts();
    expect(codes.map((code) => code.trim())).toEqual(Object.keys(operation.responses));
  });

  it("has a request-sample tab for each of the nine languages, and each shows its sample", async () => {
    const tabs = await section().locator('h3:has-text("Request samples") + div [role=tab]').allInnerTexts();
    // Payload comes first: Redoc's tab for the named request examples.
    expect(tabs.map((tab) => tab.trim())).toEqual(["Payload", "cURL", "Node", "Ruby", "Go", "PHP", "Python", "C#", "Java", "Rust"]);
    for (const { label, source } of samples) {
      const code = await (await showRequestSample(browser.page, "updateContact", label)).locator("pre").innerText();
      expect(squeeze(code), label).toBe(squeeze(source));
    }
  });

  it("highlights the Rust sample as Rust (Redoc has no Rust grammar of its own)", async () => {
    const rust = await showRequestSample(browser.page, "updateContact", "Rust");
    const keywords = await rust.locator("pre .token.keyword").allInnerTexts();
    expect(keywords).toEqual(expect.arrayContaining(["fn", "let"]));
  });

  it("finds the operation with its search box", async () => {
    await browser.page.getByPlaceholder("Search...").fill("contact");
    await expect.poll(() => browser.page.locator('[data-role="search:results"] li').count()).toBeGreaterThan(0);
    await browser.page.getByPlaceholder("Search...").fill("");
  });

  it("saves a screenshot", async () => {
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await screenshotOperation(browser.page, "updateContact", screenshot);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
  });

  // Last, so that they cover everything the tests above made the page do.
  it("requested nothing that is not on 127.0.0.1", () => {
    expect(browser.outside).toEqual([]);
    expect(browser.requests.length).toBeGreaterThan(0);
    for (const url of browser.requests) expect(new URL(url).origin).toBe(site.url);
  });

  it("logged no console errors", () => {
    expect(browser.consoleErrors).toEqual([]);
  });
});
