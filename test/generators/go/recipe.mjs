// The Go cells of the generator matrix (issue 17): oapi-codegen and openapi-generator's `go`.
// One Go module (this folder's go.mod and go.sum) pins oapi-codegen (a `tool` directive) and the
// runtime modules the two generated clients import; the test copies it into the cell's scratch
// folder with the generated package (./out), the cell's call program (./main.go) and the Report it
// prints (./report), as a user's module would hold them. Every Go download and build stays under
// the cell's .cache folder.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  openapiGenerator,
  openapiGeneratorCommand,
  openapiGeneratorInstall,
  openapiGeneratorWarnings,
} from "../../../scripts/generators/matrix.mjs";

/** Go's environment for every step: the caches under {cache}, the modules as go.sum pins them, no download. */
const goEnv = {
  GOPATH: "{cache}/path",
  GOMODCACHE: "{cache}/mod",
  GOCACHE: "{cache}/build",
  GOFLAGS: "-mod=readonly -buildvcs=false",
  GOTOOLCHAIN: "local",
  GOTELEMETRY: "off",
  GOPROXY: "off",
  CGO_ENABLED: "0",
};

/**
 * Downloads the modules go.sum pins (oapi-codegen and the clients' runtime modules) into
 * {cache}/mod and builds oapi-codegen once (Go caches the tool's binary in {cache}/build); skipped
 * while go.mod and go.sum are unchanged.
 * @param {import("../../../scripts/generators/matrix.mjs").Context} ctx
 */
function setup(ctx) {
  const lock = createHash("sha256");
  for (const file of ["go.mod", "go.sum"]) lock.update(readFileSync(path.join(ctx.here, file)));
  const hash = lock.digest("hex");
  const stamp = path.join(ctx.cache, "go-modules.stamp");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  const env = Object.fromEntries(
    Object.entries(goEnv)
      .filter(([name]) => name !== "GOPROXY")
      .map(([name, value]) => [name, value.replace("{cache}", ctx.cache)]),
  );
  for (const argv of [
    ["go", "mod", "download"],
    ["go", "tool", "oapi-codegen", "-version"],
  ]) {
    const result = ctx.run(argv, { cwd: ctx.here, env, timeoutMs: 900_000 });
    if (result.status !== 0)
      throw new Error(
        `\`${argv.join(" ")}\` in test/generators/go/ failed (it needs Go 1.26 or later and the Go module proxy):\n${result.output.slice(-3000)}`,
      );
  }
  writeFileSync(stamp, hash);
}

const callProgram = (folder) => [
  // The user's module: this folder's go.mod and go.sum, the call program beside the generated package.
  { stage: "compile", docs: false, command: ["cp", "{here}/go.mod", "{here}/go.sum", "{work}/"] },
  { stage: "compile", docs: false, command: ["cp", `{here}/${folder}/main.go`, "{work}/main.go"] },
  { stage: "compile", docs: false, command: ["cp", "-R", "{here}/report", "{work}/report"] },
  { stage: "compile", docs: false, command: ["go", "vet", "./..."], env: goEnv },
  { stage: "compile", docs: false, command: ["go", "build", "-o", "{work}/call", "."], env: goEnv },
  { stage: "call", docs: false, command: ["{work}/call"] },
];

