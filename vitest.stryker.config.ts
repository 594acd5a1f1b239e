// The suites Stryker runs against each mutant of src/ (`npm run test:mutation`): those that call
// the client and bulk code in-process and kill its mutants in seconds. Left out: the docs site
// (Chromium), the package, consumer and generator tests (npm pack, other languages), the contract
// tests against Prism and the CLI tests (they run the built dist/, not the mutated src/), and the
// property suite (test/hostile/properties.test.ts): it covers nearly every line of the client and
// takes 10-30 s a run, so each surviving mutant would cost that again; the hand-written tests the
// README names for each promise are the ones that must kill its mutants. And the 1,000-call load
// test (test/network/concurrency.test.ts), which instrumented code cannot finish in its time.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/unit/{client,headers,client-retries,retry-policy,adaptive-rate,wakeup,error-bounds}.test.ts",
      "test/hostile/found.test.ts",
      "test/network/{faults,bulk,bulk-order,bulk-retries,bulk-stops,limits}.test.ts",
    ],
    // test/unit/headers.test.ts sends one request through Prism. test/network/bulk-order.test.ts is the
    // proof of bulk's order guarantee (docs/bulk-and-cli.md): its mutants must fail it.
    globalSetup: ["test/global-setup.ts"],
    // Fixed seeds only: a mutant is killed or not, never by luck.
    env: { FC_ROTATING: "off" },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
