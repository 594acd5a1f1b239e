// `npm run test:live`: renames one test contact on the real API through Prism's validating proxy
// and reports every way the request or Callbell's answer breaks the contract.
// Needs CALLBELL_API_TOKEN, CALLBELL_TEST_CONTACT_UUID and CALLBELL_TEST_CONTACT_NAME; without
// the first two it is skipped, so CI stays offline. CALLBELL_LIVE_UPSTREAM points it elsewhere.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createCallbellClient } from "callbell-openapi";
import { startProxy } from "../dev/run-mock.mjs";
import { root } from "../lib/run-tool.mjs";

const spec = JSON.parse(readFileSync(path.join(root, "generated", "openapi.json"), "utf8"));
export const CALLBELL_SERVER = spec.servers[0].url;

/**
 * Prism's `sl-violations` header: a JSON list, or "Too many violations! " and a cut-off list.
 * @returns {{ location: string[], severity: string, code?: string | number, message: string }[]}
 */
function parseViolations(header) {
  if (!header) return [];
  try {
    return JSON.parse(header);
  } catch {
    return [
      {
        location: [],
        severity: "Error",
        message: `Prism reported violations it could not list in full: ${header.slice(0, 500)}`,
      },
    ];
  }
}

/**
 * Sends `{ name }` for contact `uuid` to `upstream` through `prism proxy --errors` and collects
 * what Prism found wrong with the request and the answer.
 */
export async function checkConformance({ upstream = CALLBELL_SERVER, token, uuid, name }) {
  const proxy = await startProxy({ upstream });
  const violations = [];
  const statuses = [];
  // Wraps fetch to read Prism's header on every answer, retries included.
  const fetchThroughProxy = async (input, init) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    for (const violation of parseViolations(response.headers.get("sl-violations")))
      if (!violations.some((seen) => JSON.stringify(seen) === JSON.stringify(violation)))
        violations.push(violation);
    return response;
  };
  try {
    const callbell = createCallbellClient({ token, baseUrl: proxy.url, fetch: fetchThroughProxy });
    try {
      const contact = await callbell.updateContact(uuid, { name });
      return { contact, statuses, violations };
    } catch (error) {
      return { error, statuses, violations };
    }
  } finally {
    await proxy.stop();
  }
}

/** The report, with the token replaced wherever it might appear. */
export function formatReport({ upstream, uuid, name, token }, result) {
  const lines = [
    `test:live: PATCH /contacts/{uuid} through Prism's validating proxy to ${upstream}`,
    `  contact ${uuid}, name set to ${JSON.stringify(name)}`,
  ];
  if (result.statuses.length) lines.push(`  answered ${result.statuses.join(", then ")} (through the proxy)`);
  if (result.contact)
    lines.push(
      `  the client read back contact ${result.contact.uuid} named ${JSON.stringify(result.contact.name ?? null)}`,
    );
  // With --errors, Prism replaces an answer that breaks the contract by its own problem+json
  // (status 500, type …#VIOLATIONS); the violations below say what was wrong with Callbell's.
  if (String(result.error?.body?.type).endsWith("#VIOLATIONS"))
    lines.push(`  Prism refused the answer (${result.error.status}, --errors), so the client saw an error`);
  else if (result.error) lines.push(`  the update failed: ${result.error.name}: ${result.error.message}`);
  if (result.violations.length === 0)
    lines.push(
      result.error
        ? "  no violations reported"
        : "  no violations: the request and the answer match the contract",
    );
  else {
    lines.push(`  ${result.violations.length} violation(s) of the contract:`);
    for (const violation of result.violations)
      lines.push(
        `    ${violation.severity.toLowerCase().padEnd(7)} ${violation.location.join(".")}: ${violation.message}`,
      );
  }
  const text = lines.join("\n");
  return token ? text.split(token).join("[token]") : text;
}

async function main() {
  const {
    CALLBELL_API_TOKEN: token,
    CALLBELL_TEST_CONTACT_UUID: uuid,
    CALLBELL_TEST_CONTACT_NAME: name,
  } = process.env;
  const upstream = process.env.CALLBELL_LIVE_UPSTREAM || CALLBELL_SERVER;
  if (!token || !uuid) {
    console.log(
      "test:live skipped: set CALLBELL_API_TOKEN and CALLBELL_TEST_CONTACT_UUID (a contact kept for tests) and CALLBELL_TEST_CONTACT_NAME (the name to give it) to check the real API against the contract.",
    );
    return;
  }
  if (!name) {
    console.error(
      "test:live: set CALLBELL_TEST_CONTACT_NAME to the name to give the test contact (the one harmless change this check makes).",
    );
    process.exitCode = 1;
    return;
  }
  const result = await checkConformance({ upstream, token, uuid, name });
  console.log(formatReport({ upstream, uuid, name, token }, result));
  if (result.error || result.violations.length) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((error) => {
    const token = process.env.CALLBELL_API_TOKEN;
    const message = String(error?.stack ?? error);
    console.error(`test:live failed: ${token ? message.split(token).join("[token]") : message}`);
    process.exitCode = 1;
  });
