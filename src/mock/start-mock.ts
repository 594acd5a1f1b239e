// `callbell-openapi/mock`: Prism 5.14.2 serving the package's bundled spec with our fixes preloaded,
// for a team's contract tests and for ours (scripts/dev/run-mock.mjs and the tests' global setup).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface MockOptions {
  /** The port to listen on; 0 (the default) takes a free one. */
  port?: number | undefined;
  /** The address to listen on. Default 127.0.0.1. */
  host?: string | undefined;
  /** The spec to serve; defaults to the package's bundled openapi.json. */
  spec?: string | undefined;
  /** How long Prism may take to start listening, in ms. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Copy Prism's log (one line per request, with its violations) to this process's stdout. */
  echo?: boolean | undefined;
}

export interface ProxyOptions extends Omit<MockOptions, "echo"> {
  /** The real API to forward to, such as https://api.callbell.eu/v1. */
  upstream: string;
}

export interface RunningMock {
  /** The base URL to hand the client, such as http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Stops Prism (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
  stop: () => Promise<void>;
  /** Resolves with Prism's exit code when it exits, for whatever reason. */
  exited: Promise<number | null>;
}

// The preload sits beside this module: src/mock/ in this repo, dist/ in the package (the build copies it).
const here = path.dirname(fileURLToPath(import.meta.url));
const prismFixes = path.join(here, "prism-survives-odd-requests.cjs");
// The package root is the nearest folder above with a package.json: two levels up here, one in dist/.
let packageRoot = here;
while (!existsSync(path.join(packageRoot, "package.json")) && path.dirname(packageRoot) !== packageRoot)
  packageRoot = path.dirname(packageRoot);
/** The spec this package ships, the one the client's types come from. */
export const bundledSpec: string = path.join(packageRoot, "generated", "openapi.json");

export const PRISM_VERSION = "5.14.2";

/**
 * Starts `prism mock` on the bundled spec and resolves once it listens; rejects with Prism's
 * output if it exits first or does not listen within `timeoutMs`.
 */
export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  const { port = 0, host = "127.0.0.1", spec = bundledSpec, timeoutMs = 30_000, echo = false } = options;
  return startPrism(["mock", spec, "-h", host, "-p", String(port)], timeoutMs, echo);
}

/**
 * Starts `prism proxy --errors`: forwards every request to `upstream`, lists what breaks the spec
 * in an `sl-violations` header, and replaces a breaking request or answer by its own problem+json
 * (422 for the request, 500 for the upstream's answer).
 */
export async function startProxy(options: ProxyOptions): Promise<RunningMock> {
  const { upstream, port = 0, host = "127.0.0.1", spec = bundledSpec, timeoutMs = 30_000 } = options;
  return startPrism(["proxy", spec, upstream, "--errors", "-h", host, "-p", String(port)], timeoutMs, false);
}

/** Prism's CLI entry, from wherever the calling project installed it. */
function prismEntry(): string {
  const require = createRequire(path.join(process.cwd(), "noop.js"));
  const fromHere = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = fromHere.resolve("@stoplight/prism-cli/package.json");
  } catch {
    try {
      manifest = require.resolve("@stoplight/prism-cli/package.json");
    } catch {
      throw new Error(
        `callbell-openapi/mock runs Prism, which is an optional peer dependency: install it with ` +
          `\`npm install --save-dev @stoplight/prism-cli@${PRISM_VERSION}\`.`,
      );
    }
  }
  return path.join(path.dirname(manifest), "dist", "index.js");
}

function startPrism(args: string[], timeoutMs: number, echo: boolean): Promise<RunningMock> {
  const entry = prismEntry();
  // Node directly, not npx: npx's child would outlive a kill.
  const child = spawn(process.execPath, ["--require", prismFixes, entry, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(force);
    }
  };
  let log = "";
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Prism did not listen within ${timeoutMs} ms. Its output:\n${log}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      if (echo) process.stdout.write(chunk);
      if (listening) return;
      log += chunk;
      const match = /listening on (http:\/\/\S+:\d+)/.exec(log);
      if (match) {
        listening = true;
        clearTimeout(timer);
        resolve({ url: match[1]!, stop, exited });
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
