import { defineConfig } from "tsdown";

// ESM (.js) and CommonJS (.cjs), each with its own declarations (.d.ts, .d.cts); dependencies stay
// external. Not minified: size-limit measures the minified size, and stack traces stay readable.
const shared = { format: ["esm", "cjs"], dts: true, outDir: "dist", fixedExtension: false, target: "es2022" } as const;

export default defineConfig([
  // The client: browser-safe, so it builds for a neutral platform, where Node built-ins do not resolve.
  { ...shared, entry: { index: "src/index.ts", schema: "src/schema.ts" }, platform: "neutral", clean: true },
  // The mock and its CLI: Node only, never imported by the client.
  { ...shared, entry: { mock: "mock/start-mock.ts", "mock-cli": "mock/cli.ts" }, platform: "node", clean: false },
]);
