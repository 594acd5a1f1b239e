// `npm run mock`: the package's own mock (src/mock/start-mock.ts, shipped as `callbell-openapi/mock`)
// on 127.0.0.1:4010 (or MOCK_PORT) until stopped. npm start and test:live use it too, from dist/,
// which is rebuilt first when it is missing or older than src/mock/.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { root, runTool } from "../lib/run-tool.mjs";

const built = path.join(root, "dist", "mock.js");
const sources = path.join(root, "src", "mock");
const newestSource = Math.max(
  ...readdirSync(sources).map((file) => statSync(path.join(sources, file)).mtimeMs),
);
if (!existsSync(built) || statSync(built).mtimeMs < newestSource) {
  console.log("Building dist/ (npm run build), which the mock runs from.");
  runTool("tsdown", []);
}

/** @type {typeof import("../../src/mock/start-mock.ts")} */
const shipped = await import(pathToFileURL(built).href);

/** startMock with this repo's defaults: port 4010 or MOCK_PORT. */
export function startMock(/** @type {import("../../src/mock/start-mock.ts").MockOptions} */ options = {}) {
  return shipped.startMock({ port: Number(process.env.MOCK_PORT ?? 4010), ...options });
}

export const { startProxy } = shipped;

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { stop, exited } = await startMock({ echo: true });
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void stop());
    process.exitCode = (await exited) ?? 0;
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
