// `callbell-openapi/mock`: Prism 5.14.2 serving the package's bundled spec with our fixes preloaded,
// for a team's contract tests and for ours (scripts/dev/run-mock.mjs and the tests' global setup).
// reflect-answers.cjs, preloaded too unless `reflect: false`, answers the contact the request asked for.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
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
  /**
   * Answer each valid update with the contact it asks for: the path's uuid and every sent field
   * applied to the example Prism picks (the README's mock section lists the mapping). Default
   * true; false gives Prism's canned answers unchanged.
   */
  reflect?: boolean | undefined;
  /**
   * Remember each contact for the life of the mock, so the next update's answer shows this one's
   * changes; `contacts()` and `reset()` work only then. Default false; needs `reflect`.
   */
  stateful?: boolean | undefined;
  /**
   * The contacts a stateful mock starts with, each a `Contact` as the API answers it (at least a
   * `uuid`). With them, an update to any other uuid is the contract's 404. Needs `stateful: true`.
   */
  contacts?: readonly MockContact[] | undefined;
  /** Internal (the CLI's `--contacts FILE`): a JSON file of contacts, read by the mock itself. */
  contactsFile?: string | undefined;
}

/** A contact as the mock holds it: the contract's `Contact` (only `uuid` is required). */
export interface MockContact {
  uuid: string;
  [field: string]: unknown;
}

export interface ProxyOptions extends Omit<
  MockOptions,
  "echo" | "reflect" | "stateful" | "contacts" | "contactsFile"
> {
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
  /** The Prism process's id, to measure or watch it (undefined if it could not be spawned). */
  pid: number | undefined;
  /**
   * Every contact a stateful mock holds, in the order it first held them (GET /__mock/contacts).
   * Rejects on a mock started without `stateful: true`.
   */
  contacts: () => Promise<MockContact[]>;
  /** Forgets every update: back to the seeded `contacts`, or to none (POST /__mock/reset). */
  reset: () => Promise<void>;
}

// The preloads sit beside this module: src/mock/ in this repo, dist/ in the package (the build copies them).
const here = path.dirname(fileURLToPath(import.meta.url));
const prismFixes = path.join(here, "prism-survives-odd-requests.cjs");
const reflectLayer = path.join(here, "reflect-answers.cjs");
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
  const {
    port = 0,
    host = "127.0.0.1",
    spec = bundledSpec,
    timeoutMs = 30_000,
    echo = false,
    reflect = true,
    stateful = false,
    contacts,
    contactsFile,
  } = options;
  if (stateful && !reflect)
    throw new TypeError(
      "startMock: `stateful: true` needs `reflect` (a mock that remembers answers with what it holds); " +
        "leave `reflect` out.",
    );
  if ((contacts !== undefined || contactsFile !== undefined) && !stateful)
    throw new TypeError("startMock: `contacts` seeds a stateful mock; add `stateful: true`.");
  if (contacts !== undefined && !Array.isArray(contacts))
    throw new TypeError("startMock: `contacts` must be an array of contacts, each with its `uuid`.");
  const env: Record<string, string> = {};
  let seedDir: string | undefined;
  if (stateful) env.CALLBELL_MOCK_STATEFUL = "1";
  if (contactsFile !== undefined) env.CALLBELL_MOCK_CONTACTS = contactsFile;
  if (contacts !== undefined) {
    // A file, not an environment variable: a few hundred contacts outgrow one. Read before Prism listens.
    seedDir = mkdtempSync(path.join(tmpdir(), "callbell-mock-"));
    env.CALLBELL_MOCK_CONTACTS = path.join(seedDir, "contacts.json");
    env.CALLBELL_MOCK_CONTACTS_LABEL = "the `contacts` option";
    env.CALLBELL_MOCK_CONTACTS_TEMP = "1";
    writeFileSync(env.CALLBELL_MOCK_CONTACTS, JSON.stringify(contacts));
  }
  const removeSeeds = () => seedDir !== undefined && rmSync(seedDir, { recursive: true, force: true });
  const preloads = reflect ? [prismFixes, reflectLayer] : [prismFixes];
  try {
    const running = await startPrism(
      ["mock", spec, "-h", host, "-p", String(port)],
      timeoutMs,
      echo,
      preloads,
      env,
    );
    removeSeeds();
    return withAdmin(running, stateful);
  } catch (error) {
    removeSeeds();
    throw error;
  }
}

/** The running mock's contacts() and reset(), over its admin paths. */
function withAdmin(running: RunningPrism, stateful: boolean): RunningMock {
  const admin = async (method: string, adminPath: string) => {
    if (!stateful)
      throw new Error(
        "This mock keeps no contacts: start it with `startMock({ stateful: true })` to use " +
          `${adminPath === "/__mock/reset" ? "reset()" : "contacts()"}.`,
      );
    const response = await fetch(`${running.url}${adminPath}`, { method });
    if (!response.ok)
      throw new Error(
        `The mock answered ${response.status} to ${method} ${adminPath}: ${await response.text()}`,
      );
    return response;
  };
  return {
    ...running,
    contacts: async () => (await (await admin("GET", "/__mock/contacts")).json()) as MockContact[],
    reset: async () => void (await admin("POST", "/__mock/reset")),
  };
}

/**
 * Starts `prism proxy --errors`: forwards every request to `upstream`, lists what breaks the spec
 * in an `sl-violations` header, and replaces a breaking request or answer by its own problem+json
 * (422 for the request, 500 for the upstream's answer).
 */
export async function startProxy(options: ProxyOptions): Promise<RunningMock> {
  const { upstream, port = 0, host = "127.0.0.1", spec = bundledSpec, timeoutMs = 30_000 } = options;
  return withAdmin(
    await startPrism(
      ["proxy", spec, upstream, "--errors", "-h", host, "-p", String(port)],
      timeoutMs,
      false,
      [prismFixes],
      {},
    ),
    false,
  );
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

type RunningPrism = Omit<RunningMock, "contacts" | "reset">;

function startPrism(
  args: string[],
  timeoutMs: number,
  echo: boolean,
  preloads: string[],
  env: Record<string, string>,
): Promise<RunningPrism> {
  const entry = prismEntry();
  // Node directly, not npx: npx's child would outlive a kill.
  const child = spawn(
    process.execPath,
    [...preloads.flatMap((preload) => ["--require", preload]), entry, ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    },
  );
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
        resolve({ url: match[1]!, stop, exited, pid: child.pid });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      // The reflecting layer refuses bad seed contacts with one line that says what to fix.
      const refusal = /^callbell-mock: (.*)$/m.exec(log);
      reject(
        new Error(
          refusal
            ? refusal[1]
            : `Prism exited (${signal ?? `code ${code}`}) before listening. Its output:\n${log}`,
        ),
      );
    });
  });
}
