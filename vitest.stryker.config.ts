// The suites Stryker runs against each mutant of src/ (`npm run test:mutation`): those that call
// the client and bulk code in-process and kill its mutants in seconds. Left out: the docs site
// (Chromium), the package, consumer and generator tests (npm pack, other languages), the contract
// tests against Prism and the CLI tests (they run the built dist/, not the mutated src/).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/unit/{client,headers,retries,retry-policy,adaptive-rate}.test.ts",
      "test/hostile/*.test.ts",
      "test/network/{faults,concurrency,bulk}.test.ts",
    ],
    // test/unit/headers.test.ts sends one request through Prism.
    globalSetup: ["test/global-setup.ts"],
    // Fixed seeds only (no rotating one): a mutant is killed or not, never by luck.
    env: { FC_ROTATING: "off" },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
