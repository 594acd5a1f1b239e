// The wiring of `npm run test:live`, offline: Prism's validating proxy in front of a local server
// that plays Callbell, once answering as the contract says and once not.
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { conformingAnswer, startStandInApi } from "../fakes/conforming-api.mjs";
import { assertBuildIsFresh, cleanEnv, root } from "../support/build.js";

const TOKEN = "live_SECRETtoken123";
const UUID = "414a6d692bd645ed803f2e7ce360d4c8";
const NAME = "Jöe Tester";
// Callbell's answer with the contact's id missing and a date that is not one.
const violatingAnswer = () => ({ status: 200, body: { contact: { name: NAME, createdAt: "yesterday" } } });

let live: typeof import("../../scripts/ci/live-conformance.mjs");
beforeAll(async () => {
  assertBuildIsFresh(); // the script uses the built package, as a team would
  live = await import("../../scripts/ci/live-conformance.mjs");
});

let api: Awaited<ReturnType<typeof startStandInApi>> | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

describe("checkConformance through prism proxy --errors", () => {
  it("forwards the rename with its token and reports no violation when the answer conforms", async () => {
    api = await startStandInApi({ answer: conformingAnswer });
    const result = await live.checkConformance({ upstream: api.url, token: TOKEN, uuid: UUID, name: NAME });

    expect(result.violations).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.contact).toMatchObject({ uuid: UUID, name: NAME });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({
      method: "PATCH",
      url: `/contacts/${UUID}`,
      body: JSON.stringify({ name: NAME }),
    });
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  }, 60_000);

  it("reports every violation in an answer that breaks the contract", async () => {
    api = await startStandInApi({ answer: violatingAnswer });
    const result = await live.checkConformance({ upstream: api.url, token: TOKEN, uuid: UUID, name: NAME });

    const found = result.violations.map(
      (violation) => `${violation.location.join(".")}: ${violation.message}`,
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^response\.body\.contact: .*required property 'uuid'/),
        expect.stringMatching(/^response\.body\.contact\.createdAt: .*date-time/),
      ]),
    );
    const report = live.formatReport({ upstream: api.url, uuid: UUID, name: NAME, token: TOKEN }, result);
    expect(report).toContain("Prism refused the answer");
    expect(report).toMatch(/error +response\.body\.contact\.createdAt: .*date-time/);
    expect(report).not.toContain(TOKEN);
  }, 60_000);

  it("never shows the token, even where a message repeats it", () => {
    const report = live.formatReport(
      { upstream: "http://127.0.0.1:1", uuid: UUID, name: NAME, token: TOKEN },
      {
        statuses: [401],
        violations: [{ location: ["request", "header"], severity: "Error", message: `bad ${TOKEN}` }],
      },
    );
    expect(report).not.toContain(TOKEN);
    expect(report).toContain("bad [token]");
  });
});

/** An http URL on 127.0.0.1 where nothing listens: a port taken from the system, then let go. */
async function closedUpstream(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe("npm run test:live", () => {
  const script = path.join(root, "scripts", "ci", "live-conformance.mjs");
  // Every run has an upstream on 127.0.0.1, closed unless a test starts a stand-in there: whatever
  // check of the script's a test gets past, nothing can reach the real API. The script is killed
  // (and awaited) if it runs past the timeout.
  let closed: string;
  beforeAll(async () => {
    closed = await closedUpstream();
  });
  const runLive = async (env: Record<string, string>) => {
    const clean = cleanEnv();
    for (const name of [
      "CALLBELL_API_TOKEN",
      "CALLBELL_TEST_CONTACT_UUID",
      "CALLBELL_TEST_CONTACT_NAME",
      "CALLBELL_LIVE_UPSTREAM",
    ])
      delete clean[name];
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], {
        cwd: root,
        env: { ...clean, CALLBELL_LIVE_UPSTREAM: closed, ...env },
        timeout: 50_000,
        killSignal: "SIGKILL",
      });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code: number | null; signal: string | null; stdout: string; stderr: string };
      if (failed.signal)
        throw new Error(
          `scripts/ci/live-conformance.mjs did not finish within 50 s and was killed (${failed.signal}):\n${failed.stdout}${failed.stderr}`,
        );
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  };

  it("is skipped, saying what to set, without a token and a contact", async () => {
    const { code, output } = await runLive({});
    expect(code).toBe(0);
    expect(output).toMatch(/test:live skipped: set CALLBELL_API_TOKEN and CALLBELL_TEST_CONTACT_UUID/);
  }, 30_000);

  it("refuses to guess the new name", async () => {
    const { code, output } = await runLive({ CALLBELL_API_TOKEN: TOKEN, CALLBELL_TEST_CONTACT_UUID: UUID });
    expect(code).toBe(1);
    expect(output).toContain("set CALLBELL_TEST_CONTACT_NAME");
  }, 30_000);

  it("exits 1 and lists the violations, without the token, when the answer breaks the contract", async () => {
    api = await startStandInApi({ answer: violatingAnswer });
    const env = {
      CALLBELL_API_TOKEN: TOKEN,
      CALLBELL_TEST_CONTACT_UUID: UUID,
      CALLBELL_TEST_CONTACT_NAME: NAME,
      CALLBELL_LIVE_UPSTREAM: api.url,
    };
    const { code, output } = await runLive(env);
    expect(output).toMatch(/violation\(s\) of the contract:\n {4}error +response\.body\.contact/);
    expect(output).not.toContain(TOKEN);
    expect(code).toBe(1);
  }, 60_000);

  it("exits 0 when the answer conforms", async () => {
    api = await startStandInApi({ answer: conformingAnswer });
    const env = {
      CALLBELL_API_TOKEN: TOKEN,
      CALLBELL_TEST_CONTACT_UUID: UUID,
      CALLBELL_TEST_CONTACT_NAME: NAME,
      CALLBELL_LIVE_UPSTREAM: api.url,
    };
    const { code, output } = await runLive(env);
    expect(output).toContain("no violations: the request and the answer match the contract");
    expect(code).toBe(0);
  }, 60_000);
});
