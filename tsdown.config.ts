import { defineConfig, type UserConfig } from "tsdown";

// rolldown 1.0.0-rc.17 (under tsdown 0.21, the last for Node 20) gives a "type": "module" package's
// CommonJS output Node's interop for a default import (`__toESM(mod, 1)`, rolldown#10800): the
// default of openapi-fetch, whose CommonJS build sets __esModule, would be its whole module object
// and `createClient` no function. Babel's interop, which __esModule asks for, is the right one.
const cjsDefaultImports: NonNullable<UserConfig["plugins"]> = {
  name: "cjs-default-imports",
  renderChunk(code, _chunk, options) {
    return options.format === "cjs" ? code.replace(/__toESM\((\w+), 1\)/g, "__toESM($1)") : null;
  },
};

// ESM (.js) and CommonJS (.cjs), each with its own declarations (.d.ts, .d.cts); dependencies stay
// external. Not minified: size-limit measures the minified size, and stack traces stay readable.
const shared = {
  format: ["esm", "cjs"],
  dts: true,
  outDir: "dist",
  fixedExtension: false,
  target: "es2022",
  plugins: [cjsDefaultImports],
} satisfies UserConfig;

export default defineConfig([
  // The client: browser-safe, so it builds for a neutral platform, where Node built-ins do not resolve.
  { ...shared, entry: { index: "src/index.ts", schema: "src/schema.ts" }, platform: "neutral", clean: true },
  // The mock and its CLI: Node only, never imported by the client.
  { ...shared, entry: { mock: "mock/start-mock.ts", "mock-cli": "mock/cli.ts" }, platform: "node", clean: false },
]);
