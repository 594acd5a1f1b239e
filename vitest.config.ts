import { defineConfig } from "vitest/config";

// Suites that pack the tarball, install generators or drive Chromium: `npm run test:slow` runs them,
// `npm test` does not, and .ci/run runs both (see CONTRIBUTING.md).
const slow = ["test/package/consumer.test.ts", "test/package/generators.test.ts", "test/docs/site.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "everyday", include: ["test/**/*.test.ts"], exclude: slow } },
      { extends: true, test: { name: "slow", include: slow } },
    ],
  },
});
