// Code samples for the docs: each operation's example request as a program in each of the nine
// languages Callbell's own page shows, built from the bundled spec. @readme/httpsnippet writes
// the languages it has a target for; Node (this package's client), Java's program around
// httpsnippet's java.net.http snippet, and Rust (no httpsnippet target) are small templates here.
import { HTTPSnippet } from "@readme/httpsnippet";

/** Callbell's own example token, as on its page: the reader puts theirs in its place. */
export const EXAMPLE_TOKEN = "test_gshuPaZoeEG6ovbc8M79w0QyM";

/**
 * The nine languages, in the order of Callbell's page. `checkedBy` says how the tests prove a
 * sample: "mock" runs it against Prism, "syntax" parses it and compares its request with the
 * spec's (no toolchain for it installs from Debian). test/docs/code-samples.test.ts holds each
 * language to this.
 */
export const sampleLanguages = [
  { label: "cURL", lang: "Shell", file: (name) => `${name}.sh`, write: snippet("shell", "curl"), checkedBy: "mock" },
  { label: "Node", lang: "JavaScript", file: (name) => `${name}.mjs`, write: nodeClientProgram, checkedBy: "mock" },
  { label: "Ruby", lang: "Ruby", file: (name) => `${name}.rb`, write: rubyProgram, checkedBy: "mock" },
  { label: "Go", lang: "Go", file: (name) => `${name}.go`, write: snippet("go", "native"), checkedBy: "mock" },
  { label: "PHP", lang: "PHP", file: (name) => `${name}.php`, write: snippet("php", "curl"), checkedBy: "mock" },
  { label: "Python", lang: "Python", file: (name) => `${name}.py`, write: snippet("python", "requests"), checkedBy: "mock" },
  { label: "C#", lang: "C#", file: (name) => `${pascalCase(name)}.cs`, write: snippet("csharp", "httpclient"), checkedBy: "syntax" },
  { label: "Java", lang: "Java", file: (name) => `${pascalCase(name)}.java`, write: javaProgram, checkedBy: "mock" },
  { label: "Rust", lang: "Rust", file: (name) => `${name}.rs`, write: rustProgram, checkedBy: "syntax" },
];

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * Every operation's samples: one entry per language, with the file name it is written to
 * (under generated/samples/) and its source.
 * @returns {{ path: string, method: string, operationId: string, samples: { label: string, lang: string, file: string, source: string }[] }[]}
 */
export function codeSamples(spec) {
  const operations = [];
  for (const [path, pathItem] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const request = exampleRequest(spec, path, method, pathItem, operation);
      const samples = sampleLanguages.map(({ label, lang, file, write }) => ({
        label,
        lang,
        file: file(operation.operationId),
        source: `${write(request).trimEnd()}\n`,
      }));
      operations.push({ path, method, operationId: operation.operationId, samples });
    }
  }
  return operations;
}

/**
 * A copy of the spec for the docs only: each operation's samples as `x-codeSamples`, and a
 * paragraph in the introduction that says where they come from and how they are checked.
 */
export function withCodeSamples(spec, operations = codeSamples(spec)) {
  const decorated = structuredClone(spec);
  const labels = (checkedBy) => listing(sampleLanguages.filter((language) => language.checkedBy === checkedBy).map(({ label }) => label));
  decorated.info.description = `${decorated.info.description.trimEnd()}

**Code samples.** Each operation's samples are generated from this document by \`npm run generate\`
(method, URL, headers and the first named request example, with Callbell's example token). In CI,
the ${labels("mock")} samples run against a mock of this contract; the ${labels("syntax")} samples
are parsed and their request compared with the example, as no toolchain for them is installed there.
`;
  for (const { path, method, samples } of operations) {
    decorated.paths[path][method]["x-codeSamples"] = samples.map(({ lang, label, source }) => ({ lang, label, source }));
  }
  return decorated;
}

/**
 * The request every sample sends, from the spec alone: the first server's URL, the path with
 * each path parameter's example, a bearer token when the operation is secured by one, the
 * request body's media type and its first named example, and the success response's media type.
 */
function exampleRequest(spec, path, method, pathItem, operation) {
  const where = `${method.toUpperCase()} ${path} (${operation.operationId ?? "no operationId"})`;
  const fail = (what) => {
    throw new Error(`Cannot write code samples for ${where}: ${what}. Fix it in openapi/ or teach scripts/code-samples.mjs.`);
  };
  if (!operation.operationId) fail("it has no operationId to name the sample files");
  const serverUrl = spec.servers?.[0]?.url;
  if (!serverUrl || serverUrl.includes("{")) fail("the spec needs a first server with a literal URL");

  const parameters = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map((p) => resolveRef(spec, p));
  for (const parameter of parameters) {
    if (parameter.in !== "path" && parameter.required)
      fail(`required ${parameter.in} parameter ${parameter.name} is not supported by the samples`);
  }
  // In the order the path names them, which is the order the client's methods take them.
  const pathParameters = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => {
    const parameter = parameters.find((p) => p.in === "path" && p.name === name) ?? fail(`path parameter ${name} is not declared`);
    const value = parameter.example ?? parameter.schema?.examples?.[0] ?? fail(`path parameter ${name} has no example`);
    return { name, value: String(value) };
  });
  const filledPath = pathParameters.reduce((filled, { name, value }) => filled.replace(`{${name}}`, encodeURIComponent(value)), path);

  const headers = [];
  const security = operation.security ?? spec.security ?? [];
  const schemes = security.flatMap((requirement) => Object.keys(requirement)).map((name) => spec.components?.securitySchemes?.[name]);
  if (schemes.some((scheme) => scheme?.type === "http" && scheme.scheme?.toLowerCase() === "bearer")) {
    headers.push({ name: "Authorization", value: `Bearer ${EXAMPLE_TOKEN}` });
  } else if (schemes.length) {
    fail("only bearer authentication is supported by the samples");
  }

  let body;
  const requestBody = operation.requestBody && resolveRef(spec, operation.requestBody);
  if (requestBody) {
    const [mediaType, content] = Object.entries(requestBody.content ?? {})[0] ?? fail("its request body has no media type");
    if (mediaType !== "application/json") fail(`request body media type ${mediaType} is not supported by the samples`);
    const firstNamed = Object.values(content.examples ?? {})[0];
    body = firstNamed ? resolveRef(spec, firstNamed).value : content.example;
    if (body === undefined) fail("its request body has no example to send");
    headers.push({ name: "Content-Type", value: mediaType });
  }

  const success = Object.entries(operation.responses ?? {})
    .filter(([status]) => /^2/.test(status))
    .map(([, response]) => resolveRef(spec, response))
    .find((response) => response.content);
  const accept = success && Object.keys(success.content)[0];
  if (accept) headers.push({ name: "Accept", value: accept });

  return {
    operationId: operation.operationId,
    method: method.toUpperCase(),
    serverUrl,
    url: `${serverUrl}${filledPath}`,
    pathParameters,
    headers,
    body,
  };
}

