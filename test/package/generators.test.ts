// The generator matrix: six client generators that teams already use, each run on the spec as
// the package ships it (generated/openapi.json from the packed tarball). Each must generate
// without a warning, type-check strict with the success body typed (not `any`, not `unknown`,
// not a union with the error body), and make one call against the Prism mock with each of the
// two envelopes, validating the answer with its own zod schemas where it makes them.
// The generators are pinned in test/package/generators/package.json and installed into
// .cache/generators/ (reused while the lockfile is unchanged), never into devDependencies. They
// run on Node 22 (scripts/ci/fetch-node.mjs): @hey-api/openapi-ts 0.99 and orval 8.38 need 22.18+.
// The generated clients are type-checked with TypeScript 5.9 and called on this Node (20).
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, afterAll, describe, expect, inject, it } from "vitest";
import { cacheDir, fetchNode } from "../../scripts/ci/fetch-node.mjs";
import { assertBuildIsFresh, cleanEnv, packTarball, root } from "../support/build.js";
import { uuid as SENT_UUID } from "./generators/calls/result.js";
import { spawnSyncBounded } from "../support/children.js";

const sources = path.join(root, "test", "package", "generators");
const project = path.join(cacheDir, "generators");
const bin = (name: string) => path.join(project, "node_modules", ".bin", name);

/** Each generator: the commands that write out/<name>/, run in the scratch project. */
const generators: { name: string; commands: string[][] }[] = [
  {
    name: "openapi-typescript",
    commands: [
      [
        bin("openapi-typescript"),
        "./callbell-openapi.json",
        "--output",
        "./out/openapi-typescript/schema.d.ts",
      ],
    ],
  },
  {
    name: "hey-api",
    commands: [
      [
        bin("openapi-ts"),
        "--input",
        "./callbell-openapi.json",
        "--output",
        "./out/hey-api",
        "--plugins",
        "@hey-api/client-fetch",
        "@hey-api/sdk",
        "zod",
      ],
    ],
  },
  { name: "orval", commands: [[bin("orval"), "--config", "./orval.config.mjs"]] },
  { name: "kubb", commands: [[bin("kubb"), "generate", "--config", "./kubb.config.mjs"]] },
  {
    name: "openapi-zod-client",
    commands: [
      [
        bin("openapi-zod-client"),
        "./callbell-openapi.json",
        "--output",
        "./out/openapi-zod-client/client.ts",
      ],
    ],
  },
  {
    name: "typed-openapi",
    // Its default runtime (TypeScript types) for the client, and its zod schemas beside them.
    // The whole client it writes with `--runtime zod` does not type-check with zod 3 or 4 (its
    // own `z.infer<TEndpoint>`), whatever the spec; it is only loaded (see below), not checked.
    commands: [
      [bin("typed-openapi"), "./callbell-openapi.json", "--output", "./out/typed-openapi/client.ts"],
      [
        bin("typed-openapi"),
        "./callbell-openapi.json",
        "--output",
        "./out/typed-openapi/schemas.zod.ts",
        "--runtime",
        "zod",
        "--schemas-only",
      ],
      [
        bin("typed-openapi"),
        "./callbell-openapi.json",
        "--output",
        "./out/typed-openapi/client.zod.ts",
        "--runtime",
        "zod",
      ],
    ],
  },
];

// A line that warns, in any of the generators' wordings ("WARN", "Warning:", "deprecated",
// openapi-zod-client's "were ignored").
const WARNING = /warn|deprecat|ignored|unsupported|not supported/i;

let node22: string;
let env: NodeJS.ProcessEnv;
let workDir: string;

/** A command in the scratch project, killed past `timeout` ms (default 100 s; vitest cannot stop a synchronous child). */
function run(command: string[], options: { node?: string; timeout?: number } = {}) {
  const [file, ...args] = command;
  const bounds = { cwd: project, env, timeout: options.timeout ?? 100_000 };
  const result = options.node
    ? spawnSyncBounded(options.node, [file!, ...args], bounds)
    : spawnSyncBounded(file!, args, bounds);
  return {
    status: result.status,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`,
  };
}

function mustRun(command: string[], options: { node?: string; timeout?: number } = {}) {
  const { status, output } = run(command, options);
  if (status !== 0)
    throw new Error(`\`${command.join(" ")}\` failed in ${project} (exit ${status}):\n${output}`);
  return output;
}

