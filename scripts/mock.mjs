// Serves the bundled spec with Prism on 127.0.0.1 (port 4010, or MOCK_PORT) until stopped.
// Also used by the tests' global setup, with port 0 for a free port, and by test:live as a validating proxy.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { root } from "./tools.mjs";

const require = createRequire(import.meta.url);
const prismEntry = path.join(path.dirname(require.resolve("@stoplight/prism-cli/package.json")), "dist", "index.js");
// Keeps Prism alive on valid but unusual requests (see the file).
const prismFixes = path.join(root, "scripts", "prism-survives-odd-requests.cjs");

/**
 * Runs `prism mock` and resolves once it listens; rejects with Prism's output if it exits first
 * or does not listen within timeoutMs.
 * @param {{ port?: number, spec?: string, timeoutMs?: number, echo?: boolean }} [options]
 * @returns {Promise<{ url: string, stop: () => Promise<void>, exited: Promise<number | null> }>}
 */
export function startMock({
  port = Number(process.env.MOCK_PORT ?? 4010),
  spec = path.join(root, "generated", "openapi.json"),
  timeoutMs = 30_000,
  echo = false,
} = {}) {
  return startPrism(["mock", spec, "-h", "127.0.0.1", "-p", String(port)], { timeoutMs, echo });
}

/**
 * Runs `prism proxy --errors`: forwards every request to upstream, lists what breaks the spec in
 * an `sl-violations` header, and replaces a breaking request or answer by its own problem+json
 * (422 for the request, 500 for the upstream's answer).
 * @param {{ upstream: string, port?: number, spec?: string, timeoutMs?: number }} options
 */
export function startProxy({ upstream, port = 0, spec = path.join(root, "generated", "openapi.json"), timeoutMs = 30_000 }) {
  return startPrism(["proxy", spec, upstream, "--errors", "-h", "127.0.0.1", "-p", String(port)], { timeoutMs });
}

function startPrism(args, { timeoutMs, echo = false }) {
  // Node directly, not npx: npx's child would outlive a kill.
  const child = spawn(process.execPath, ["--require", prismFixes, prismEntry, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(force);
    }
  };
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Prism did not listen within ${timeoutMs} ms. Its output:\n${log}`));
    }, timeoutMs);
    const onData = (chunk) => {
      log += chunk;
      if (echo) process.stdout.write(chunk);
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], stop, exited });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited (${signal ?? `code ${code}`}) before listening. Its output:\n${log}`));
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { stop, exited } = await startMock({ echo: true });
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void stop());
    process.exitCode = (await exited) ?? 0;
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
