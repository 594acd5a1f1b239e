// The docs' code samples. Each one a toolchain here can run is run as a real program against
// the Prism mock, with only the base URL changed (Rust's built by cargo first); C# is parsed and
// its request is compared with the spec's example.
import { execFile, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it, type TestContext } from "vitest";
import { generatorsCache } from "../../scripts/generators/matrix.mjs";
import { inCI } from "../../scripts/lib/toolchains.mjs";
import { sampleLanguages, TOKEN_VARIABLE } from "../../scripts/spec/code-samples.mjs";
import { csharpRequest, type SampleRequest } from "../support/code-sample-syntax.js";
import { startRecordingProxy } from "../support/recording-proxy.js";
import { requireToolchain, SKIP_NOTE_PREFIX } from "../support/toolchains.js";
import { requestExamples, resolve, schemaValidator, spec } from "../support/spec.js";

const prismUrl = inject("prismUrl");
const root = path.resolve(".");

// What every sample must send, read from the spec (not from the samples' generator).
const serverUrl: string = spec.servers[0].url;
const pathItem = spec.paths["/contacts/{uuid}"];
const uuid: string = resolve(pathItem.parameters[0]).example;
// The samples read the token from the environment; the runs set it to this.
const sampleToken = "test_token_from_the_environment";
const firstExample = Object.values(requestExamples())[0];
const expected = {
  method: "PATCH",
  path: `/contacts/${uuid}`,
  headers: {
    authorization: `Bearer ${sampleToken}`,
    "content-type": "application/json",
    accept: "application/json",
  },
  body: firstExample,
};
const validResponse = schemaValidator("UpdateContactResponse");

// What the docs page shows, and the files generated/samples/ holds.
const docsSpec = JSON.parse(readFileSync(path.join(root, "generated", "openapi-with-samples.json"), "utf8"));
const shown: { lang: string; label: string; source: string }[] =
  docsSpec.paths["/contacts/{uuid}"].patch["x-codeSamples"];
const sampleFile = (label: string) =>
  sampleLanguages.find((language) => language.label === label)!.file("updateContact");
const source = (label: string) => shown.find((sample) => sample.label === label)!.source;

