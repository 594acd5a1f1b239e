// Installs the packed package into a fresh project, as a team would, and proves that
// (a) the client imports, type-checks and runs, from ESM and from CommonJS, and
// (b) the README's "Regenerate in your repo" commands and file work as written.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuildIsFresh, cleanEnv, root } from "../support/build.js";

// Only the npm registry is reachable, and CI runs this every time: use the cache first.
const env = cleanEnv({
  npm_config_prefer_offline: "true",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
});

function run(command: string, cwd: string) {
  const result = spawnSync("sh", ["-c", command], { cwd, env, encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`\`${command}\` failed in ${cwd} (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** The fenced blocks of one `## ` section of the README, in order. */
function readmeBlocks(heading: string) {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section.`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang: lang!, body: body! }));
}

/** The README's commands, with the package installed from the tarball instead of the registry. */
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
  // --ignore-scripts: prepack's build already ran (npm test builds first), and rebuilding dist/
  // here would race the other test files that load it.
  const packed = JSON.parse(run(`npm pack --json --ignore-scripts --pack-destination "${workDir}"`, root)) as [
    { filename: string; files: { path: string }[] },
  ];
  tarball = path.join(workDir, packed[0].filename);
  packedFiles = packed[0].files.map((file) => file.path);

  // A team's repo: ESM, strict TypeScript resolving like Node, declaration files checked too.
  project = path.join(workDir, "team-repo");
  mkdirSync(path.join(project, "src"), { recursive: true });
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "team-repo", private: true, type: "module" }, null, 2));
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
    for (const file of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts", "generated/openapi.json", "generated/openapi.yaml", "generated/schema.d.ts"])
      expect(packedFiles).toContain(file);
    const stray = packedFiles.filter(
      (file) => !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+\.(js|d\.ts)|generated\/(openapi\.json|openapi\.yaml|schema\.d\.ts|contact-validators\.(js|d\.ts)))$/.test(file),
    );
    expect(stray).toEqual([]);
  });
});

describe("a team following the README", () => {
  // One project for both parts: the README's installs also bring what part (a) needs.
  it("regenerates types from the package's openapi.json and type-checks a call (README, Regenerate in your repo)", () => {
    const blocks = readmeBlocks("Regenerate in your repo");
    const commands = blocks.filter((block) => block.lang === "sh").flatMap((block) => block.body.split("\n"));
    const files = blocks.filter((block) => block.lang === "ts");
    expect(commands.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(files.length).toBeGreaterThanOrEqual(1);

    for (const file of files) {
      const name = /^\/\/ (\S+)\n/.exec(file.body)?.[1];
      if (!name) throw new Error("Each ts block in the README's Regenerate section starts with `// <path>`.");
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

  it("runs the client from ESM and from CommonJS (require of an ES module, Node 20.19 and later)", () => {
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
console.log(typeof createCallbellClient, typeof CallbellError);
`,
    );
    expect(JSON.parse(run("node run-esm.mjs", project))).toEqual({ name: "Joe", server: "https://api.callbell.eu/v1" });
    expect(run("node run-cjs.cjs", project).trim()).toBe("function function");
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
    expect(JSON.parse(run("node run-bulk.mjs", project))).toEqual({ ok: [true, false, false], typed: [true, true], requests: 2 });
    expect(run("npx --no-install callbell-contacts --help", project)).toContain("Usage: callbell-contacts update");
    writeFileSync(path.join(project, "contacts.csv"), "uuid,name,tags\nabc,Joe,VIP|Interested\n");
    const dryRun = spawnSync("sh", ["-c", "npx --no-install callbell-contacts update --input contacts.csv --dry-run"], { cwd: project, env, encoding: "utf8" });
    expect(dryRun.stderr).toContain("1 row checked, all valid; nothing sent (--dry-run).");
    expect(dryRun.status).toBe(0);
  }, 60_000);
});
