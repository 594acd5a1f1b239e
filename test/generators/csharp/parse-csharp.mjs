// The C# cell's compile stage, short of a compiler: no .NET SDK (and no NuGet) can be installed on
// this project's machines, so every .cs file the generator wrote is parsed with tree-sitter's C#
// grammar (the one that checks the C# code sample, test/support/code-sample-syntax.ts). A syntax
// error fails with its file, line and column; types, names and references are not checked.
// Usage: node test/generators/csharp/parse-csharp.mjs <folder>
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Language, Parser } from "web-tree-sitter";

const require = createRequire(import.meta.url);

/** The first ERROR or MISSING node under node, depth first, or undefined. */
function firstBad(node) {
  if (node.type === "ERROR" || node.isMissing) return node;
  if (!node.hasError) return undefined;
  for (const child of node.children) {
    const bad = child && firstBad(child);
    if (bad) return bad;
  }
  return node;
}

/** Every syntax error of the .cs files under folder, as "file:line:column: what" (relative paths). */
export async function csharpSyntaxErrors(folder) {
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(require.resolve("tree-sitter-c-sharp/tree-sitter-c_sharp.wasm")));
  const files = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".cs"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  const errors = [];
  for (const file of files) {
    const tree = parser.parse(readFileSync(file, "utf8"));
    const bad = tree && firstBad(tree.rootNode);
    if (!tree || bad) {
      const where = bad ? `${bad.startPosition.row + 1}:${bad.startPosition.column + 1}` : "1:1";
      const what = bad?.isMissing
        ? `missing ${bad.type}`
        : `cannot parse \`${(bad?.text ?? "").slice(0, 80)}\``;
      errors.push(`${path.relative(folder, file)}:${where}: ${what}`);
    }
    tree?.delete();
  }
  return { files: files.length, errors };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = path.resolve(process.argv[2] ?? ".");
  const { files, errors } = await csharpSyntaxErrors(folder);
  if (files === 0) {
    console.error(`No .cs file under ${folder}: the generator wrote no C#.`);
    process.exit(1);
  }
  if (errors.length) {
    console.error(
      `${errors.length} of ${files} C# files do not parse (tree-sitter-c-sharp):\n${errors.join("\n")}`,
    );
    process.exit(1);
  }
  console.log(
    `${files} C# files parse (tree-sitter-c-sharp; parsed only: no .NET SDK here to compile them).`,
  );
}