const scratch = mkdtempSync(path.join(tmpdir(), "callbell-samples-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Go builds into a cache that outlives the run (so the second run is fast) and never downloads.
const goCache = path.join(tmpdir(), "callbell-openapi-go");
const goEnv = {
  GOCACHE: path.join(goCache, "build"),
  GOPATH: path.join(goCache, "path"),
  GOTOOLCHAIN: "local",
  GOPROXY: "off",
  GOFLAGS: "",
  GOTELEMETRY: "off",
};

// Rust builds with the generator matrix's pinned crates (test/generators/rust/code-sample/: its
// Cargo.toml and Cargo.lock) into the matrix's cargo home and target folder, so reqwest and tokio
// compile once for both; warnings are errors there too (the same flags keep one build).
const rustCrate = path.join(root, "test", "generators", "rust", "code-sample");
const rustCache = path.join(generatorsCache, "rust");
const rustEnv = {
  CARGO_HOME: path.join(rustCache, "cargo-home"),
  CARGO_TARGET_DIR: path.join(rustCache, "target"),
  RUSTFLAGS: "-D warnings",
  CARGO_TERM_COLOR: "never",
};
const cargoFound = spawnSync("cargo", ["--version"], { stdio: "ignore" }).status === 0;
const cargoMissing = `${SKIP_NOTE_PREFIX}Rust: no working \`cargo\`: the Rust code sample needs Rust (cargo 1.88 or later) and Debian's libssl-dev and pkg-config (reqwest's native-tls)`;
/** Copies the crate's Cargo.toml and Cargo.lock beside the sample, as a user's project holds them. */
const rustProject = (dir: string) => {
  for (const file of ["Cargo.toml", "Cargo.lock"])
    copyFileSync(path.join(rustCrate, file), path.join(dir, file));
};
const cargo = (args: string[], cwd: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; output: string }>((done) =>
    execFile("cargo", args, { cwd, env, timeout: 900_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      done({
        code: error ? (typeof error.code === "number" ? error.code : null) : 0,
        output: `${stdout}${stderr}`,
      }),
    ),
  );

// Fetches the crates (the only step that reaches crates.io) and builds them once, before the
// runs below, which build offline: a cold build on a busy 2-core machine takes minutes.
let rustWarmUp: { code: number | null; output: string } | undefined;
beforeAll(async () => {
  if (!cargoFound) return;
  const dir = mkdtempSync(path.join(tmpdir(), "callbell-rust-sample-"));
  try {
    rustProject(dir);
    writeFileSync(
      path.join(dir, "updateContact.rs"),
      readFileSync(path.join(root, "generated", "samples", "updateContact.rs"), "utf8"),
    );
    const env = { ...process.env, ...rustEnv };
    rustWarmUp = await cargo(["fetch", "--locked"], dir, env);
    if (rustWarmUp.code === 0) rustWarmUp = await cargo(["build", "--locked", "--offline"], dir, env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 900_000);

interface Toolchain {
  /** Its name in scripts/lib/toolchains.mjs, where what it needs and how to get it are listed. */
  needs?: string;
  /** Checks what the toolchain needs when scripts/lib/toolchains.mjs does not list it (skips or fails). */
  require?: (context: TestContext) => void;
  /** The program to run, when it is not the one scripts/lib/toolchains.mjs finds. */
  command?: string;
  args: (file: string) => string[];
  env?: Record<string, string>;
  /** Sets up the folder the program runs in, as a user's project would be. */
  prepare?: (dir: string) => void;
  /** The JSON the program prints, given the body Prism answered with. */
  prints: (responseBody: any) => unknown;
}

const printsBody = (responseBody: any) => responseBody;
const toolchains: Record<string, Toolchain> = {
  cURL: { needs: "cURL", command: "sh", args: (file) => [file], prints: printsBody },
  Node: {
    command: process.execPath,
    args: (file) => [file],
    // `callbell-openapi` resolves to this package (its built dist/), as after `npm install`.
    prepare: (dir) => {
      if (!existsSync(path.join(root, "dist", "index.js")))
        throw new Error("dist/ is not built: run `npm run build` (npm test does).");
      mkdirSync(path.join(dir, "node_modules"));
      symlinkSync(root, path.join(dir, "node_modules", "callbell-openapi"), "dir");
    },
    // The client returns the contact out of either envelope.
    prints: (responseBody) =>
      Array.isArray(responseBody.contact) ? responseBody.contact[0] : responseBody.contact,
  },
  Ruby: { needs: "Ruby", args: (file) => [file], prints: printsBody },
  Go: { needs: "Go", args: (file) => ["run", file], env: goEnv, prints: printsBody },
  PHP: { needs: "PHP", args: (file) => [file], prints: printsBody },
  Python: { needs: "Python", args: (file) => [file], prints: printsBody },
  Java: { needs: "Java", args: (file) => [file], prints: printsBody },
  Rust: {
    command: "cargo",
    require: (context) => {
      if (!cargoFound) {
        if (inCI) throw new Error(`${cargoMissing}. Under CI a missing toolchain is a failure, not a skip.`);
        context.skip(cargoMissing);
      }
      if (rustWarmUp?.code !== 0)
        throw new Error(
          `The Rust sample's crates did not fetch and build:\n${rustWarmUp?.output.slice(-4000)}`,
        );
    },
    // Builds the sample (offline: the warm-up fetched) and runs it; cargo's own lines go to stderr.
    args: () => ["run", "--quiet", "--locked", "--offline", "--bin", "update-contact"],
    env: rustEnv,
    prepare: rustProject,
    prints: printsBody,
  },
};

const syntaxCheckers: Record<string, (source: string) => Promise<SampleRequest>> = {
  "C#": csharpRequest,
};

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }>((done) => {
    execFile(command, args, { ...options, timeout: 120_000, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      done({ code, stdout, stderr, error: error ?? undefined });
    });
  });
}

/** The environment minus proxy settings, which would send the program's request elsewhere. */
function programEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/_proxy$/i.test(name)));
  return { ...env, NO_PROXY: "127.0.0.1", ...extra };
}

describe("the docs' code samples", () => {
  it("are Callbell's nine languages, in its order, each also a file in generated/samples/", () => {
    expect(shown.map((sample) => sample.label)).toEqual([
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
    for (const { label, source } of shown)
      expect(readFileSync(path.join(root, "generated", "samples", sampleFile(label)), "utf8"), label).toBe(
        source,
      );
  });

  it("each name the spec's server URL exactly once, so that pointing one elsewhere changes one string", () => {
    for (const { label, source } of shown) expect(source.split(serverUrl).length - 1, label).toBe(1);
  });

  it("are each either run against the mock or checked without running, as scripts/spec/code-samples.mjs says", () => {
    const by = (checkedBy: string) =>
      sampleLanguages.filter((language) => language.checkedBy === checkedBy).map(({ label }) => label);
    expect(Object.keys(toolchains)).toEqual(by("mock"));
    expect(Object.keys(syntaxCheckers)).toEqual(by("syntax"));
  });

  it("are introduced on the docs page with how each is checked", () => {
    expect(docsSpec.info.description.replace(/\s+/g, " ")).toContain(
      "the cURL, Node, Ruby, Go, PHP, Python, Java and Rust samples run against a mock of this contract, once answered `200` and once `422`; the C# samples are parsed",
    );
  });
});

// A cold Go build or JVM start on a busy 2-core machine takes time.
const slowStart = { timeout: 150_000 };

describe.concurrent("each runnable sample, run against the Prism mock with only the base URL changed", () => {
  it.for<[string, Toolchain]>(Object.entries(toolchains))(
    "%s gets a 200 and a contact that matches the spec",
    slowStart,
    async ([label, toolchain], context) => {
      const { result, exchanges } = await runSampleAgainstMock(context, label, toolchain, { dirName: label });
      expect(result.code, `${label} exited with ${result.code}:\n${result.stderr}${result.stdout}`).toBe(0);

      expect(exchanges).toHaveLength(1);
      const [exchange] = exchanges;
      expect(exchange!.method).toBe(expected.method);
      expect(exchange!.path).toBe(expected.path);
      expect(exchange!.headers).toMatchObject(expected.headers);
      expect(JSON.parse(exchange!.body)).toEqual(expected.body);

      expect(exchange!.status, exchange!.responseBody).toBe(200);
      const responseBody = JSON.parse(exchange!.responseBody);
      expect(validResponse(responseBody), JSON.stringify(validResponse.errors)).toBe(true);
      expect(JSON.parse(result.stdout), "what the program printed").toEqual(toolchain.prints(responseBody));
    },
  );
});

describe("the samples no toolchain here can run, parsed and compared with the example", () => {
  it.each(Object.entries(syntaxCheckers))(
    "%s parses and sends the example request",
    async (label, readRequest) => {
      const request = await readRequest(source(label));
      expect(request.method).toBe(expected.method);
      expect(request.url).toBe(`${serverUrl}${expected.path}`);
      // The checkers show a token read from the environment as `$NAME`.
      expect(Object.fromEntries(request.headers.map(([name, value]) => [name.toLowerCase(), value]))).toEqual(
        {
          ...expected.headers,
          authorization: `Bearer $${TOKEN_VARIABLE}`,
        },
      );
      expect(JSON.parse(request.body)).toEqual(expected.body);
    },
  );

  it.each(Object.entries(syntaxCheckers))(
    "%s without its last closing brace fails the check",
    async (label, readRequest) => {
      await expect(readRequest(source(label).trimEnd().slice(0, -1))).rejects.toThrow(/Syntax error/);
    },
  );
});

describe("the samples a reader pastes", () => {
  it("hold no token: each reads CALLBELL_API_TOKEN from the environment", () => {
    for (const { label, source } of shown) {
      expect(source, label).toContain(TOKEN_VARIABLE);
      expect(source, label).not.toMatch(/Bearer test_|test_[A-Za-z0-9]{20,}/);
    }
  });

  it("send the first request example, whose custom fields are all strings (as Callbell's type table asks)", () => {
    const customFields = (firstExample as { custom_fields?: Record<string, unknown> }).custom_fields ?? {};
    expect(Object.keys(customFields).length).toBeGreaterThan(0);
    for (const value of Object.values(customFields))
      expect(typeof value === "string" || Array.isArray(value)).toBe(true);
  });
});

/** Runs one sample against the mock behind a recording proxy; returns the program's result and the exchanges. */
async function runSampleAgainstMock(
  context: TestContext,
  label: string,
  toolchain: Toolchain,
  { dirName, addHeaders }: { dirName: string; addHeaders?: Record<string, string> },
) {
  const found = toolchain.needs && requireToolchain(context, toolchain.needs);
  toolchain.require?.(context);
  const command = toolchain.command ?? found!;
  const proxy = await startRecordingProxy(prismUrl, { addHeaders });
  try {
    const dir = path.join(scratch, dirName);
    mkdirSync(dir);
    toolchain.prepare?.(dir);
    const file = sampleFile(label);
    writeFileSync(path.join(dir, file), source(label).replace(serverUrl, proxy.url));
    const result = await run(command, toolchain.args(file), {
      cwd: dir,
      env: programEnv({ ...toolchain.env, [TOKEN_VARIABLE]: sampleToken }),
    });
    return { result, exchanges: proxy.exchanges };
  } finally {
    await proxy.close();
  }
}

describe.concurrent(
  "each runnable sample, answered 422 by the mock (Prefer: code=422 added on the way)",
  () => {
    it.for<[string, Toolchain]>(Object.entries(toolchains))(
      "%s exits non-zero and shows the status and the body",
      slowStart,
      async ([label, toolchain], context) => {
        const { result, exchanges } = await runSampleAgainstMock(context, label, toolchain, {
          dirName: `${label}-422`,
          addHeaders: { Prefer: "code=422" },
        });
        expect(exchanges).toHaveLength(1); // a 422 is not retried, by the Node client either
        expect(exchanges[0]!.status, exchanges[0]!.responseBody).toBe(422);
        expect(
          result.code,
          `${label} exited with ${result.code}:\n${result.stderr}${result.stdout}`,
        ).not.toBe(0);
        expect(result.code).not.toBeNull(); // ended by its own exit, not killed by the timeout
        const output = `${result.stdout}${result.stderr}`;
        expect(output, label).toContain("422");
        // The body as Prism sent it: each of its string values appears in what the program printed.
        const strings =
          JSON.stringify(JSON.parse(exchanges[0]!.responseBody)).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
        expect(strings.length).toBeGreaterThan(0);
        for (const text of strings) expect(output, `${label} shows ${text}`).toContain(JSON.parse(text));
      },
    );
  },
);