beforeAll(() => {
  assertBuildIsFresh();
  node22 = fetchNode(22);
  // Node 22 first on PATH, so that npm and the generators' `#!/usr/bin/env node` run on it.
  env = cleanEnv({
    PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH}`,
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    NO_UPDATE_NOTIFIER: "1",
  });

  // The scratch project: the committed sources, and node_modules kept while the lockfile is the same.
  mkdirSync(project, { recursive: true });
  for (const entry of ["calls", "out", "bundles"])
    rmSync(path.join(project, entry), { recursive: true, force: true });
  cpSync(sources, project, { recursive: true });
  const lock = createHash("sha256")
    .update(readFileSync(path.join(sources, "package-lock.json")))
    .digest("hex");
  const stamp = path.join(project, "node_modules", ".installed-from");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lock) {
    mustRun(["npm", "ci", "--ignore-scripts"], { timeout: 500_000 });
    writeFileSync(stamp, lock);
  }

  // The spec as shipped: out of the tarball `npm pack` makes of this checkout. CALLBELL_GENERATORS_SPEC
  // names another file instead, e.g. releases/openapi-0.1.0.json, to see what the matrix finds there.
  workDir = mkdtempSync(path.join(tmpdir(), "callbell-generators-"));
  const otherSpec = process.env.CALLBELL_GENERATORS_SPEC;
  if (otherSpec) {
    cpSync(path.resolve(root, otherSpec), path.join(project, "callbell-openapi.json"));
    return;
  }
  const { tarball } = packTarball(workDir);
  mustRun(["tar", "-xzf", tarball, "-C", workDir, "package/generated/openapi.json"]);
  cpSync(
    path.join(workDir, "package", "generated", "openapi.json"),
    path.join(project, "callbell-openapi.json"),
  );
}, 600_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe.each(generators)("$name", ({ name, commands }) => {
  it("generates from the packed spec without a warning", () => {
    mkdirSync(path.join(project, "out", name), { recursive: true });
    const output = commands.map((command) => mustRun(command)).join("\n");
    expect(
      readdirSync(path.join(project, "out", name)),
      `${name} wrote nothing into out/${name}`,
    ).not.toEqual([]);
    expect(output.split("\n").filter((line) => WARNING.test(line))).toEqual([]);
  }, 120_000);
});

describe("the generated clients", () => {
  it("type-check strict, each with its success body typed (TypeScript 5.9)", () => {
    const { status, output } = run([bin("tsc"), "-p", "tsconfig.json"], { node: process.execPath });
    expect(output).toBe("");
    expect(status).toBe(0);
  }, 180_000);

  const spec = JSON.parse(readFileSync(path.join(root, "generated", "openapi.json"), "utf8"));
  const examples = spec.paths["/contacts/{uuid}"].patch.responses["200"].content["application/json"].examples;
  const expected = (exampleName: string) => {
    const contact = spec.components.examples[examples[exampleName].$ref.split("/").at(-1)].value.contact;
    // The mock answers with what was sent: every call sends this uuid and the name "Joe Doe NEW".
    return {
      status: 200,
      envelope: Array.isArray(contact) ? "array" : "object",
      uuid: SENT_UUID,
      name: "Joe Doe NEW",
    };
  };

  /** Bundles a module of the scratch project (its packages stay external) and runs `script` after importing it as `module`. */
  function runBundled(entry: string, script: string) {
    const bundle = path.join(project, "bundles", `${path.basename(entry, ".ts")}.mjs`);
    mustRun([
      bin("esbuild"),
      entry,
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      "--packages=external",
      `--outfile=${bundle}`,
      "--log-level=warning",
    ]);
    // This Node (20), as the package's users on the oldest supported Node would.
    const output = mustRun([
      process.execPath,
      "--input-type=module",
      "--eval",
      `const module = await import(${JSON.stringify(`file://${bundle}`)});\n${script}`,
    ]);
    return JSON.parse(output.trim().split("\n").at(-1)!);
  }

  it.each(generators.map(({ name }) => name))(
    "%s: calls the mock, and reads both envelopes",
    (name) => {
      const [objectCall, arrayCall] = runBundled(
        `calls/${name}.ts`,
        `const results = [];
for (const prefer of ["example=objectEnvelope", "example=seedArrayEnvelope"]) results.push(await module.call(${JSON.stringify(inject("prismUrl"))}, prefer));
console.log(JSON.stringify(results));`,
      );
      expect(objectCall).toEqual(expected("objectEnvelope"));
      expect(arrayCall).toEqual(expected("seedArrayEnvelope"));
    },
    60_000,
  );

  it("typed-openapi: its whole zod client loads (no schema shadows a global its code extends) and accepts both envelopes", () => {
    const values = ["objectEnvelope", "seedArrayEnvelope"].map(
      (name) => spec.components.examples[examples[name].$ref.split("/").at(-1)].value,
    );
    const parsed = runBundled(
      "out/typed-openapi/client.zod.ts",
      `console.log(JSON.stringify(${JSON.stringify(values)}.map((value) => module.UpdateContactResponse.safeParse(value).success)));`,
    );
    expect(parsed).toEqual([true, true]);
  }, 60_000);
});
