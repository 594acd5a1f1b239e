// Python: openapi-python-client, and openapi-generator's `python` client. Both read the 3.1
// description. One virtual environment under .cache/generators/python/venv holds the generator,
// mypy and the runtime packages of both clients, pinned with hashes by requirements.txt (compiled
// from requirements.in), and is reused while that file is unchanged. Each cell type-checks its call
// program (call_*.py here) with `mypy --strict` against the generated package, then runs it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  openapiGenerator,
  openapiGeneratorCommand,
  openapiGeneratorInstall,
  openapiGeneratorWarnings,
} from "../../../scripts/generators/matrix.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const requirements = path.join(here, "requirements.txt");
// The venv's programs come first on PATH for every step, so the steps name them as a user would.
const env = { PATH: `{cache}/venv/bin${path.delimiter}${process.env.PATH ?? ""}` };

/** Creates {cache}/venv from requirements.txt (hashes required), unless it is already made from this file. */
function setup(ctx) {
  const venv = path.join(ctx.cache, "venv");
  const stamp = path.join(venv, "requirements.sha256");
  const digest = createHash("sha256").update(readFileSync(requirements)).digest("hex");
  const python = path.join(venv, "bin", "python");
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === digest) return;
  rmSync(venv, { recursive: true, force: true });
  rmSync(path.join(ctx.cache, "mypy"), { recursive: true, force: true });
  mkdirSync(ctx.cache, { recursive: true });
  for (const [argv, what] of [
    [["python3", "-m", "venv", venv], "python3 -m venv (Debian: python3-venv)"],
    [
      // Every package is pinned with its hashes, so nothing unpinned is resolved on the way, and
      // only wheels: nothing is built.
      [
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--require-hashes",
        "--no-deps",
        "--only-binary=:all:",
        "-r",
        requirements,
      ],
      "pip install -r test/generators/python/requirements.txt",
    ],
    [[python, "-m", "pip", "check"], "pip check (a dependency missing from requirements.txt)"],
  ]) {
    const result = ctx.run(argv, { timeoutMs: 600_000 });
    if (result.status !== 0) {
      rmSync(venv, { recursive: true, force: true });
      throw new Error(
        `${what} failed (exit ${result.status ?? "after its timeout"}):\n${result.output.slice(-3000)}`,
      );
    }
  }
  writeFileSync(stamp, `${digest}\n`);
}