/** @type {import("../../../scripts/generators/matrix.mjs").Cell[]} */
export const cells = [
  {
    id: "go-oapi-codegen",
    language: "Go",
    generator: "oapi-codegen",
    version: "2.8.2",
    description: "3.1",
    install: "go get -tool github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2",
    commands: ["go"],
    setup,
    steps: [
      // `go tool` runs the oapi-codegen your go.mod pins; the configuration sits beside it.
      {
        stage: "generate",
        docs: false,
        command: ["cp", "{here}/go.mod", "{here}/go.sum", "{here}/oapi-codegen.yaml", "{work}/"],
      },
      {
        stage: "generate",
        command: [
          "go",
          "tool",
          "oapi-codegen",
          "-config",
          "oapi-codegen.yaml",
          "-o",
          "{out}/callbell.gen.go",
          "{spec}",
        ],
        env: goEnv,
      },
      ...callProgram("oapi-codegen").slice(1),
    ],
    contactType: "callbell.Contact",
    errorType: "*callbell.ErrorBody",
    caveats: [
      'Fed the 3.1 description (v2.8.0 and later read 3.1). v2.8.2 reads a `type` list only as one type plus `"null"`: a list of two types and `"null"` stops it (`unhandled Schema type: &[string boolean]`). This contract writes `Channel.discardedAt` as an `anyOf` of string, boolean and null for that reason (the same values); keep to that form if you extend it. We found no upstream issue for this.',
      "`oapi-codegen.yaml` holds `package: callbell`, `generate: {models: true, client: true}` and `output-options: {resolve-type-name-collisions: true}`. Without that last option the generated code does not compile: the operation's response wrapper is named `UpdateContactResponse`, the same as the contract's schema ([oapi-codegen#1474](https://github.com/oapi-codegen/oapi-codegen/issues/1474)). With it, the wrapper becomes `UpdateContactResponse2`.",
      "Use `ClientWithResponses`. `UpdateContactWithResponse` returns the wrapper: `JSON200` is the typed body, and `JSON422` (and each other documented status) is a typed `*ErrorBody`. A non-2xx answer is not a Go `error`, so check `StatusCode()`.",
      "`contact` is a union: `AsUpdateContactResponseContact1()` gives the array of one and `AsContact()` the `Contact`. Try the array first, because an array never decodes as a Contact.",
      "Every `Contact` field is a pointer, `uuid` too: oapi-codegen makes a required `readOnly` property optional. `number` becomes `float32`, so custom-field numbers beyond its precision are rounded.",
    ],
  },
  {
    id: "go-openapi-generator",
    language: "Go",
    generator: "openapi-generator go",
    version: openapiGenerator.version,
    description: "3.1",
    install: openapiGeneratorInstall,
    commands: ["java", "go"],
    steps: [
      {
        stage: "generate",
        command: openapiGeneratorCommand(
          "go",
          "--additional-properties",
          "packageName=callbell,withGoMod=false,disallowAdditionalPropertiesIfNotPresent=false",
          "--global-property",
          "apiTests=false,modelTests=false",
        ),
        // A short-lived JVM: the first JIT tier only and the serial collector halve its time here
        // (the generated files are the same); the docs show the plain command.
        env: { JAVA_TOOL_OPTIONS: "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" },
      },
      ...callProgram("openapi-generator"),
    ],
    knownWarnings: [...openapiGeneratorWarnings],
    contactType: "callbell.Contact",
    errorType: "*callbell.GenericOpenAPIError",
    caveats: [
      'Feed it the **3.1** description. It prints that its 3.1 support "is still in beta", but it reads everything this contract uses. Nullable fields (type lists with `"null"`) become its `Nullable...` wrappers, and `discardedAt`\'s three types become a typed union.',
      "Pass `disallowAdditionalPropertiesIfNotPresent=false`. Without it, the generator treats every schema that has no `additionalProperties` as closed. Its `Contact` decoder then rejects any field the contract does not list, although the contract allows such fields. With it, those fields land in `AdditionalProperties`.",
      "`withGoMod=false` puts the package (`callbell`) inside your own module. Its one import outside the standard library is `gopkg.in/validator.v2`: run `go get gopkg.in/validator.v2@v2.0.1`.",
      "`contact` is a struct with one pointer per branch: `Contact *Contact` for the object and `ArrayOfContact *[]Contact` for the array of one. The one that matched is set.",
      "A 4xx or 5xx comes back as an `error` of type `*GenericOpenAPIError`. Its `Model()` holds the typed `ErrorBody`, and the status is on the `*http.Response` returned beside it.",
    ],
  },
];
