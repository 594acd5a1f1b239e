// `npm run test:node-matrix [-- <major> ...]`: runs the client's suites (test/unit, test/network,
// test/contract) and the consumer test under Node 22 and 24 (or the majors given), with binaries
// from the npm registry cached by scripts/ci/fetch-node.mjs. Node 20, the machine's, runs them in
// `npm test`. Each run puts its Node first on PATH, so that the consumer test's npm, tsc and node
// run on it too; the Prism mock runs on it as well, as it would in a team's CI on that Node.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fetchNode, nodeVersions } from "./fetch-node.mjs";
import { root } from "../lib/run-tool.mjs";

const suites = ["test/unit", "test/network", "test/contract", "test/package/consumer.test.ts"];
const majors = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(nodeVersions);
const vitest = path.join(root, "node_modules", "vitest", "vitest.mjs");

const results = [];
for (const major of majors) {
  let node;
  try {
    node = fetchNode(major);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  console.log(`\nnode-matrix: Node ${nodeVersions[major]}: vitest run ${suites.join(" ")}`);
  const started = Date.now();
  const run = spawnSync(node, [vitest, "run", ...suites], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` },
  });
  results.push({
    node: nodeVersions[major],
    ok: run.status === 0,
    seconds: Math.round((Date.now() - started) / 1000),
  });
}

console.log("\nnode-matrix:");
for (const { node, ok, seconds } of results)
  console.log(`  Node ${node}: ${ok ? "passed" : "FAILED"} in ${seconds} s`);
if (results.some(({ ok }) => !ok)) {
  console.error(
    "node-matrix: a suite failed on the Node named above; rerun it alone with `npm run test:node-matrix -- <major>`.",
  );
  process.exit(1);
}
