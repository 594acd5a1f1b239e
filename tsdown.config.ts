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

// The callbell-contacts command is built with the client, so that it, the bulk entry and the core
// entry share one copy of the client and its error classes per format; only modules in src/cli/
// may import Node built-ins, which everywhere else still fail the neutral build.
const nodeOnlyFolder = /[\\/]src[\\/]cli[\\/]/;
const cliNodeBuiltins: NonNullable<UserConfig["plugins"]> = {
  name: "cli-node-builtins",
  resolveId(id, importer) {
    if (id.startsWith("node:") && importer && nodeOnlyFolder.test(importer)) return { id, external: true };
    return null;
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
  // An unresolved import (a Node built-in in the neutral build) is a warning in rolldown: make it fail.
  failOnWarn: true,
} satisfies UserConfig;

export default defineConfig([
  // The client and the bulk entry: browser-safe, so they build for a neutral platform, where Node
  // built-ins do not resolve. Entries of one build share chunks: bulk imports the core entry's
  // errors, so `instanceof` holds across them. The bulk entry bundles generated/contact-validators.js.
  {
    ...shared,
    entry: {
      index: "src/client/index.ts",
      schema: "src/schema/index.ts",
      bulk: "src/bulk/index.ts",
      cli: "src/cli/callbell-contacts.ts",
    },
    platform: "neutral",
    plugins: [...shared.plugins, cliNodeBuiltins],
    clean: true,
  },
  // The mock and its CLI: Node only, never imported by the client.
  // Everything in src/mock/ is Node only; the preload Prism runs is copied beside dist/mock.js.
  {
    ...shared,
    entry: { mock: "src/mock/start-mock.ts", "mock-cli": "src/mock/callbell-mock.ts" },
    platform: "node",
    clean: false,
    copy: ["src/mock/prism-survives-odd-requests.cjs", "src/mock/reflect-answers.cjs"],
  },
]);
