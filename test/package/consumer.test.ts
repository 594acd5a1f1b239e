// Installs the packed package into fresh projects, as a team would, and proves that
// (a) the client imports, type-checks and runs, from ESM and from CommonJS, and
// (b) docs/regenerating.md's commands and file work as written,
// (c) docs/testing-with-the-mock.md's vitest and Jest (CommonJS and ESM) recipes contract-test code against startMock(),
// (d) the types are clean in strict projects on TypeScript 5.4, 5.9 and 7, and
// (e) esbuild and vite bundle it for the browser.
// One npm cache and --prefer-offline throughout; (c) to (e) share one install.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuildIsFresh, cleanEnv, packTarball, root } from "../support/build.js";
import { killAndWait, spawnSyncBounded } from "../support/children.js";

// Only the npm registry is reachable, and CI runs this every time: use the cache first.
const env = cleanEnv({
  npm_config_prefer_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
});

function run(command: string, cwd: string) {
  const result = spawnSyncBounded("sh", ["-c", command], { cwd, env });
  if (result.status !== 0)
    throw new Error(
      `\`${command}\` failed in ${cwd} (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  return result.stdout;
}

/** The fenced blocks of one page of docs/, in order. */
/** The code blocks of a docs page, up to the heading `until` when given (the part a TypeScript user follows). */
function docBlocks(page: string, until?: string) {
  const whole = readFileSync(path.join(root, "docs", page), "utf8");
  const end = until === undefined ? -1 : whole.indexOf(`\n${until}\n`);
  if (until !== undefined && end === -1) throw new Error(`docs/${page} has no heading "${until}".`);
  const text = end === -1 ? whole : whole.slice(0, end);
  return [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({
    lang: lang!,
    body: body!,
  }));
}

/** The page's commands, with the package installed from the tarball instead of the registry. */
function fromTarball(command: string, tarball: string) {
  const words = command.split(" ");
  if (words[0] !== "npm" || words[1] !== "install") return command;
  return words.map((word) => (word === "callbell-openapi" ? tarball : word)).join(" ");
}

let workDir: string;
let project: string;
let tarball: string;
let packedFiles: string[];

beforeAll(() => {
  assertBuildIsFresh();
  workDir = mkdtempSync(path.join(tmpdir(), "callbell-consumer-"));
  ({ tarball, files: packedFiles } = packTarball(workDir));

  // A team's repo: ESM, strict TypeScript resolving like Node, declaration files checked too.
  project = path.join(workDir, "team-repo");
  mkdirSync(path.join(project, "src"), { recursive: true });
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "team-repo", private: true, type: "module" }, null, 2),
  );
  writeFileSync(
    path.join(project, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          resolveJsonModule: true,
          skipLibCheck: false,
        },
        include: ["src"],
      },
      null,
      2,
    ),
  );
}, 60_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds the build, the bundled spec and the types, and nothing else of the repo", () => {
    const expected = [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "generated/openapi.json",
      "generated/openapi-3.0.json",
      "generated/openapi.yaml",
      "generated/mock-validators.cjs",
      "dist/prism-survives-odd-requests.cjs",
      "dist/reflect-answers.cjs",
    ];
    for (const entry of ["index", "schema", "bulk", "cli", "mock", "mock-cli"])
      expected.push(...["js", "cjs", "d.ts", "d.cts"].map((ext) => `dist/${entry}.${ext}`));
    for (const file of expected) expect(packedFiles).toContain(file);
    const stray = packedFiles.filter(
      (file) =>
        !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/[\w-]+\.(js|cjs|d\.ts|d\.cts)|generated\/openapi(-3\.0)?\.json|generated\/openapi\.yaml|generated\/mock-validators\.cjs)$/.test(
          file,
        ),
    );
    expect(stray).toEqual([]);
  });
});

describe("a team following docs/", () => {
  // One project for both parts: the page's installs also bring what part (a) needs.
  it("regenerates types from the package's openapi.json and type-checks a call (docs/regenerating.md)", () => {
    // The TypeScript part of the page; the other languages' recipes are run by test/generators/matrix.test.ts.
    const blocks = docBlocks("regenerating.md", "## Other languages");
    const commands = blocks.filter((block) => block.lang === "sh").flatMap((block) => block.body.split("\n"));
    const files = blocks.filter((block) => block.lang === "ts");
    expect(commands.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(files.length).toBeGreaterThanOrEqual(1);

    for (const file of files) {
      const name = /^\/\/ (\S+)\n/.exec(file.body)?.[1];
      if (!name) throw new Error("Each ts block in docs/regenerating.md starts with `// <path>`.");
      writeFileSync(path.join(project, name), file.body);
    }
    for (const command of commands.filter((line) => line.trim() && !line.startsWith("#")))
      run(fromTarball(command, tarball), project);

    // The types came from the package's spec, through its exports.
    const generated = readFileSync(path.join(project, "src", "callbell.d.ts"), "utf8");
    expect(generated).toContain('"/contacts/{uuid}"');
    expect(generated).toContain("ContactUpdate");
  }, 180_000);

  it("imports the client, its types and the spec, and type-checks a usage (including a refused field)", () => {
    writeFileSync(
      path.join(project, "src", "use-client.ts"),
      `import { createCallbellClient, CallbellAPIError, RateLimitError, type Contact, type ContactUpdate } from "callbell-openapi";
import type { paths } from "callbell-openapi/schema";
import spec from "callbell-openapi/openapi.json" with { type: "json" };

type Uuid = paths["/contacts/{uuid}"]["parameters"]["path"]["uuid"];

export async function rename(token: string, uuid: Uuid, name: string): Promise<Contact | undefined> {
  const callbell = createCallbellClient({ token });
  const update: ContactUpdate = { name, tags: ["Interested"] };
  try {
    return await callbell.updateContact(uuid, update);
  } catch (error) {
    if (error instanceof RateLimitError) return undefined;
    if (error instanceof CallbellAPIError) throw new Error(\`Callbell answered \${error.status}\`);
    throw error;
  }
}

// @ts-expect-error: not a field of ContactUpdate, so the package's types refuse it.
export const refused: ContactUpdate = { phone_number: "+391234567890" };
export const specTitle: string = spec.info.title;
`,
    );
    run("npx tsc --noEmit", project);
  }, 120_000);

  it("runs the client from ESM and from CommonJS (its own build, updateContact and callbell.api)", () => {
    const answer = `async () => new Response(JSON.stringify({ contact: [{ uuid: "abc", name: "Joe" }] }), { status: 200, headers: { "Content-Type": "application/json" } })`;
    writeFileSync(
      path.join(project, "run-esm.mjs"),
      `import { createCallbellClient } from "callbell-openapi";
import spec from "callbell-openapi/openapi.json" with { type: "json" };
const contact = await createCallbellClient({ token: "t0k3n", fetch: ${answer} }).updateContact("abc", { name: "Joe" });
console.log(JSON.stringify({ name: contact.name, server: spec.servers[0].url }));
`,
    );
    writeFileSync(
      path.join(project, "run-cjs.cjs"),
      `const { createCallbellClient, CallbellError } = require("callbell-openapi");
const callbell = createCallbellClient({ token: "t0k3n", fetch: ${answer} });
Promise.all([callbell.updateContact("abc", { name: "Joe" }), callbell.api.PATCH("/contacts/{uuid}", { params: { path: { uuid: "abc" } }, body: {} })])
  .then(([contact, { data }]) => console.log(typeof CallbellError, contact.name, data.contact[0].name));
`,
    );
    expect(JSON.parse(run("node run-esm.mjs", project))).toEqual({
      name: "Joe",
      server: "https://api.callbell.eu/v1",
    });
    expect(run("node run-cjs.cjs", project).trim()).toBe("function Joe Joe");
    // CommonJS gets the CommonJS build, not ESM through require(esm): Jest's CommonJS mode needs it.
    expect(run(`node -p 'require.resolve("callbell-openapi")'`, project).trim()).toMatch(/dist\/index\.cjs$/);
  }, 60_000);

  it("runs updateContacts from callbell-openapi/bulk, and the callbell-contacts command", () => {
    writeFileSync(
      path.join(project, "run-bulk.mjs"),
      `import { createCallbellClient, CallbellInputError, NotFoundError } from "callbell-openapi";
import { updateContacts } from "callbell-openapi/bulk";
let requests = 0;
const fetch = async (url) => {
  requests++;
  return String(url).endsWith("/gone")
    ? new Response("{}", { status: 404 })
    : new Response(JSON.stringify({ contact: { uuid: "abc", name: "Joe" } }), { status: 200, headers: { "Content-Type": "application/json" } });
};
const items = [{ uuid: "abc", update: { name: "Joe" } }, { uuid: "gone", update: { name: "X" } }, { uuid: "abc", update: {} }];
const results = [];
for await (const result of updateContacts(createCallbellClient({ token: "t0k3n", fetch }), items)) results.push(result);
results.sort((a, b) => a.index - b.index);
console.log(JSON.stringify({
  ok: results.map((result) => result.ok),
  typed: [results[1].error instanceof NotFoundError, results[2].error instanceof CallbellInputError],
  requests,
}));
`,
    );
    expect(JSON.parse(run("node run-bulk.mjs", project))).toEqual({
      ok: [true, false, false],
      typed: [true, true],
      requests: 2,
    });
    // CommonJS: the bulk entry's errors are the core entry's classes there too (one shared chunk per format).
    writeFileSync(
      path.join(project, "run-bulk.cjs"),
      `const { createCallbellClient, CallbellInputError, NotFoundError } = require("callbell-openapi");
const { updateContacts, NotSentError } = require("callbell-openapi/bulk");
const fetch = async (url) => String(url).endsWith("/gone")
  ? new Response("{}", { status: 404 })
  : new Response(JSON.stringify({ contact: { uuid: "abc", name: "Joe" } }), { status: 200, headers: { "Content-Type": "application/json" } });
(async () => {
  const results = [];
  const items = [{ uuid: "gone", update: { name: "X" } }, { uuid: "abc", update: { tags: ["a", "a"] } }];
  for await (const result of updateContacts(createCallbellClient({ token: "t0k3n", fetch }), items)) results.push(result);
  results.sort((a, b) => a.index - b.index);
  console.log(JSON.stringify([typeof NotSentError, results[0].error instanceof NotFoundError, results[1].error instanceof CallbellInputError]));
})();
`,
    );
    expect(JSON.parse(run("node run-bulk.cjs", project))).toEqual(["function", true, true]);
    expect(run(`node -p 'require.resolve("callbell-openapi/bulk")'`, project).trim()).toMatch(
      /dist\/bulk\.cjs$/,
    );
    expect(run("npx --no-install callbell-contacts --help", project)).toContain(
      "Usage: callbell-contacts update",
    );
    writeFileSync(path.join(project, "contacts.csv"), "uuid,name,tags\nabc,Joe,VIP|Interested\n");
    const dryRun = spawnSyncBounded(
      "sh",
      ["-c", "npx --no-install callbell-contacts update --input contacts.csv --dry-run"],
      { cwd: project, env, timeout: 30_000 },
    );
    expect(dryRun.stderr).toContain("1 row checked, all valid; nothing sent (--dry-run).");
    expect(dryRun.status).toBe(0);
  }, 60_000);

  it("is told how to install Prism when it asks for the mock without it", () => {
    const script = `import("callbell-openapi/mock").then((m) => m.startMock()).then(() => console.log("started"), (e) => console.log(e.message))`;
    expect(run(`node -e '${script}'`, project)).toContain(
      "npm install --save-dev @stoplight/prism-cli@5.14.2",
    );
  });
});

