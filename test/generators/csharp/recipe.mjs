// C#: openapi-generator's `csharp` client, generated and parsed only. No .NET SDK (and no NuGet)
// can be installed on this project's machines, so the generated code is neither compiled nor run:
// its compile stage parses every .cs file with tree-sitter's C# grammar (parse-csharp.mjs).
// What the docs page shows of this recipe is rendered from it (scripts/generators/recipes.mjs).
import {
  openapiGenerator,
  openapiGeneratorCommand,
  openapiGeneratorInstall,
  openapiGeneratorWarnings,
} from "../../../scripts/generators/matrix.mjs";

/** @type {import("../../../scripts/generators/matrix.mjs").Cell[]} */
export const cells = [
  {
    id: "csharp-openapi-generator",
    language: "C#",
    generator: "openapi-generator `csharp`",
    version: openapiGenerator.version,
    description: "3.1",
    install: openapiGeneratorInstall,
    debianPackages: ["default-jre-headless"],
    commands: ["java", "node"],
    parseOnly: true,
    steps: [
      {
        stage: "generate",
        command: openapiGeneratorCommand(
          "csharp",
          "--library",
          "httpclient",
          "--additional-properties",
          "packageName=Callbell.Client",
        ),
      },
      { stage: "compile", command: ["node", "{here}/parse-csharp.mjs", "{out}"], docs: false },
    ],
    knownWarnings: [...openapiGeneratorWarnings],
    contactType: "Contact",
    errorType: "ApiException",
    caveats: [
      "**Generated and parsed only.** No .NET SDK can be installed on this project's machines (nor NuGet packages), " +
        "so this project does not compile the client or call the mock with it: its test parses every generated `.cs` " +
        "file with tree-sitter's C# grammar, which finds syntax errors but not type errors. Run `dotnet build` on " +
        "`src/Callbell.Client` before you rely on it.",
      "Use `--library httpclient` (HttpClient with Newtonsoft.Json). The default library, `generichost`, writes " +
        "every `oneOf` value as `{}` ([OpenAPITools/openapi-generator#24398]" +
        "(https://github.com/OpenAPITools/openapi-generator/issues/24398)): a custom field's value would be sent " +
        "empty. Its reader also looks for a `oneOf` member only among an object's properties, so by our reading " +
        "the `contact` of an array of one (Callbell's example) would not decode.",
      "The success body's `contact` is `UpdateContactResponseContact`, a `oneOf` wrapper: `GetContact()` for the " +
        "object, `GetList()` for the array of one. A 422 throws `ApiException` with `ErrorCode` 422.",
      "[openapi-generator#11426](https://github.com/OpenAPITools/openapi-generator/issues/11426) (a `oneOf` of " +
        "non-nullable primitives generating code that does not compile) does not show with this contract: " +
        "`CustomFieldValue`'s number branch is assigned without the `?? throw` that the issue reports.",
    ],
  },
];
