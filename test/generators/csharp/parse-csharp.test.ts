// The C# cell's compile stage (parse-csharp.mjs) is a parse, not a compile: prove it fails on a
// syntax error with the file and line, and passes what parses.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { csharpSyntaxErrors } from "./parse-csharp.mjs";

const folder = mkdtempSync(path.join(tmpdir(), "callbell-parse-csharp-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const good = `namespace Callbell.Client.Model
{
    public partial class Team
    {
        public string? Name { get; set; }
        public Option<List<string>?> TagsOption { get; private set; }
    }
}
`;

describe("parse-csharp.mjs", () => {
  it("passes C# that parses, and names each file and line that does not", async () => {
    mkdirSync(path.join(folder, "Model"));
    writeFileSync(path.join(folder, "Model", "Team.cs"), good);
    expect(await csharpSyntaxErrors(folder)).toEqual({ files: 1, errors: [] });
    writeFileSync(path.join(folder, "Model", "Broken.cs"), good.replace("{ get; set; }", "{ get; set }"));
    writeFileSync(path.join(folder, "Unclosed.cs"), `${good}class Unclosed {\n`);
    const { files, errors } = await csharpSyntaxErrors(folder);
    expect(files).toBe(3);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^Model\/Broken\.cs:5:\d+: /);
    expect(errors[1]).toMatch(/^Unclosed\.cs:9:1: /);
  });
});