/** @type {import("../../../scripts/generators/matrix.mjs").Cell[]} */
export const cells = [
  {
    id: "python-openapi-python-client",
    language: "Python",
    generator: "openapi-python-client",
    version: "0.29.1",
    description: "3.1",
    install: "pip install openapi-python-client==0.29.1",
    debianPackages: ["python3-venv"],
    commands: ["python3"],
    setup,
    steps: [
      {
        stage: "generate",
        command: ["openapi-python-client", "generate", "--path", "{spec}", "--output-path", "{out}"],
        env,
      },
      {
        stage: "compile",
        // warn_redundant_casts is one of --strict's flags that mypy applies to every module or none;
        // see the caveat.
        command: [
          "mypy",
          "--strict",
          "--no-warn-redundant-casts",
          "--cache-dir",
          "{cache}/mypy/openapi-python-client",
          "callbell_contact_update_api_client",
          "{here}/call_openapi_python_client.py",
        ],
        cwd: "{out}",
        env: { ...env, MYPYPATH: "{out}" },
        docs: false,
      },
      {
        stage: "call",
        command: ["python", "{here}/call_openapi_python_client.py"],
        env: { ...env, PYTHONPATH: "{out}" },
        docs: false,
      },
    ],
    contactType: "Contact",
    errorType: "ErrorBody",
    caveats: [
      "The package is `callbell_contact_update_api_client` (from the description's title). Call " +
        "`update_contact.sync_detailed(uuid, client=AuthenticatedClient(base_url=..., token=...), body=ContactUpdate(...))`: " +
        "`parsed.contact` is `Contact | list[Contact]`, so take `contact[0]` when it is a list (Callbell's example).",
      "Error statuses the contract declares come back as data, not exceptions: a 422 gives a `Response` whose " +
        "`status_code` is 422 and whose `parsed` is the typed `ErrorBody`. Only a status the contract does not " +
        "declare raises `errors.UnexpectedStatus`, and only with `raise_on_unexpected_status=True`.",
      "The generated code passes `mypy --strict` except for one flag: it writes `cast(list[Any], data)` right " +
        "after `isinstance(data, list)` for `ErrorBody.errors` (a list of anything), which `--warn-redundant-casts` " +
        "reports. That flag cannot be turned off for one package, so this project checks the client and its call " +
        "program with `mypy --strict --no-warn-redundant-casts`.",
      "openapi-python-client drops a schema it cannot read and still exits 0, printing `WARNING` lines: treat any " +
        "warning as a failure. Two such gaps are known: an array schema without `items` " +
        "([openapi-python-client#1435](https://github.com/openapi-generators/openapi-python-client/issues/1435)) and " +
        "two inline schemas of one model with the same `title`, which make the same class name " +
        "([openapi-python-client#652](https://github.com/openapi-generators/openapi-python-client/issues/652)). " +
        "Either drops `ErrorBody`, and with it every error status's typed body; this contract avoids both " +
        "(`ErrorBody.errors`' list says `items: {}`, and its object branches have titles of their own).",
      "`$ref` siblings are ignored: here only the `title` of `contact`'s object branch, which names no class.",
    ],
  },
  {
    id: "python-openapi-generator",
    language: "Python",
    generator: "openapi-generator `python`",
    version: openapiGenerator.version,
    description: "3.1",
    install: openapiGeneratorInstall,
    debianPackages: ["python3-venv", "default-jre-headless"],
    commands: ["python3", "java"],
    setup,
    steps: [
      {
        stage: "generate",
        command: openapiGeneratorCommand("python", "--package-name", "callbell_client"),
      },
      // The generated package is byte-compiled (and imported whole by the call), and the call program
      // is checked with --strict against its types; see the caveat for why not the package itself.
      {
        stage: "compile",
        command: ["python", "-m", "compileall", "-q", "{out}/callbell_client"],
        env,
        docs: false,
      },
      {
        stage: "compile",
        command: [
          "mypy",
          "--strict",
          "--follow-imports=silent",
          "--cache-dir",
          "{cache}/mypy/openapi-generator",
          "{here}/call_openapi_generator.py",
        ],
        env: { ...env, MYPYPATH: "{out}" },
        docs: false,
      },
      {
        stage: "call",
        command: ["python", "{here}/call_openapi_generator.py"],
        env: { ...env, PYTHONPATH: "{out}" },
        docs: false,
      },
    ],
    knownWarnings: [...openapiGeneratorWarnings],
    contactType: "Contact",
    errorType: "UnprocessableEntityException",
    caveats: [
      "Install the client's runtime packages (`pip install -r requirements.txt` in the output folder: urllib3 2, " +
        "python-dateutil, pydantic 2, typing-extensions). `ContactsApi(ApiClient(Configuration(host=..., access_token=...)))" +
        ".update_contact(uuid, ContactUpdate(...))` returns `UpdateContactResponse`; its `contact` is a `oneOf` wrapper " +
        "whose `actual_instance` is `Contact` or `List[Contact]` (Callbell's example): take `[0]` of the list.",
      "A 422 raises `UnprocessableEntityException` (an `ApiException`): `.status` is 422 and `.data` the parsed `ErrorBody`.",
      "The generated package does not pass `mypy --strict` (113 errors in 12 files with this contract: untyped " +
        "methods such as `actual_instance_must_validate_oneof(cls, v)`, `Any` returned from typed functions, " +
        "`ApiException` used through `rest` without a re-export), and its own `pyproject.toml` leaves `strict` off " +
        "([openapi-generator#20959](https://github.com/OpenAPITools/openapi-generator/issues/20959)). Plain `mypy` " +
        "reports one error too: `Contact.to_dict` calls `.to_dict()` on `custom_fields[key]`, an optional value mypy " +
        "cannot narrow by index (the code checks for `None` first, so it runs). This project checks its own calling " +
        "code with `mypy --strict` against the generated types (`--follow-imports=silent`) and byte-compiles the " +
        "package; type-check your code the same way. mypy needs `types-python-dateutil`.",
      "[openapi-generator#17523](https://github.com/OpenAPITools/openapi-generator/issues/17523) and its open " +
        "successor [#17754](https://github.com/OpenAPITools/openapi-generator/issues/17754) (an `anyOf` of a string " +
        "and an array of strings typed as a string only, in 3.1) do not show with this contract: each such " +
        "union (a custom field's value, `Contact.customFields`'s values) becomes its own model whose " +
        "`actual_instance` keeps `List[str]`, in the 3.1 edition as in the 3.0 one.",
      "Feed the 3.1 description, the contract itself: the 3.0 edition gives the same classes and field types " +
        "(compared file by file: only docstrings differ, and the 3.1 edition's `Channel.to_dict` keeps an explicit " +
        "`discardedAt: null`), " +
        "so it gains nothing here.",
    ],
  },
];
