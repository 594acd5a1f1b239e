// Code samples for the docs: each operation's example request as a program in each of the nine
// languages Callbell's own page shows, built from the bundled spec by the small templates below
// (httpsnippet's programs hard-code the token, print the body whatever the status and, in Go,
// drop errors; a sample a reader pastes must do none of that).

/**
 * The nine languages, in the order of Callbell's page. `checkedBy` says how the tests prove a
 * sample: "mock" runs it against Prism, "syntax" parses it and compares its request with the
 * spec's (no toolchain for it installs from Debian). test/docs/code-samples.test.ts holds each
 * language to this.
 */
export const sampleLanguages = [
  { label: "cURL", lang: "Shell", file: (name) => `${name}.sh`, write: curlProgram, checkedBy: "mock" },
  {
    label: "Node",
    lang: "JavaScript",
    file: (name) => `${name}.mjs`,
    write: nodeClientProgram,
    checkedBy: "mock",
  },
  { label: "Ruby", lang: "Ruby", file: (name) => `${name}.rb`, write: rubyProgram, checkedBy: "mock" },
  { label: "Go", lang: "Go", file: (name) => `${name}.go`, write: goProgram, checkedBy: "mock" },
  { label: "PHP", lang: "PHP", file: (name) => `${name}.php`, write: phpProgram, checkedBy: "mock" },
  { label: "Python", lang: "Python", file: (name) => `${name}.py`, write: pythonProgram, checkedBy: "mock" },
  {
    label: "C#",
    lang: "C#",
    file: (name) => `${pascalCase(name)}.cs`,
    write: csharpProgram,
    checkedBy: "syntax",
  },
  {
    label: "Java",
    lang: "Java",
    file: (name) => `${pascalCase(name)}.java`,
    write: javaProgram,
    checkedBy: "mock",
  },
  { label: "Rust", lang: "Rust", file: (name) => `${name}.rs`, write: rustProgram, checkedBy: "mock" },
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
  const labels = (checkedBy) =>
    listing(sampleLanguages.filter((language) => language.checkedBy === checkedBy).map(({ label }) => label));
  decorated.info.description = `${decorated.info.description.trimEnd()}

**Code samples.** Each operation's samples are generated from this document by \`npm run generate\`
(method, URL, headers and the first named request example). Each reads the token from
\`$CALLBELL_API_TOKEN\`, prints the body of a \`2xx\`, and on any other status prints the status and
body and exits non-zero. In CI, the ${labels("mock")} samples run against a mock of this contract,
once answered \`200\` and once \`422\`; the ${labels("syntax")} samples are parsed and their request
compared with the example, as no toolchain for them is installed there.
`;
  for (const { path, method, samples } of operations) {
    decorated.paths[path][method]["x-codeSamples"] = samples.map(({ lang, label, source }) => ({
      lang,
      label,
      source,
    }));
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
    throw new Error(
      `Cannot write code samples for ${where}: ${what}. Fix it in openapi/ or teach scripts/spec/code-samples.mjs.`,
    );
  };
  if (!operation.operationId) fail("it has no operationId to name the sample files");
  const serverUrl = spec.servers?.[0]?.url;
  if (!serverUrl || serverUrl.includes("{")) fail("the spec needs a first server with a literal URL");

  const parameters = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map((p) =>
    resolveRef(spec, p),
  );
  for (const parameter of parameters) {
    if (parameter.in !== "path" && parameter.required)
      fail(`required ${parameter.in} parameter ${parameter.name} is not supported by the samples`);
  }
  // In the order the path names them, which is the order the client's methods take them.
  const pathParameters = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => {
    const parameter =
      parameters.find((p) => p.in === "path" && p.name === name) ??
      fail(`path parameter ${name} is not declared`);
    const value =
      parameter.example ?? parameter.schema?.examples?.[0] ?? fail(`path parameter ${name} has no example`);
    return { name, value: String(value) };
  });
  const filledPath = pathParameters.reduce(
    (filled, { name, value }) => filled.replace(`{${name}}`, encodeURIComponent(value)),
    path,
  );

  const headers = [];
  const security = operation.security ?? spec.security ?? [];
  const schemes = security
    .flatMap((requirement) => Object.keys(requirement))
    .map((name) => spec.components?.securitySchemes?.[name]);
  if (schemes.some((scheme) => scheme?.type === "http" && scheme.scheme?.toLowerCase() === "bearer")) {
    headers.push({ name: "Authorization", value: `Bearer $${TOKEN_VARIABLE}` });
  } else if (schemes.length) {
    fail("only bearer authentication is supported by the samples");
  }

  let body;
  const requestBody = operation.requestBody && resolveRef(spec, operation.requestBody);
  if (requestBody) {
    const [mediaType, content] =
      Object.entries(requestBody.content ?? {})[0] ?? fail("its request body has no media type");
    if (mediaType !== "application/json")
      fail(`request body media type ${mediaType} is not supported by the samples`);
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
  if (!node.$ref.startsWith("#/"))
    throw new Error(`Code samples: expected a local $ref in the bundled spec, got ${node.$ref}`);
  const target = node.$ref
    .slice(2)
    .split("/")
    .reduce((at, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  if (target === undefined)
    throw new Error(`Code samples: $ref ${node.$ref} points at nothing in the bundled spec`);
  return resolveRef(spec, target);
}

/** The environment variable every sample reads the token from: no token is ever pasted into code. */
export const TOKEN_VARIABLE = "CALLBELL_API_TOKEN";

// Every template below: the token from $CALLBELL_API_TOKEN (stop with a message when unset), the
// request, then on a 2xx the body on stdout and exit 0; on any other status the status and the
// body on stderr (cURL: stdout) and a non-zero exit; a network error ends the program non-zero
// with its message. Lines stay near 72 columns so that the docs' panel rarely has to wrap them.

const header = (request, name) =>
  request.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
const otherHeaders = (request) => request.headers.filter(({ name }) => name !== "Authorization");
const prettyJson = (request) => JSON.stringify(request.body, null, 2);

function curlProgram(request) {
  const quote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
  return `# Set CALLBELL_API_TOKEN to a token from the Callbell dashboard.
# --fail-with-body: exit 22 on a non-2xx answer, and still print it.
curl --fail-with-body --silent --show-error \\
  --request ${request.method} \\
  --url ${quote(request.url)} \\
  --header "Authorization: Bearer \${${TOKEN_VARIABLE}:?set ${TOKEN_VARIABLE}}" \\
${otherHeaders(request)
  .map(({ name, value }) => `  --header ${quote(`${name}: ${value}`)} \\`)
  .join("\n")}
  --data ${quote(prettyJson(request))}
`;
}

function rubyProgram(request) {
  if (prettyJson(request).includes("\nJSON")) throw new Error("Ruby sample: the body would end its heredoc");
  return `require "net/http"
require "uri"

token = ENV.fetch("${TOKEN_VARIABLE}") { abort "Set ${TOKEN_VARIABLE}." }
url = URI(${JSON.stringify(request.url)})

request = Net::HTTP::${request.method[0]}${request.method.slice(1).toLowerCase()}.new(url)
request["Authorization"] = "Bearer #{token}"
${otherHeaders(request)
  .map(({ name, value }) => `request[${JSON.stringify(name)}] = ${JSON.stringify(value)}`)
  .join("\n")}
request.body = <<~'JSON'
${indent(prettyJson(request), 2)}
JSON

response = Net::HTTP.start(url.host, url.port,
                           use_ssl: url.scheme == "https",
                           read_timeout: 30) do |http|
  http.request(request)
end
unless response.is_a?(Net::HTTPSuccess)
  abort "Callbell answered #{response.code}: #{response.body}"
end
puts response.body
`;
}

function goProgram(request) {
  const json = prettyJson(request);
  if (json.includes("`")) throw new Error("Go sample: the body holds a backtick, which ends a raw string");
  return `package main

import (
\t"fmt"
\t"io"
\t"log"
\t"net/http"
\t"os"
\t"strings"
\t"time"
)

func main() {
\ttoken := os.Getenv("${TOKEN_VARIABLE}")
\tif token == "" {
\t\tlog.Fatal("Set ${TOKEN_VARIABLE}.")
\t}
\turl := ${JSON.stringify(request.url)}
\tpayload := strings.NewReader(\`${json}\`)

\treq, err := http.NewRequest(${JSON.stringify(request.method)}, url, payload)
\tif err != nil {
\t\tlog.Fatal(err)
\t}
\treq.Header.Set("Authorization", "Bearer "+token)
${otherHeaders(request)
  .map(({ name, value }) => `\treq.Header.Set(${JSON.stringify(name)}, ${JSON.stringify(value)})`)
  .join("\n")}

\tclient := &http.Client{Timeout: 30 * time.Second}
\tres, err := client.Do(req)
\tif err != nil {
\t\tlog.Fatal(err)
\t}
\tdefer res.Body.Close()
\tbody, err := io.ReadAll(res.Body)
\tif err != nil {
\t\tlog.Fatal(err)
\t}
\tif res.StatusCode < 200 || res.StatusCode > 299 {
\t\tlog.Fatalf("Callbell answered %s: %s", res.Status, body)
\t}
\tfmt.Println(string(body))
}
`;
}

function phpProgram(request) {
  if (prettyJson(request).includes("\nJSON")) throw new Error("PHP sample: the body would end its nowdoc");
  const headers = [
    `"Authorization: Bearer $token"`,
    ...otherHeaders(request).map(({ name, value }) => JSON.stringify(`${name}: ${value}`)),
  ];
  return `<?php

$token = getenv("${TOKEN_VARIABLE}");
if ($token === false || $token === "") {
  fwrite(STDERR, "Set ${TOKEN_VARIABLE}.\\n");
  exit(1);
}
$body = <<<'JSON'
${prettyJson(request)}
JSON;

$curl = curl_init(${JSON.stringify(request.url)});
curl_setopt_array($curl, [
  CURLOPT_CUSTOMREQUEST => ${JSON.stringify(request.method)},
  CURLOPT_RETURNTRANSFER => true,
  CURLOPT_TIMEOUT => 30,
  CURLOPT_POSTFIELDS => $body,
  CURLOPT_HTTPHEADER => [
${headers.map((line) => `    ${line},`).join("\n")}
  ],
]);
$response = curl_exec($curl);
if ($response === false) {
  fwrite(STDERR, "Request failed: " . curl_error($curl) . "\\n");
  exit(1);
}
$status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
if ($status < 200 || $status > 299) {
  fwrite(STDERR, "Callbell answered $status: $response\\n");
  exit(1);
}
echo $response, "\\n";
`;
}

function pythonProgram(request) {
  return `import os
import sys

import requests

token = os.environ.get("${TOKEN_VARIABLE}") or sys.exit("Set ${TOKEN_VARIABLE}.")
url = ${JSON.stringify(request.url)}
payload = ${pythonLiteral(request.body, "")}
headers = {
    "Authorization": f"Bearer {token}",
${otherHeaders(request)
  .filter(({ name }) => name !== "Content-Type") // requests sets it for json=
  .map(({ name, value }) => `    ${JSON.stringify(name)}: ${JSON.stringify(value)},`)
  .join("\n")}
}

# json= sends the payload as JSON with Content-Type: application/json.
response = requests.${request.method.toLowerCase()}(url, json=payload, headers=headers, timeout=30)
if not response.ok:
    sys.exit(f"Callbell answered {response.status_code}: {response.text}")
print(response.text)
`;
}

function csharpProgram(request) {
  const body = JSON.stringify(JSON.stringify(request.body));
  const accept = header(request, "Accept");
  return `using System.Net.Http.Headers;

var token = Environment.GetEnvironmentVariable("${TOKEN_VARIABLE}")
    ?? throw new InvalidOperationException("Set ${TOKEN_VARIABLE}.");
using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
var request = new HttpRequestMessage
{
    Method = HttpMethod.${request.method[0]}${request.method.slice(1).toLowerCase()},
    RequestUri = new Uri(
        ${JSON.stringify(request.url)}),
    Headers =
    {
        { "Authorization", $"Bearer {token}" },
        { "Accept", ${JSON.stringify(accept)} },
    },
    Content = new StringContent(
        ${body})
    {
        Headers =
        {
            ContentType = new MediaTypeHeaderValue(${JSON.stringify(header(request, "Content-Type"))})
        }
    }
};
using var response = await client.SendAsync(request);
var text = await response.Content.ReadAsStringAsync();
if (!response.IsSuccessStatusCode)
{
    Console.Error.WriteLine($"Callbell answered {(int)response.StatusCode}: {text}");
    return 1;
}
Console.WriteLine(text);
return 0;
`;
}

/** Java: java.net.http, run with \`java UpdateContact.java\` (JDK 15+ for the text block). */
function javaProgram(request) {
  const json = prettyJson(request).replace(/\\/g, "\\\\").replace(/"""/g, '\\"""');
  return `import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

public class ${pascalCase(request.operationId)} {
    public static void main(String[] args) throws Exception {
        String token = System.getenv("${TOKEN_VARIABLE}");
        if (token == null || token.isEmpty()) {
            System.err.println("Set ${TOKEN_VARIABLE}.");
            System.exit(1);
        }
        String body = """
${indent(json, 12)}
            """;
        HttpRequest request = HttpRequest.newBuilder()
            .uri(URI.create(
                ${JSON.stringify(request.url)}))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
${otherHeaders(request)
  .map(({ name, value }) => `            .header(${JSON.stringify(name)}, ${JSON.stringify(value)})`)
  .join("\n")}
            .method(${JSON.stringify(request.method)},
                HttpRequest.BodyPublishers.ofString(body))
            .build();
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            System.err.println("Callbell answered " + response.statusCode()
                + ": " + response.body());
            System.exit(1);
        }
        System.out.println(response.body());
    }
}
`;
}

/** Node: this package's own client rather than a raw HTTP call. */
function nodeClientProgram(request) {
  const args = [
    ...request.pathParameters.map(({ value }) => JSON.stringify(value)),
    javascriptLiteral(request.body),
  ].join(", ");
  return `import { CallbellAPIError, createCallbellClient } from "callbell-openapi";

// The token comes from CALLBELL_API_TOKEN; 429s and 5xx are retried.
const callbell = createCallbellClient({
  baseUrl: ${JSON.stringify(request.serverUrl)},
});

try {
  const contact = await callbell.${request.operationId}(${args});
  console.log(JSON.stringify(contact, null, 2));
} catch (error) {
  if (error instanceof CallbellAPIError) {
    console.error(\`Callbell answered \${error.status}:\`, JSON.stringify(error.body));
  } else {
    console.error(error.message);
  }
  process.exitCode = 1;
}
`;
}

/**
 * Rust: reqwest's blocking client, as Callbell's own Rust sample uses. The Cargo.toml line is the
 * one test/generators/rust/code-sample/ builds it with (native-tls: the system's OpenSSL).
 */
function rustProgram(request) {
  const json = prettyJson(request);
  // A raw string needs more # than any "# run inside it.
  const hashes = "#".repeat(Math.max(0, ...[...json.matchAll(/"(#+)/g)].map(([, run]) => run.length)) + 1);
  const headers = otherHeaders(request).map(
    ({ name, value }) => `        .header(${rustString(name)}, ${rustString(value)})`,
  );
  return `// Cargo.toml: reqwest = { version = "0.13", default-features = false, features = ["blocking", "native-tls"] }
use std::{env, process, time::Duration};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = env::var("${TOKEN_VARIABLE}")
        .map_err(|_| "Set ${TOKEN_VARIABLE}.")?;
    let body = r${hashes}"${json}"${hashes};
    let response = reqwest::blocking::Client::new()
        .${request.method.toLowerCase()}(
            ${rustString(request.url)})
        .timeout(Duration::from_secs(30))
        .header("Authorization", format!("Bearer {token}"))
${headers.join("\n")}
        .body(body)
        .send()?;
    let status = response.status();
    let text = response.text()?;
    if !status.is_success() {
        eprintln!("Callbell answered {status}: {text}");
        process::exit(1);
    }
    println!("{text}");
    Ok(())
}
`;
}

/** A Python literal for a JSON value, indented by four spaces a level. */
function pythonLiteral(value, at) {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string" || typeof value === "number") return JSON.stringify(value);
  const inner = `${at}    `;
  if (Array.isArray(value))
    return value.length
      ? `[\n${value.map((item) => `${inner}${pythonLiteral(item, inner)},`).join("\n")}\n${at}]`
      : "[]";
  const entries = Object.entries(value);
  return entries.length
    ? `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${pythonLiteral(item, inner)},`).join("\n")}\n${at}}`
    : "{}";
}

function indent(text, spaces) {
  return text
    .split("\n")
    .map((line) => `${" ".repeat(spaces)}${line}`)
    .join("\n");
}

/** JSON with identifier keys unquoted, as JavaScript is usually written. */
function javascriptLiteral(value) {
  // JSON.stringify puts every key first on its line, so only keys can match here.
  return JSON.stringify(value, null, 2).replace(/^(\s*)"([A-Za-z_$][\w$]*)": /gm, "$1$2: ");
}

function rustString(text) {
  // JSON's escapes (\" \\ \n \t \u{…} aside) are Rust's; these samples only hold printable ASCII.
  if (!/^[\x20-\x7e]*$/.test(text))
    throw new Error(`Rust sample: ${JSON.stringify(text)} needs escapes this template does not write`);
  return JSON.stringify(text);
}

function listing(words) {
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : words.join("");
}

function pascalCase(name) {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
