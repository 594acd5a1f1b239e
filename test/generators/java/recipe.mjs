// Java: openapi-generator's `java` client with library `native` (the JDK's own java.net.http client
// and Jackson), fed the 3.1 description. The runtime jars the generated code needs are pinned in
// pom.xml here (the versions the generated pom.xml names) and copied by Maven into
// .cache/generators/java/jars, reused while pom.xml is unchanged. The generated project's own Maven
// build is not run (slow, many plugins): javac compiles its sources, then the call program
// (CallMock.java), and java runs it.
//
// templates/ holds two of the generator's templates, changed so that a oneOf/anyOf member whose
// Java type is generic (List<Contact>, Map<String, Object>) compiles: without them the generated
// code does not compile at all (see the caveats).
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
const pom = path.join(here, "pom.xml");
// Short-lived JVMs on two shared cores: the C1 compiler only and one GC thread halve their CPU time
// here. Only the test sets it (the JVM prints "Picked up JAVA_TOOL_OPTIONS" on stderr).
const env = { JAVA_TOOL_OPTIONS: "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" };
const classpath = ["{work}/classes", "{cache}/jars/*"].join(path.delimiter);

/** Copies the jars pom.xml pins into {cache}/jars (Maven's repository: {cache}/m2), unless already done for this pom.xml. */
function setup(ctx) {
  const jars = path.join(ctx.cache, "jars");
  const stamp = path.join(jars, "pom.sha256");
  const digest = createHash("sha256").update(readFileSync(pom)).digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === digest) return;
  rmSync(jars, { recursive: true, force: true });
  mkdirSync(ctx.cache, { recursive: true });
  const result = ctx.run(
    [
      "mvn",
      "-B",
      "-q",
      "-Dstyle.color=never",
      "-f",
      pom,
      `-Dmaven.repo.local=${path.join(ctx.cache, "m2")}`,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${jars}`,
    ],
    { timeoutMs: 600_000, env: { MAVEN_OPTS: env.JAVA_TOOL_OPTIONS } },
  );
  if (result.status !== 0) {
    rmSync(jars, { recursive: true, force: true });
    throw new Error(
      `mvn dependency:copy-dependencies -f test/generators/java/pom.xml failed (exit ${result.status ?? "after its timeout"}):\n${result.output.slice(-3000)}`,
    );
  }
  writeFileSync(stamp, `${digest}\n`);
}

/** @type {import("../../../scripts/generators/matrix.mjs").Cell[]} */
export const cells = [
  {
    id: "java-openapi-generator",
    language: "Java",
    generator: "openapi-generator `java` (library `native`)",
    version: openapiGenerator.version,
    description: "3.1",
    install: openapiGeneratorInstall,
    debianPackages: ["openjdk-17-jdk-headless", "maven"],
    commands: ["java", "javac", "mvn"],
    setup,
    steps: [
      {
        stage: "generate",
        command: openapiGeneratorCommand(
          "java",
          "--library",
          "native",
          "-t",
          "{here}/templates",
          "--additional-properties",
          "supportUrlQuery=false",
        ),
        env,
      },
      // javac takes no folder, so the generated sources are listed first (paths relative to {out}).
      {
        stage: "compile",
        command: ["sh", "-c", "find src/main/java -name '*.java' > sources.txt"],
        cwd: "{out}",
        docs: false,
      },
      // The generated code: every lint but two, as errors (see the caveat).
      {
        stage: "compile",
        command: [
          "javac",
          "-Xlint:all,-serial,-deprecation",
          "-Werror",
          "--release",
          "17",
          "-encoding",
          "UTF-8",
          "-cp",
          "{cache}/jars/*",
          "-d",
          "{work}/classes",
          "@sources.txt",
        ],
        cwd: "{out}",
        env,
        docs: false,
      },
      // The call program: every lint, as errors.
      {
        stage: "compile",
        command: [
          "javac",
          "-Xlint:all",
          "-Werror",
          "--release",
          "17",
          "-encoding",
          "UTF-8",
          "-cp",
          classpath,
          "-d",
          "{work}/classes",
          "{here}/CallMock.java",
        ],
        env,
        docs: false,
      },
      {
        stage: "call",
        command: ["java", "-Dfile.encoding=UTF-8", "-cp", classpath, "CallMock"],
        env,
        docs: false,
      },
    ],
    knownWarnings: [
      ...openapiGeneratorWarnings,
      {
        pattern: /AbstractJavaCodegen - Ignoring complex example on request body/,
        why:
          "the request body's examples are objects, which the generator does not write into the sample code of " +
          "the generated README and docs/ContactsApi.md; the client's code does not use examples",
      },
    ],
    contactType: "Contact",
    errorType: "ApiException",
    caveats: [
      "Generate with this project's two templates (`-t templates`: copy `test/generators/java/templates/` from the " +
        "repository) and `--additional-properties supportUrlQuery=false`. Without them the generated code does not " +
        "compile: the library's `oneOf`/`anyOf` wrappers write `List<Contact>.class`, `Map<String, Object>.class` and " +
        "`getList<Contact>()` for a member whose Java type is generic (`contact`'s array of one, a custom field's " +
        "list of strings, `ErrorBody`'s `error` and `errors`), and `toUrlQueryString` casts the list to `Contact`. " +
        "Upstream: [openapi-generator#17745](https://github.com/OpenAPITools/openapi-generator/issues/17745) and " +
        "[#22249](https://github.com/OpenAPITools/openapi-generator/issues/22249), both open. The templates read such " +
        "a member through a Jackson `TypeReference` (so the array comes back as `List<Contact>`, not a list of maps) " +
        "and give it no typed getter; `supportUrlQuery=false` drops `toUrlQueryString`, which only query parameters " +
        "use (this operation has none).",
      "The `oneOf` template also tries a scalar branch only for a JSON value of its own type: as shipped, a " +
        "`oneOf` wrapper tries every branch while the mapper allows coercion (the `ApiClient`'s default) and a " +
        '`number` branch (`BigDecimal`) always, so a custom field\'s `"123"` matches both `String` and `BigDecimal` ' +
        "and the whole contact fails with `2 classes match result, expected 1`.",
      "`new ContactsApi(apiClient).updateContact(uuid, new ContactUpdate().name(...))` returns " +
        "`UpdateContactResponse`; its `getContact()` is the `oneOf` wrapper `UpdateContactResponseContact`, whose " +
        "`getActualInstance()` is a `Contact` (then `getContact()` reads it) or a `List<Contact>` of one (Callbell's " +
        "example): take `get(0)`.",
      "The native library sends no `Authorization` header for the bearer scheme: add it with " +
        '`apiClient.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token))`.',
      "A 422 (any non-2xx) throws `ApiException`: `getCode()` is the status and `getResponseBody()` the body as text; " +
        "the error body is not decoded into `ErrorBody`.",
      "Fed the 3.1 description: `Channel.discardedAt` (an `anyOf` of string, boolean and `null`) becomes a " +
        "`JsonNullable<ChannelDiscardedAt>` field that reads `null`, `false` and a date string (checked with the " +
        "generated `JSON` mapper, 2026-12-06).",
      "The generated code compiles with `javac -Xlint:all,-serial,-deprecation -Werror --release 17` (the call " +
        "program with every lint): the generator's `oneOf`/`anyOf` wrappers declare Jackson (de)serializer classes " +
        "without `serialVersionUID` (`serial`), and its `ApiClient` and `JSON` call `setSerializationInclusion` and " +
        "`serializationInclusion`, deprecated in the Jackson 2.21 its own pom.xml names (`deprecation`).",
      "The client reads response bodies with the JVM's default charset (`new String(bytes)`): on Java 17 run it with " +
        "`-Dfile.encoding=UTF-8` (the default from Java 18 on), or a contact's name outside ASCII is garbled.",
      "Runtime jars (from the generated pom.xml): jackson-databind, jackson-core and jackson-datatype-jsr310 2.21.5, " +
        "jackson-annotations 2.21, jackson-databind-nullable 0.2.11, jsr305 3.0.2, jakarta.annotation-api 1.3.5.",
    ],
  },
];
