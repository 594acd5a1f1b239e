import { configDefaults, defineConfig } from "vitest/config";

// Suites that pack the tarball, install generators, build or run other languages' tools, or drive Chromium: `npm run test:slow` runs them,
// `npm test` does not, and .ci/run runs both (see CONTRIBUTING.md).
// Also the longest of the rest (the hostile-input property suite, the CLI run as a user runs it,
// the code samples in other languages, the breaking-change and live-conformance scripts), so that
// `npm test` stays within 3 minutes on 2 cores.
const slow = [
  "test/package/consumer.test.ts",
  "test/package/generators.test.ts",
  "test/docs/site.test.ts",
  "test/package/openapi-3.0.test.ts",
  "test/contract/schemathesis.test.ts",
  "test/hostile/properties.test.ts",
  "test/network/bulk-cli.test.ts",
  "test/docs/code-samples.test.ts",
  "test/package/check-breaking.test.ts",
  "test/live/conformance-proxy.test.ts",
];
const timeouts = { testTimeout: 20_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    // The root's global setup runs once per run, whichever projects run, and provides to all of them:
    // the projects do not extend the root, so that Prism is not started a second time.
    globalSetup: ["test/global-setup.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "everyday",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...slow, "test/generators/**"],
          ...timeouts,
        },
      },
      { test: { name: "slow", include: slow, ...timeouts } },
      // The generator matrix across languages (test/generators/*/recipe.mjs): `npm run test:generators`.
      { test: { name: "generators", include: ["test/generators/**/*.test.ts"], ...timeouts } },
    ],
  },
});
