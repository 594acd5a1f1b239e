// Rust: progenitor (build.rs route, on the 3.0 description) and openapi-generator's `rust` client.
// The three Rust projects here (progenitor/, openapi-generator/, and code-sample/, which builds the
// docs' Rust sample) pin the same crates in their Cargo.toml and Cargo.lock, with the same features,
// and share one cargo home and one target folder under .cache/generators/rust/, so reqwest, tokio
// and serde compile once. Every build is `--locked`, offline once fetched, with warnings denied.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  openapiGenerator,
  openapiGeneratorCommand,
  openapiGeneratorInstall,
  openapiGeneratorWarnings,
} from "../../../scripts/generators/matrix.mjs";

const here = import.meta.dirname;

/** What every cargo step runs with: the shared cache, offline, warnings denied. */
const cargoEnv = {
  CARGO_HOME: "{cache}/cargo-home",
  CARGO_TARGET_DIR: "{cache}/target",
  CARGO_NET_OFFLINE: "true",
  CARGO_TERM_COLOR: "never",
  RUSTFLAGS: "-D warnings",
};

/**
 * Fetches the crates of the projects that build in place (the only step that reaches crates.io),
 * once per change of their Cargo.lock: a stamp in the cache holds the locks' hash.
 * openapi-generator's call program fetches in its compile stage, as it needs the generated crate.
 */
function fetchCrates(ctx, projects) {
  const locks = projects.map((project) => path.join(here, project, "Cargo.lock"));
  const hash = createHash("sha256");
  for (const lock of locks) hash.update(readFileSync(lock));
  const stamp = path.join(ctx.cache, `fetched-${projects.join("-")}`);
  const digest = hash.digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
  for (const project of projects) {
    const result = spawnSync("cargo", ["fetch", "--locked"], {
      cwd: path.join(here, project),
      env: { ...process.env, CARGO_HOME: path.join(ctx.cache, "cargo-home"), CARGO_TERM_COLOR: "never" },
      encoding: "utf8",
      timeout: 600_000,
    });
    if (result.status !== 0)
      throw new Error(
        `cargo could not fetch the crates pinned in test/generators/rust/${project}/Cargo.lock from crates.io:\n${result.stderr}`,
      );
  }
  writeFileSync(stamp, digest);
}

const tls =
  "reqwest is built without its default features and with `native-tls` (the system's OpenSSL: Debian's `libssl-dev` and `pkg-config`): the mock needs no TLS, but Callbell's API is HTTPS, and native-tls compiles far faster than reqwest 0.13's default `rustls`, which builds aws-lc (C, with cmake).";

