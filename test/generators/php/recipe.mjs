// PHP: openapi-generator's `php` client (Guzzle), fed the 3.1 description. There is no Composer
// registry here: Debian's packages (php-guzzlehttp-guzzle and what it pulls in: guzzlehttp/psr7,
// guzzlehttp/promises, the PSR interfaces) stand in for `composer install`, and the call program
// (call.php) loads them from /usr/share/php beside a PSR-4 autoloader of its own for the generated
// namespace. Nothing goes into .cache: the Debian packages are the lock (versions in the caveats).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import {
  openapiGenerator,
  openapiGeneratorCommand,
  openapiGeneratorInstall,
  openapiGeneratorWarnings,
  quickJvmEnv,
} from "../../../scripts/generators/matrix.mjs";

// What `composer install` would put in vendor/ for the generated composer.json, from Debian.
const debianPackages = [
  "php-cli",
  "php-curl",
  "php-mbstring",
  "php-guzzlehttp-guzzle",
  "php-guzzlehttp-psr7",
];

/** Which of Debian's Guzzle packages and the PHP extensions the client needs are missing here. */
function missingPackages() {
  const missing = [];
  if (!existsSync("/usr/share/php/GuzzleHttp/autoload.php")) missing.push("php-guzzlehttp-guzzle");
  if (!existsSync("/usr/share/php/GuzzleHttp/Psr7/autoload.php")) missing.push("php-guzzlehttp-psr7");
  const modules = (spawnSync("php", ["-m"], { encoding: "utf8" }).stdout ?? "").toLowerCase().split("\n");
  for (const [module, pkg] of [
    ["curl", "php-curl"],
    ["mbstring", "php-mbstring"],
    ["json", "php-cli"],
  ])
    if (!modules.includes(module)) missing.push(pkg);
  return missing;
}

// `php -l` takes one file: lint each generated file and the call program, and fail on any output
// but "No syntax errors detected" (a deprecation printed while parsing fails too).
const lintEach = [
  "sh",
  "-c",
  'bad=0; for file in $(find "$@" -name "*.php" | sort); do said=$(php -l "$file" 2>&1); status=$?; ' +
    'if [ $status -ne 0 ] || printf "%s\\n" "$said" | grep -qv "^No syntax errors detected in "; then ' +
    'printf "%s\\n" "$said"; bad=1; fi; done; exit $bad',
  "php-lint",
  "{out}",
  "{here}/call.php",
];

/** @type {import("../../../scripts/generators/matrix.mjs").Cell[]} */
export const cells = [
  {
    id: "php-openapi-generator",
    language: "PHP",
    generator: "openapi-generator `php`",
    version: openapiGenerator.version,
    description: "3.1",
    install: openapiGeneratorInstall,
    debianPackages: ["default-jre-headless", ...debianPackages],
    commands: ["java", "php"],
    missingPackages,
    steps: [
      {
        stage: "generate",
        command: openapiGeneratorCommand("php", "--additional-properties=invokerPackage=CallbellClient"),
        env: quickJvmEnv,
      },
      { stage: "compile", command: lintEach, docs: false },
      { stage: "call", command: ["php", "{here}/call.php", "{out}"], docs: false },
    ],
    knownWarnings: [...openapiGeneratorWarnings],
    contactType: "CallbellClient\\Model\\Contact",
    errorType: "CallbellClient\\ApiException",
    caveats: [
      "`composer install` in the output folder gets the runtime packages (PHP ≥ 8.1 with `ext-curl`, `ext-json`, " +
        "`ext-mbstring`; `guzzlehttp/guzzle` ^7.3, `guzzlehttp/psr7` ^1.7 || ^2.0). This project has no Composer " +
        "registry, so its test uses Debian 12's packages instead and pins nothing it cannot: seen here were PHP " +
        "8.2.36, Guzzle 7.4.5, guzzlehttp/psr7 2.4.5 and guzzlehttp/promises 1.5.2.",
      "**`contact` is misread: use the workaround.** The `php` generator has no `oneOf` " +
        "([openapi-generator#2011](https://github.com/OpenAPITools/openapi-generator/issues/2011), " +
        "[#11680](https://github.com/OpenAPITools/openapi-generator/issues/11680)): it merges `contact`'s branches " +
        "into one class, `UpdateContactResponseContact`, with `Contact`'s fields. For the object envelope that " +
        "class holds the contact; for Callbell's array of one it comes back **empty** (`getUuid()` is `null`), " +
        "with no error. The spec is right (no rewrite accepting the same values helps a generator without " +
        "`oneOf`). Workaround, all with generated code: send `$api->updateContactRequest($uuid, $body)` through " +
        "your Guzzle client, take `contact` from the decoded body (`[0]` when it is an array), and " +
        "`ObjectSerializer::deserialize($contact, Contact::class)` gives the typed `Contact`.",
      "**`anyOf` of primitives loses values.** A custom field's value (`Contact.customFields`), " +
        "`Channel.discardedAt` and `ErrorBody`'s `error`/`errors` become model classes with no property " +
        "(`ContactCustomFieldsValue`, `ChannelDiscardedAt`, `ErrorBodyError`, `ErrorBodyErrors`): a string, " +
        "number, boolean or list there decodes to an empty object. Read those fields from the raw JSON " +
        "(`$contact` above, `$e->getResponseBody()`). openapi-generator's `php-nextgen` generator has " +
        "`oneOf` and `anyOf` ([openapi-generator#24306](https://github.com/OpenAPITools/openapi-generator/pull/24306)) " +
        "but is no fix yet: tried once here (7.25.0, not a tested cell), it decodes the object envelope straight into " +
        '`Contact` yet turns custom-field strings into other types (`"123"` into `123.0`, `"[\\"Dark Mode\\"]"` ' +
        "into a list), and its `oneOf` matching passes `null` to `mb_strlen` (a PHP 8.2 deprecation) on the array envelope.",
      "A 422 throws `ApiException`: `getCode()` is 422, `getResponseBody()` the JSON, `getResponseObject()` the " +
        "`ErrorBody` (its `message` is kept; see above for `error`/`errors`).",
      "The generated API takes no per-call headers: default headers go on the Guzzle client you pass to " +
        "`new ContactsApi($client, $config)`.",
      "Feed the 3.1 description: the 3.0 edition makes the same classes except that `Channel.discardedAt` " +
        'loses its nullability (the 3.1 type array with `"null"` is read right).',
    ],
  },
];
