#!/usr/bin/env node
// `callbell-mock`: the same mock as startMock(), for CI in any language. Prints the URL, then
// Prism's log, and runs until SIGINT or SIGTERM.
import { parseArgs } from "node:util";
import { PRISM_VERSION, startMock } from "./start-mock.js";

const usage = `Usage: callbell-mock [--port N] [--host ADDRESS] [--spec FILE] [--quiet]
Serves Callbell's PATCH /contacts/{uuid} with Prism ${PRISM_VERSION} on the spec bundled with callbell-openapi.
--port defaults to 4010 (0 takes a free port); --host to 127.0.0.1.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4010" },
      host: { type: "string", default: "127.0.0.1" },
      spec: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535) throw new Error(`--port must be a port number, not "${values.port}".\n${usage}`);
  const mock = await startMock({ port, host: values.host, spec: values.spec, echo: !values.quiet });
  console.log(`callbell-mock listening on ${mock.url}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void mock.stop());
  return (await mock.exited) ?? 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
