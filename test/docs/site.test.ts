// The docs site as built by `npm run docs`, served from 127.0.0.1 and opened in Debian's Chromium.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  hiddenCodeLines,
  openDocsPage,
  operationSection,
  pageLuminance,
  screenshotOperation,
  seriousAxeViolations,
  showRequestSample,
} from "../../scripts/site/browser.mjs";
import { buildDocs } from "../../scripts/site/build-site.mjs";
import { serveDocs } from "../../scripts/site/serve-site.mjs";
import { operation, resolve, spec } from "../support/spec.js";
import { findToolchain, requireToolchain } from "../support/toolchains.js";

const docsSpec = JSON.parse(readFileSync(path.resolve("generated/openapi-with-samples.json"), "utf8"));
const samples: { label: string; source: string }[] =
  docsSpec.paths["/contacts/{uuid}"].patch["x-codeSamples"];
const screenshot = path.resolve("test-results", "docs-page.png");

let site: Awaited<ReturnType<typeof serveDocs>>;
let browser: Awaited<ReturnType<typeof openDocsPage>>;
let dir: string;

// Without Chromium every test below is skipped with the reason (a failure under CI).
const hasChromium = !!findToolchain("Chromium");
beforeEach((context) => void requireToolchain(context, "Chromium"));

beforeAll(async () => {
  if (!hasChromium) return;
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
    // The contract's own introduction, under the guide's "About this contract".
    const intro = squeeze(await page.locator('[id="section/About-this-contract"]').innerText());
    expect(intro).toContain("updating a contact");
    expect(intro).toContain("Authorization: Bearer <token>");
    expect(intro).toContain("300 requests per second");
    expect(intro).toContain("Sources.");
    expect(intro).toContain("Code samples.");
  });

  it("links the OpenAPI 3.0 edition where it says how to regenerate, and serves it as generated", async () => {
    const { page } = browser;
    const section = page.locator('[id="section/Regenerate-a-client"]');
    await expect.poll(() => section.locator('a[href="openapi-3.0.json"]').count()).toBeGreaterThan(0);
    expect(squeeze(await section.innerText())).toContain("progenitor (Rust), NSwag (C#)");
    const served = await fetch(`${site.url}/openapi-3.0.json`);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(readFileSync(path.resolve("generated/openapi-3.0.json"), "utf8"));
  });

  it("shows the operation: its summary, method and path", async () => {
    expect(squeeze(await section().locator("h2").first().innerText())).toBe(operation.summary);
    expect(squeeze(await section().locator("button:has(.http-verb)").first().innerText())).toBe(
      "PATCH /contacts/{uuid}",
    );
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
    const offered = await responseSamples
      .locator("[role=tabpanel].react-tabs__tab-panel--selected")
      .innerText();
    for (const example of Object.values(named))
      expect(offered).toContain(resolve(example as { $ref: string }).summary);
  });

  it("lists every response", async () => {
    const codes = await section().locator('h3:has-text("Responses") ~ div > button > strong').allInnerTexts();
    expect(codes.map((code) => code.trim())).toEqual(Object.keys(operation.responses));
  });

  it("has a request-sample tab for each of the nine languages, and each shows its sample", async () => {
    const tabs = await section().locator('h3:has-text("Request samples") + div [role=tab]').allInnerTexts();
    // Payload comes first: Redoc's tab for the named request examples.
    expect(tabs.map((tab) => tab.trim())).toEqual([
      "Payload",
      "cURL",
      "Node",
      "Ruby",
      "Go",
      "PHP",
      "Python",
      "C#",
      "Java",
      "Rust",
    ]);
    for (const { label, source } of samples) {
      const code = await (
        await showRequestSample(browser.page, "updateContact", label)
      )
        .locator("pre")
        .innerText();
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
    await expect
      .poll(() => browser.page.locator('[data-role="search:results"] li').count())
      .toBeGreaterThan(0);
    await browser.page.getByPlaceholder("Search...").fill("");
  });

  it("saves a screenshot", async () => {
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await screenshotOperation(browser.page, "updateContact", screenshot);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
  });

  it("switches to the dark theme and back when the system setting changes, keeping its place", async () => {
    const { page } = browser;
    await page.locator('[id="section/Errors-and-retries"]').evaluate((heading) => heading.scrollIntoView());
    // Runs in the page; the test's tsconfig has no DOM types.
    const scrollY = () => page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY);
    const scrolled = await scrollY();
    expect((await pageLuminance(page)).sidebar).toBeGreaterThan(0.8);
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(async () => (await pageLuminance(page)).sidebar).toBeLessThan(0.05);
    expect(await page.locator(operationSection("updateContact")).count()).toBe(1);
    await expect.poll(async () => Math.abs((await scrollY()) - scrolled)).toBeLessThan(50);
    await page.emulateMedia({ colorScheme: "light" });
    await expect.poll(async () => (await pageLuminance(page)).sidebar).toBeGreaterThan(0.8);
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

// The page read by an integrator: the guide first, whole samples, no serious accessibility fault,
// at a desktop's and a phone's width, in the system's light and dark colour schemes. Each gets its
// own browser (with bypassCSP, so that axe-core can be injected; the page's own CSP admits its
// scripts only).
describe.each([
  { width: 1440, height: 900, colorScheme: "light" as const },
  { width: 390, height: 844, colorScheme: "light" as const },
  { width: 1440, height: 900, colorScheme: "dark" as const },
  { width: 390, height: 844, colorScheme: "dark" as const },
])("the page at $width×$height, $colorScheme", ({ width, height, colorScheme }) => {
  let reader: Awaited<ReturnType<typeof openDocsPage>>;
  beforeAll(async () => {
    if (!hasChromium) return;
    reader = await openDocsPage(`${site.url}/`, {
      viewport: { width, height },
      colorScheme,
      bypassCSP: true,
    });
    await reader.page.locator(operationSection("updateContact")).waitFor();
  }, 60_000);
  afterAll(() => reader?.close());

  it(`is drawn in ${colorScheme} colours: page, Redoc's sidebar and text`, async () => {
    const { background, sidebar, title } = await pageLuminance(reader.page);
    if (colorScheme === "dark") {
      expect(background).toBeLessThan(0.05);
      expect(sidebar).toBeLessThan(0.05);
      expect(title).toBeGreaterThan(0.7);
    } else {
      expect(background).toBeGreaterThan(0.9);
      expect(sidebar).toBeGreaterThan(0.9);
      expect(title).toBeLessThan(0.1);
    }
  });

  it("opens with the quick start, then the client, the mock, the errors; sources and changelog after the reference", async () => {
    const headings = await reader.page.locator("#redoc h1, #redoc h2").allInnerTexts();
    const order = [
      "Quick start",
      "Get the client",
      "Regenerate a client",
      "Run the mock",
      "Errors and retries",
      "Update a contact",
      "Sources",
      "Changelog",
    ];
    const positions = order.map((heading) => headings.findIndex((text) => squeeze(text) === heading));
    expect(positions, JSON.stringify(headings)).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const quickStart = squeeze(await reader.page.locator('[id="section/Quick-start"]').innerText());
    expect(quickStart).toContain(spec.servers[0].url);
    expect(quickStart).toContain("CALLBELL_API_TOKEN");
    expect(quickStart).toContain("Array.isArray(body.contact)");
    expect(await reader.page.locator("main").count()).toBe(1);
  });

  it("has an errors table with one row per error status, each saying what the client does", async () => {
    const rows = await reader.page
      .locator('[id="section/Errors-and-retries"] table tbody tr')
      .allInnerTexts();
    const statuses = Object.keys(operation.responses).filter((status) => !status.startsWith("2"));
    expect(rows.map((row) => row.split(/\s/)[0])).toEqual(statuses);
    for (const row of rows) expect(row).toMatch(/known|guess|documents/i);
  });

  it("has no serious or critical axe violation, no hidden code line, in every tab and with every expander open", async () => {
    const { page } = reader;
    // This reader's page, not the shared one above: every click and check is on the page under check.
    const checked = page.locator(operationSection("updateContact"));
    const problems: unknown[] = [];
    const check = async (state: string) => {
      const violations = await seriousAxeViolations(page);
      const hidden = await hiddenCodeLines(page);
      if (violations.length || hidden.length) problems.push({ state, violations, hidden });
    };
    await check("as loaded");
    const requestTabs = checked.locator('h3:has-text("Request samples") + div [role=tab]');
    const requestLabels = (await requestTabs.allInnerTexts()).map((label) => label.trim());
    expect(requestLabels).toHaveLength(samples.length + 1); // Payload, then one per language
    for (const label of requestLabels) {
      await showRequestSample(page, "updateContact", label);
      await expect
        .poll(() => requestTabs.getByText(label, { exact: true }).getAttribute("aria-selected"))
        .toBe("true");
      await check(`request sample ${label}`);
    }
    // One response tab per documented status (200 and the ten errors), each opened in turn.
    const responseTabs = checked.locator('h3:has-text("Response samples") + div [role=tab]');
    const responseLabels = (await responseTabs.allInnerTexts()).map((label) => label.trim());
    expect(responseLabels).toEqual(Object.keys(operation.responses));
    for (const label of responseLabels) {
      const tab = responseTabs.getByText(label, { exact: true });
      await tab.click();
      await expect.poll(() => tab.getAttribute("aria-selected")).toBe("true");
      await check(`response sample ${label}`);
    }
    // Every response (Redoc marks only an open one with aria-expanded), then every nested schema
    // ("expand <field>"), until none is left closed; the new ones an opened response shows included.
    const responses = checked.locator("button").filter({ hasText: /^\s*\d{3}\b/ });
    expect(await responses.count()).toBe(responseLabels.length);
    let opened = 0;
    for (let index = 0; index < (await responses.count()); index += 1) {
      const response = responses.nth(index);
      if ((await response.getAttribute("aria-expanded")) === "true") continue;
      await response.click();
      await expect.poll(() => response.getAttribute("aria-expanded")).toBe("true");
      opened += 1;
    }
    expect(opened).toBe(responseLabels.length - 1); // all but 200, open as loaded
    // A nested schema's button keeps its "expand <field>" label; its row is marked `expanded` once open.
    const fieldButtons = checked.locator('button[aria-label^="expand "]');
    const firstClosed = () =>
      fieldButtons.evaluateAll((buttons) =>
        buttons.findIndex(
          (button) =>
            !(
              button as {
                closest(selector: string): { classList: { contains(name: string): boolean } } | null;
              }
            )
              .closest("tr")
              ?.classList.contains("expanded"),
        ),
      );
    let expanded = 0;
    for (let index = await firstClosed(); index >= 0 && expanded < 200; index = await firstClosed()) {
      await fieldButtons.nth(index).click();
      expanded += 1;
    }
    expect(await firstClosed(), "a schema expander still closed").toBe(-1);
    expect(expanded).toBeGreaterThanOrEqual(2); // contact, and custom_fields inside it
    await check("every expander open");
    expect(problems).toEqual([]);
  }, 300_000);

  it("shows where the keyboard focus is, on every element it reaches", async () => {
    const { page } = reader;
    await page
      .locator("body")
      .click({ position: { x: 1, y: 1 } })
      .catch(() => undefined);
    const unmarked: string[] = [];
    for (let step = 0; step < 80; step += 1) {
      await page.keyboard.press("Tab");
      // Runs in the page; the test's tsconfig has no DOM types, hence `any`.
      const focus = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as any;
        const element = document.activeElement;
        if (!element || element === document.body) return undefined;
        const style = getComputedStyle(element);
        const ring =
          (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) ||
          style.boxShadow !== "none";
        return {
          ring,
          what: `${element.tagName.toLowerCase()} ${(element.textContent ?? "").trim().slice(0, 30)}`,
        };
      });
      if (focus && !focus.ring) unmarked.push(focus.what);
    }
    expect(unmarked).toEqual([]);
  }, 120_000);

  it("requested nothing from another host and logged no console error", () => {
    expect(reader.outside).toEqual([]);
    expect(reader.consoleErrors).toEqual([]);
  });
});
