// Reads the request out of the C# sample, which no toolchain here can run (no .NET SDK): it is
// parsed with its tree-sitter grammar (so a syntax error fails), then the HTTP method, URL,
// headers and body are taken from the syntax tree.
import { createRequire } from "node:module";
import { Language, Parser, type Node } from "web-tree-sitter";

const require = createRequire(import.meta.url);

export interface SampleRequest {
  method: string;
  url: string;
  headers: [name: string, value: string][];
  body: string;
}

async function parser(wasm: string) {
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(require.resolve(wasm)));
  return parser;
}

/** Fails with the first bad spot's position when the source does not parse. */
async function parse(wasm: string, source: string) {
  const tree = (await parser(wasm)).parse(source);
  if (!tree) throw new Error(`${wasm} parsed nothing`);
  const bad = tree.rootNode.descendantsOfType(["ERROR"])[0] ?? findMissing(tree.rootNode);
  if (tree.rootNode.hasError || bad) {
    const at = bad
      ? `line ${bad.startPosition.row + 1}, column ${bad.startPosition.column + 1}: ${bad.text || `missing ${bad.type}`}`
      : "somewhere";
    throw new Error(`Syntax error (${wasm}) at ${at}`);
  }
  return tree.rootNode;
}

function findMissing(node: Node): Node | undefined {
  if (node.isMissing) return node;
  for (const child of node.children) {
    const missing = child && findMissing(child);
    if (missing) return missing;
  }
  return undefined;
}

/** The value of a plain "…" literal in C#: its escapes for these samples are JSON's. */
function stringValue(node: Node | null | undefined): string {
  if (!node || node.type !== "string_literal")
    throw new Error(`Expected a string literal, found ${node?.type ?? "nothing"}: ${node?.text}`);
  return JSON.parse(node.text);
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`Expected one ${what}, found ${items.length}`);
  return items[0]!;
}

/**
 * `{name}` in an interpolated string, for a variable read from the environment, as `$ENV_NAME`;
 * any other interpolation is refused, so that a header value is always known.
 */
function interpolate(template: string, fromEnvironment: Map<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const variable = fromEnvironment.get(name);
    if (!variable)
      throw new Error(`{${name}} in ${JSON.stringify(template)} is not a variable read from the environment`);
    return `$${variable}`;
  });
}

/** Our C# template's shape: an HttpRequestMessage built with an object initializer. */
export async function csharpRequest(source: string): Promise<SampleRequest> {
  const root = await parse("tree-sitter-c-sharp/tree-sitter-c_sharp.wasm", source);
  const assigned = (name: string) =>
    root
      .descendantsOfType(["assignment_expression"])
      .filter((node) => node?.childForFieldName("left")?.text === name)
      .map((node) => node!.childForFieldName("right")!);
  const constructed = (node: Node, type: string) => {
    if (node.type !== "object_creation_expression" || node.childForFieldName("type")?.text !== type)
      throw new Error(`Expected new ${type}(…), found ${node.text}`);
    return stringValue(node.childForFieldName("arguments")?.namedChildren[0]?.namedChildren[0]);
  };
  // var token = Environment.GetEnvironmentVariable("NAME") ?? throw …;
  const fromEnvironment = new Map(
    root.descendantsOfType(["variable_declarator"]).flatMap((node) => {
      const match = /^(\w+)\s*=\s*Environment\.GetEnvironmentVariable\("(\w+)"\)/.exec(node!.text);
      return match ? [[match[1]!, match[2]!] as [string, string]] : [];
    }),
  );
  const headerValue = (node: Node | null | undefined) =>
    node?.type === "interpolated_string_expression" && /^\$"[^"\\]*"$/.test(node.text)
      ? interpolate(node.text.slice(2, -1), fromEnvironment)
      : stringValue(node);
  const method = /^HttpMethod\.(\w+)$/.exec(only(assigned("Method"), "Method = …").text)?.[1];
  if (!method) throw new Error(`Method is not an HttpMethod: ${assigned("Method")[0]?.text}`);
  const headers = assigned("Headers")
    .flatMap((initializer) => initializer.namedChildren)
    .filter((pair) => pair?.type === "initializer_expression")
    .map(
      (pair) =>
        [stringValue(pair!.namedChildren[0]), headerValue(pair!.namedChildren[1])] as [string, string],
    );
  headers.push([
    "Content-Type",
    constructed(only(assigned("ContentType"), "ContentType = …"), "MediaTypeHeaderValue"),
  ]);
  // Built and also sent.
  only(
    root
      .descendantsOfType(["invocation_expression"])
      .filter((node) => /\.SendAsync$/.test(node!.childForFieldName("function")!.text)),
    "SendAsync call",
  );
  return {
    method: method.toUpperCase(),
    url: constructed(only(assigned("RequestUri"), "RequestUri = …"), "Uri"),
    headers,
    body: constructed(only(assigned("Content"), "Content = …"), "StringContent"),
  };
}