/** @type {import("../../../scripts/generators/matrix.mjs").Cell[]} */
export const cells = [
  {
    id: "rust-progenitor",
    language: "Rust",
    generator: "progenitor",
    version: "0.15.1",
    description: "3.0",
    install:
      'progenitor = { version = "=0.15.1", default-features = false } as a build-dependency, with a build.rs that writes the client into OUT_DIR (test/generators/rust/progenitor/)',
    debianPackages: ["libssl-dev", "pkg-config"],
    commands: ["cargo"],
    setup: (ctx) => fetchCrates(ctx, ["progenitor"]),
    steps: [
      {
        // build.rs reads the description named by CALLBELL_OPENAPI (openapi-3.0.json beside it by
        // default), generates with progenitor, and the library compiles what it wrote.
        stage: "generate",
        command: ["cargo", "build", "--locked", "--lib"],
        cwd: "{here}/progenitor",
        env: { ...cargoEnv, CALLBELL_OPENAPI: "{spec}" },
        timeoutMs: 900_000,
      },
      {
        stage: "compile",
        command: ["cargo", "build", "--locked", "--bin", "progenitor-call"],
        cwd: "{here}/progenitor",
        env: { ...cargoEnv, CALLBELL_OPENAPI: "{spec}" },
        docs: false,
        timeoutMs: 900_000,
      },
      { stage: "call", command: ["{cache}/target/debug/progenitor-call"], docs: false },
    ],
    contactType: "Contact",
    errorType: "Error::ErrorResponse",
    caveats: [
      "progenitor reads OpenAPI 3.0 only: fed `openapi.json` (3.1), its build script stops (the `openapiv3` crate cannot parse 3.1's type arrays; a 3.1 document it could parse is refused with `invalid version: 3.1.0`). Feed it `openapi-3.0.json`.",
      "The build.rs route: `progenitor` is a build-dependency (with `openapiv3`, `serde_json`, `syn` and `prettyplease`), and the crate depends on what the generated code uses: `progenitor-client`, `reqwest`, `serde`, `serde_json`, `chrono` (with `serde`) and `regress`. The generated code compiles with warnings denied.",
      "progenitor (its type generator, typify) turns an `anyOf` of different types into a struct of `#[serde(flatten)]` optional fields, which cannot decode a string ([oxidecomputer/typify#895](https://github.com/oxidecomputer/typify/issues/895), [oxidecomputer/progenitor#1196](https://github.com/oxidecomputer/progenitor/issues/1196), both open). This contract writes its unions of disjoint types as `oneOf` (`Contact.customFields` values, `Channel.discardedAt`), which progenitor makes enums; keep to that if you extend your copy.",
      "`contact` comes back as an enum of the two envelopes, `Contact(Contact)` and `Array([Contact; 1])` (its branches carry no `title`, which would name the variants). Match both to get the one `Contact`.",
      "The generated `Client` has no bearer-token setting: build a `reqwest::Client` whose default headers carry `Authorization: Bearer …` and pass it to `Client::new_with_client`.",
      "Documented error statuses come back as `progenitor_client::Error::ErrorResponse` with the decoded `ErrorBody` and its status; others as `Error::UnexpectedResponse`.",
      tls,
    ],
  },
  {
    id: "rust-openapi-generator",
    language: "Rust",
    generator: "openapi-generator `rust`",
    version: openapiGenerator.version,
    description: "3.1",
    install: openapiGeneratorInstall,
    debianPackages: ["default-jre-headless", "libssl-dev", "pkg-config"],
    commands: ["java", "cargo", "cp"],
    steps: [
      {
        stage: "generate",
        command: openapiGeneratorCommand(
          "rust",
          "--additional-properties=packageName=callbell-client,packageVersion=1.0.0",
        ),
      },
      // The call program's crate, beside the generated one (its Cargo.toml names `../out`).
      { stage: "compile", command: ["cp", "-R", "{here}/openapi-generator", "{work}/call"], docs: false },
      {
        stage: "compile",
        command: ["cargo", "fetch", "--locked"],
        cwd: "{work}/call",
        env: { CARGO_HOME: "{cache}/cargo-home", CARGO_TERM_COLOR: "never" },
        docs: false,
        timeoutMs: 600_000,
      },
      {
        stage: "compile",
        command: ["cargo", "build", "--locked", "--bin", "openapi-generator-call"],
        cwd: "{work}/call",
        env: cargoEnv,
        docs: false,
        timeoutMs: 900_000,
      },
      { stage: "call", command: ["{cache}/target/debug/openapi-generator-call"], docs: false },
    ],
    knownWarnings: [
      ...openapiGeneratorWarnings,
      {
        pattern: /cannot be used as a (field\/variable|parameter|model) name\. Renamed to /,
        why: "the Rust generator sanitizing names it computes on the way (`vec<string>`, `models::contact`, the media type `ApplicationJson`) and the property `type`, which becomes `r#type`, valid Rust; none of the intermediate names reaches the code, which compiles with warnings denied",
      },
    ],
    contactType: "Contact",
    errorType: "Error::ResponseError",
    caveats: [
      "Fed `openapi.json` (3.1), the contract itself, to prove it; with the workaround below, `openapi-3.0.json` generates the same client without the 3.1 notice.",
      "Three misreadings this contract is written around (each rewrite accepts the same values): (1) a `oneOf` variant is named after its branch's `title` as it is, so a title with spaces does not compile (related, open: [OpenAPITools/openapi-generator#18527](https://github.com/OpenAPITools/openapi-generator/issues/18527)): `contact`'s two branches carry no title (the enum is `Contact(Box<Contact>)` / `ArrayVecContact(Vec<Contact>)`) and the other titles are identifiers (`ListOfStrings`, `TrueOrFalse`, `NoValue`); (2) an `anyOf` of primitives becomes an empty struct, and (3) so does a type list of two types and `\"null\"`, so no contact would decode ([#22042](https://github.com/OpenAPITools/openapi-generator/issues/22042), open; [#21894](https://github.com/OpenAPITools/openapi-generator/issues/21894), closed, fixed `anyOf` of `$ref`s only): `Contact.customFields` values and `Channel.discardedAt` are `oneOf`s. Keep to these forms if you extend your copy.",
      'The generated crate\'s default feature is `native-tls`; depend on it with `default-features = false, features = ["rustls"]` for rustls. A non-2xx answer comes back as `apis::Error::ResponseError` with `status`, the raw `content` and the decoded `entity` (`UpdateContactError::Status422(ErrorBody)`, ...).',
      "Pass `packageVersion` so the crate's version, and so a committed Cargo.lock, does not follow the description's `info.version`.",
      tls,
    ],
  },
];
