// Ruby: openapi-generator's `ruby` client (Typhoeus), fed the 3.1 description. There is no RubyGems
// registry here: Debian's ruby-typhoeus (with ruby-ethon and ruby-ffi) stands in for `bundle install`,
// and the call program (call.rb) loads the generated gem from its lib/ folder (`ruby -I`). Nothing
// goes into .cache: the Debian packages are the lock (versions in the caveats).
import { spawnSync } from "node:child_process";
import {
  openapiGenerator,
  openapiGeneratorCommand,
  openapiGeneratorInstall,
  openapiGeneratorWarnings,
  quickJvmEnv,
} from "../../../scripts/generators/matrix.mjs";

const debianPackages = ["ruby", "ruby-typhoeus"];

/** Debian's ruby-typhoeus, when the generated gem's dependency cannot be loaded here. */
function missingPackages() {
  return spawnSync("ruby", ["-e", 'require "typhoeus"'], { stdio: "ignore" }).status === 0
    ? []
    : ["ruby-typhoeus"];
}

// `ruby -c` takes one file: check each generated file and the call program with warnings on (-w), and
// fail on any output but "Syntax OK".
const checkEach = [
  "sh",
  "-c",
  'bad=0; for file in $(find "$@" -name "*.rb" | sort); do said=$(ruby -wc "$file" 2>&1); status=$?; ' +
    'if [ $status -ne 0 ] || [ "$said" != "Syntax OK" ]; then printf "%s: %s\\n" "$file" "$said"; bad=1; fi; ' +
    "done; exit $bad",
  "ruby-check",
  "{out}",
  "{here}/call.rb",
];

/** @type {import("../../../scripts/generators/matrix.mjs").Cell[]} */
export const cells = [
  {
    id: "ruby-openapi-generator",
    language: "Ruby",
    generator: "openapi-generator `ruby`",
    version: openapiGenerator.version,
    description: "3.1",
    install: openapiGeneratorInstall,
    debianPackages: ["default-jre-headless", ...debianPackages],
    commands: ["java", "ruby"],
    missingPackages,
    steps: [
      {
        stage: "generate",
        command: openapiGeneratorCommand(
          "ruby",
          "--additional-properties=gemName=callbell_client,moduleName=CallbellClient",
        ),
        env: quickJvmEnv,
      },
      { stage: "compile", command: checkEach, docs: false },
      // Loading the whole gem resolves every file's require and constant at load time.
      {
        stage: "compile",
        command: ["ruby", "-I", "{out}/lib", "-e", 'require "callbell_client"'],
        docs: false,
      },
      { stage: "call", command: ["ruby", "-I", "{out}/lib", "{here}/call.rb"], docs: false },
    ],
    knownWarnings: [...openapiGeneratorWarnings],
    contactType: "CallbellClient::Contact",
    errorType: "CallbellClient::ApiError",
    caveats: [
      "`gem build callbell_client.gemspec` (or `bundle install` in the output folder) gets the runtime gem, " +
        "`typhoeus` ~> 1.0 (>= 1.0.1). This project has no RubyGems registry, so its test uses Debian 12's packages " +
        "and loads the gem with `ruby -I lib`, pinning nothing it cannot: seen here were Ruby 3.1.2, Typhoeus 1.4.0 " +
        "and Ethon 0.16.0.",
      "`CallbellClient::ContactsApi.new.update_contact(uuid, ContactUpdate.new(name: ...))` returns " +
        "`UpdateContactResponse`; its `contact` is built by the `oneOf` module `UpdateContactResponseContact`: a " +
        "`Contact`, or an `Array` of one `Contact` (Callbell's example), so take `.first` of an array. Per-call " +
        "headers go in `header_params:`.",
      "A 422 raises `CallbellClient::ApiError`: `.code` is 422 and `.response_body` the JSON text, which the " +
        "generated code does not decode: `CallbellClient::ErrorBody.build_from_hash(JSON.parse(e.response_body))` " +
        "gives the typed `ErrorBody` (the call program checks it).",
      "The `anyOf` unions (a custom field's value, `Channel.discardedAt`, `ErrorBody`'s `error`/`errors`) become " +
        "modules whose `build` keeps the decoded string, number, boolean or list; the 3.1 type arrays with " +
        '`"null"` become nullable attributes.',
      "Loading the gem with `ruby -w` prints `method redefined` for every validated attribute (the generator " +
        "declares `attr_accessor` and then its own checking writer); harmless, and silent without `-w`. Every file " +
        "passes `ruby -wc`.",
      "Feed the 3.1 description: the 3.0 edition makes the same classes except that `Channel.discarded_at` is " +
        "no longer listed as nullable.",
    ],
  },
];