function resolveRef(spec, node) {
  if (!node?.$ref) return node;
  if (!node.$ref.startsWith("#/")) throw new Error(`Code samples: expected a local $ref in the bundled spec, got ${node.$ref}`);
  const target = node.$ref
    .slice(2)
    .split("/")
    .reduce((at, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  if (target === undefined) throw new Error(`Code samples: $ref ${node.$ref} points at nothing in the bundled spec`);
  return resolveRef(spec, target);
}

/** A writer that asks @readme/httpsnippet for one target and client. */
function snippet(target, client) {
  return (request) => {
    const har = {
      method: request.method,
      url: request.url,
      httpVersion: "HTTP/1.1",
      headers: request.headers,
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: -1,
      ...(request.body !== undefined && {
        postData: { mimeType: "application/json", text: JSON.stringify(request.body) },
      }),
    };
    const [code] = [new HTTPSnippet(har).convert(target, client, { indent: "  " })].flat();
    if (typeof code !== "string") throw new Error(`@readme/httpsnippet wrote nothing for ${target}/${client}`);
    return code;
  };
}

function rubyProgram(request) {
  // httpsnippet decides TLS from the URL it is given; deciding it from the URL at run time keeps
  // the program right when the reader points it at another base URL (a proxy, a mock).
  return replaceOnce(snippet("ruby", "native")(request), "http.use_ssl = true", 'http.use_ssl = url.scheme == "https"');
}

/** Java: httpsnippet's java.net.http snippet in a program that `java UpdateContact.java` runs. */
function javaProgram(request) {
  const statements = snippet("java", "nethttp")(request).split("\n").map((line) => (line ? `        ${line}` : line));
  return `import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class ${pascalCase(request.operationId)} {
    public static void main(String[] args) throws Exception {
${statements.join("\n")}
    }
}
`;
}

/** Node: this package's own client rather than a raw HTTP call. */
function nodeClientProgram(request) {
  const token = request.headers.find((header) => header.name === "Authorization")?.value.replace(/^Bearer /, "");
  const args = [...request.pathParameters.map(({ value }) => JSON.stringify(value)), javascriptLiteral(request.body)].join(", ");
  return `import { createCallbellClient } from "callbell-openapi";

const callbell = createCallbellClient({
  token: ${JSON.stringify(token)},
  baseUrl: ${JSON.stringify(request.serverUrl)},
});

const contact = await callbell.${request.operationId}(${args});
console.log(JSON.stringify(contact, null, 2));
`;
}

/** Rust: reqwest's blocking client, as Callbell's own Rust sample uses. */
function rustProgram(request) {
  const json = JSON.stringify(request.body, null, 4);
  // A raw string needs more # than any "# run inside it.
  const hashes = "#".repeat(Math.max(0, ...[...json.matchAll(/"(#+)/g)].map(([, run]) => run.length)) + 1);
  const headers = request.headers.map(({ name, value }) => `        .header(${rustString(name)}, ${rustString(value)})`);
  return `// Cargo.toml: reqwest = { version = "0.12", features = ["blocking"] }
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let body = r${hashes}"${json}"${hashes};
    let response = reqwest::blocking::Client::new()
        .${request.method.toLowerCase()}(${rustString(request.url)})
${headers.join("\n")}
        .body(body)
        .send()?
        .error_for_status()?;
    println!("{}", response.text()?);
    Ok(())
}
`;
}

/** JSON with identifier keys unquoted, as JavaScript is usually written. */
function javascriptLiteral(value) {
  // JSON.stringify puts every key first on its line, so only keys can match here.
  return JSON.stringify(value, null, 2).replace(/^(\s*)"([A-Za-z_$][\w$]*)": /gm, "$1$2: ");
}

function rustString(text) {
  // JSON's escapes (\" \\ \n \t \u{…} aside) are Rust's; these samples only hold printable ASCII.
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`Rust sample: ${JSON.stringify(text)} needs escapes this template does not write`);
  return JSON.stringify(text);
}

function listing(words) {
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : words.join("");
}

function pascalCase(name) {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function replaceOnce(text, search, replacement) {
  const count = text.split(search).length - 1;
  if (count !== 1) throw new Error(`Code samples: expected "${search}" once in httpsnippet's output, found it ${count} times; check the @readme/httpsnippet version`);
  return text.replace(search, replacement);
}