// Tool versions of the matrix, pinned; TypeScript by npm alias, so that three versions sit side by side.
const MATRIX_TOOLS = [
  "@stoplight/prism-cli@5.14.2",
  "jest@30.5.2",
  "vitest@4.1.12",
  "vite@7.3.8",
  "esbuild@0.28.2",
  "@types/node@20.19.43",
  "ts54@npm:typescript@5.4.5",
  "ts59@npm:typescript@5.9.3",
  "ts7@npm:typescript@7.0.2",
];

/** Writes files into dir, making folders; returns dir. */
function writeProject(dir: string, files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** The recipe files of docs/testing-with-the-mock.md, by the `// <path>` line each block starts with. */
function recipeFiles(firstFile: string, lastFile: string) {
  const blocks = docBlocks("testing-with-the-mock.md").filter((block) => block.lang === "js");
  const named = blocks.map((block) => ({ name: /^\/\/ (\S+)\n/.exec(block.body)?.[1], body: block.body }));
  const first = named.findIndex((block) => block.name === firstFile);
  const last = named.findIndex((block) => block.name === lastFile);
  if (first < 0 || last < first)
    throw new Error(
      `docs/testing-with-the-mock.md has no js blocks from "// ${firstFile}" to "// ${lastFile}".`,
    );
  return Object.fromEntries(named.slice(first, last + 1).map((block) => [block.name!, block.body]));
}

/** Jest's ESM mode, as docs/testing-with-the-mock.md says: `import` for `require`, `export default` for `module.exports =`. */
function asEsm(source: string) {
  return source
    .replace(/^const (\{[^}]*\}) = require\(("[^"]+")\);$/gm, "import $1 from $2;")
    .replace(/^module\.exports = /gm, "export default ");
}

// What a strict consumer writes every day: an env var that may be unset, an optional signal and
// trace id, type-only imports kept as `import {}` by verbatimModuleSyntax.
const STRICT_USAGE = `import { createCallbellClient, RateLimitError, type CallbellClient, type Contact } from "callbell-openapi";
import { type paths } from "callbell-openapi/schema";
import { updateContacts, NotSentError, type BulkResult } from "callbell-openapi/bulk";

type Uuid = paths["/contacts/{uuid}"]["parameters"]["path"]["uuid"];
declare const env: Record<string, string | undefined>;

export function makeClient(): CallbellClient {
  return createCallbellClient({ token: env["CALLBELL_API_TOKEN"], baseUrl: env["CALLBELL_URL"], maxRetries: env["CI"] ? 0 : undefined });
}

export async function rename(client: CallbellClient, uuid: Uuid, name: string, signal?: AbortSignal, traceId?: string): Promise<Contact | undefined> {
  try {
    return await client.updateContact(uuid, { name, custom_fields: { Город: "Рим" } }, { signal, headers: { "X-Trace-Id": traceId } });
  } catch (error) {
    if (error instanceof RateLimitError) return undefined;
    throw error;
  }
}

export async function tags(client: CallbellClient, uuid: Uuid): Promise<string[]> {
  const { data } = await client.api.PATCH("/contacts/{uuid}", { params: { path: { uuid } }, body: { tags: [] } });
  const contact = Array.isArray(data?.contact) ? data.contact[0] : data?.contact;
  return contact?.tags ?? [];
}

export async function tagAll(client: CallbellClient, uuids: Uuid[], signal?: AbortSignal): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  const rate = env["RATE"] ? Number(env["RATE"]) : undefined;
  for await (const result of updateContacts(client, uuids.map((uuid) => ({ uuid, update: { tags: ["Synced"] } })), { signal, ratePerSecond: rate, onProgress: undefined })) {
    if (!result.ok && result.error instanceof NotSentError) continue;
    results.push(result);
  }
  return results;
}
`;
/** The same in CommonJS under verbatimModuleSyntax, which wants `import x = require()` and no ESM exports. */
function asCommonJsUsage(source: string) {
  return source
    .replace(
      /^import \{ createCallbellClient, RateLimitError, type CallbellClient, type Contact \} from "callbell-openapi";$/m,
      `import callbellOpenapi = require("callbell-openapi");\nconst { createCallbellClient, RateLimitError } = callbellOpenapi;\ntype CallbellClient = callbellOpenapi.CallbellClient;\ntype Contact = callbellOpenapi.Contact;`,
    )
    .replace(
      /^import \{ updateContacts, NotSentError, type BulkResult \} from "callbell-openapi\/bulk";$/m,
      `import bulk = require("callbell-openapi/bulk");\nconst { updateContacts, NotSentError } = bulk;\ntype BulkResult = bulk.BulkResult;`,
    )
    .replace(
      /^import \{ startMock, type RunningMock \} from "callbell-openapi\/mock";$/m,
      `import mockModule = require("callbell-openapi/mock");\nconst { startMock } = mockModule;\ntype RunningMock = mockModule.RunningMock;`,
    )
    .replace(/^export (async function|function|const) /gm, "$1 ")
    .concat("\nexport = {};\n");
}

const NODE_USAGE = `import { startMock, type RunningMock } from "callbell-openapi/mock";
export const mock: Promise<RunningMock> = startMock({ port: 0, echo: false, timeoutMs: undefined });
`;

const strictOptions = {
  target: "ES2022",
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  noEmit: true,
};

describe("a team's projects (one install from the tarball: Jest, vitest, bundlers, three TypeScripts)", () => {
  let matrix: string;
  const bin = (name: string) => path.join(matrix, "node_modules", ".bin", name);

  beforeAll(() => {
    matrix = writeProject(path.join(workDir, "matrix"), {
      "package.json": JSON.stringify({ name: "matrix", private: true }),
    });
    run(
      `npm install --save-dev --save-exact --no-package-lock "${tarball}" ${MATRIX_TOOLS.map((tool) => `"${tool}"`).join(" ")}`,
      matrix,
    );
  }, 240_000);

  it("contract-tests code against startMock() with the vitest recipe of docs/testing-with-the-mock.md", () => {
    const dir = writeProject(path.join(matrix, "vitest"), {
      "package.json": JSON.stringify({ type: "module" }),
      ...recipeFiles("vitest.config.js", "test/contact-state.test.js"),
    });
    const out = run(`"${bin("vitest")}" run --reporter=verbose`, dir);
    expect(out).toMatch(/5 passed/);
    expect(out).toContain("a rename answers the renamed contact");
    expect(out).toContain("a second update keeps the first one's changes");
  }, 120_000);

  it("contract-tests code against startMock() with the Jest recipe of docs/testing-with-the-mock.md, in CommonJS and in ESM mode", () => {
    const files = recipeFiles("jest.config.cjs", "test/contacts.test.cjs");
    const cjs = writeProject(path.join(matrix, "jest-cjs"), {
      "package.json": JSON.stringify({ type: "commonjs" }),
      ...files,
    });
    const esm = writeProject(path.join(matrix, "jest-esm"), {
      "package.json": JSON.stringify({ type: "module" }),
      "jest.config.js": asEsm(files["jest.config.cjs"]!).replaceAll(".cjs", ".js"),
      "test/callbell-mock.js": asEsm(files["test/callbell-mock.cjs"]!),
      "test/callbell-mock-stop.js": asEsm(files["test/callbell-mock-stop.cjs"]!),
      "test/contacts.test.js": asEsm(files["test/contacts.test.cjs"]!),
    });
    expect(readFileSync(path.join(esm, "test", "contacts.test.js"), "utf8")).toMatch(/^import \{/m);
    // Jest reports on stderr; run() throws with both streams when a test fails.
    for (const [dir, nodeOptions] of [
      [cjs, ""],
      [esm, "--experimental-vm-modules"],
    ] as const) {
      const result = spawnSyncBounded(bin("jest"), ["--ci", "--verbose"], {
        cwd: dir,
        env: { ...env, NODE_OPTIONS: nodeOptions },
        timeout: 55_000,
      });
      const output = `${result.stdout}${result.stderr}`;
      expect(result.status, output).toBe(0);
      expect(output).toMatch(/Tests:\s+3 passed, 3 total/);
      expect(output).toContain("a rename answers the renamed contact");
    }
  }, 120_000);

  it("serves the same mock from the callbell-mock bin, for CI in other languages: stateful, it answers what was sent", async () => {
    const { spawn } = await import("node:child_process");
    const child = spawn(bin("callbell-mock"), ["--port", "0", "--quiet", "--stateful"], {
      cwd: matrix,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk) => {
          out += chunk;
          const match = /callbell-mock listening on (\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once("exit", (code) => reject(new Error(`callbell-mock exited (${code}): ${out}`)));
      });
      const answer = await fetch(`${url}/contacts/abc`, {
        method: "PATCH",
        headers: { authorization: "Bearer t", "content-type": "application/json", prefer: "code=429" },
        body: JSON.stringify({ name: "Joe" }),
      });
      expect(answer.status).toBe(429);
      // The issue's example: a rename with tags, then a note, to one uuid.
      const uuid = "c0ffee0000000000000000000000beef";
      const update = (body: unknown) =>
        fetch(`${url}/contacts/${uuid}`, {
          method: "PATCH",
          headers: { authorization: "Bearer t", "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      expect(
        ((await (await update({ name: "Zed", tags: ["A"] })).json()) as { contact: object }).contact,
      ).toMatchObject({ uuid, name: "Zed", tags: ["A"] });
      const second = ((await (await update({ note: "n" })).json()) as { contact: object }).contact;
      expect(second).toMatchObject({ uuid, name: "Zed", tags: ["A"], note: "n" });
      expect(await (await fetch(`${url}/__mock/contacts`)).json()).toEqual([second]);
    } finally {
      await killAndWait(child);
    }
  }, 60_000);

  it.each([
    ["5.4", "ts54"],
    ["5.9", "ts59"],
    ["7", "ts7"],
  ])(
    "type-checks strict projects (exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax) on TypeScript %s",
    (_, alias) => {
      const tsc = path.join(matrix, "node_modules", alias, "bin", "tsc");
      const setups = {
        // A Node service in ESM; TypeScript 7 defaults `types` to [], so Node's must be named.
        "nodenext-esm": {
          type: "module",
          options: { module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022"], types: ["node"] },
          node: true,
        },
        // The same service in CommonJS: `import` becomes require(), which resolves to the .d.cts types.
        "nodenext-cjs": {
          type: "commonjs",
          options: { module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022"], types: ["node"] },
          node: true,
        },
        // A browser app: a bundler's resolution, DOM and no Node types.
        bundler: {
          type: "module",
          options: { module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: [] },
          node: false,
        },
      };
      for (const [name, setup] of Object.entries(setups)) {
        const dir = writeProject(path.join(matrix, `types-${alias}`, name), {
          "package.json": JSON.stringify({ type: setup.type }),
          "tsconfig.json": JSON.stringify({
            compilerOptions: { ...strictOptions, ...setup.options },
            include: ["src"],
          }),
          "src/usage.ts": setup.type === "commonjs" ? asCommonJsUsage(STRICT_USAGE) : STRICT_USAGE,
          ...(setup.node
            ? { "src/node-usage.ts": setup.type === "commonjs" ? asCommonJsUsage(NODE_USAGE) : NODE_USAGE }
            : {}),
        });
        const result = spawnSyncBounded(process.execPath, [tsc, "-p", "."], {
          cwd: dir,
          env,
          timeout: 30_000,
        });
        expect(result.status, `${alias} ${name}:\n${result.stdout}${result.stderr}`).toBe(0);
      }
      // The declaration files really were checked: a wrong call in the same setup fails.
      const wrong = writeProject(path.join(matrix, `types-${alias}`, "wrong"), {
        "package.json": JSON.stringify({ type: "module" }),
        "tsconfig.json": JSON.stringify({
          compilerOptions: { ...strictOptions, ...setups["nodenext-esm"].options },
          include: ["src"],
        }),
        "src/usage.ts": `import { createCallbellClient } from "callbell-openapi";\ncreateCallbellClient({ token: 42 });\n`,
      });
      const refused = spawnSyncBounded(process.execPath, [tsc, "-p", "."], {
        cwd: wrong,
        env,
        timeout: 30_000,
      });
      expect(refused.status).not.toBe(0);
      expect(`${refused.stdout}`).toMatch(/TS2322|TS2769|TS2345/);
    },
    120_000,
  );

  it("loads ./schema at run time, from what verbatimModuleSyntax emits (ESM and CommonJS)", () => {
    const dir = writeProject(path.join(matrix, "schema-runtime"), {
      "package.json": JSON.stringify({ type: "module" }),
      "src/esm.ts": `import { type paths } from "callbell-openapi/schema";\nexport type P = paths;\nconsole.log("esm loaded");\n`,
      "src/cjs.cts": `import { type paths } from "callbell-openapi/schema";\nexport type P = paths;\nconsole.log("cjs loaded");\n`,
      "tsconfig.json": JSON.stringify({
        compilerOptions: {
          ...strictOptions,
          noEmit: false,
          outDir: "out",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
        },
        include: ["src"],
      }),
    });
    run(`node "${path.join(matrix, "node_modules", "ts59", "bin", "tsc")}" -p .`, dir);
    expect(readFileSync(path.join(dir, "out", "esm.js"), "utf8")).toContain(
      'import {} from "callbell-openapi/schema"',
    );
    expect(readFileSync(path.join(dir, "out", "cjs.cjs"), "utf8")).toContain(
      'require("callbell-openapi/schema")',
    );
    expect(run("node out/esm.js && node out/cjs.cjs", dir)).toBe("esm loaded\ncjs loaded\n");
  }, 60_000);

  it("bundles for the browser with esbuild and vite, and the bundles run", () => {
    const app = `import { createCallbellClient } from "callbell-openapi";
import {} from "callbell-openapi/schema";
const reply = async () => new Response(JSON.stringify({ contact: { uuid: "abc", name: "Joe" } }), { headers: { "Content-Type": "application/json" } });
const contact = await createCallbellClient({ token: "t0k3n", fetch: reply, headers: { "X-Trace-Id": "1" } }).updateContact("abc", { name: "Joe" });
console.log(contact.name);
`;
    const dir = writeProject(path.join(matrix, "bundlers"), {
      "package.json": JSON.stringify({ type: "module" }),
      "src/app.js": app,
      "vite.config.js": `export default { logLevel: "warn", build: { outDir: "out-vite", minify: true, lib: { entry: "src/app.js", formats: ["es"], fileName: "app" } } };\n`,
    });
    run(
      `"${bin("esbuild")}" src/app.js --bundle --minify --platform=browser --format=esm --log-level=warning --outfile=out-esbuild/app.js`,
      dir,
    );
    run(`"${bin("vite")}" build`, dir);
    for (const bundle of ["out-esbuild/app.js", "out-vite/app.js"]) {
      // Browser-safe: nothing of Node made it in.
      expect(readFileSync(path.join(dir, bundle), "utf8")).not.toMatch(/["']node:|require\(/);
      expect(run(`node ${bundle}`, dir).trim()).toBe("Joe");
    }
  }, 120_000);
});
