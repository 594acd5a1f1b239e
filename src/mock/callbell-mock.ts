#!/usr/bin/env node
// `callbell-mock`: the same mock as startMock(), for CI in any language. Prints the URL, then
// Prism's log, and runs until SIGINT or SIGTERM.
import { parseArgs } from "node:util";
import { PRISM_VERSION, startMock } from "./start-mock.js";

const usage = `Usage: callbell-mock [--port N] [--host ADDRESS] [--spec FILE] [--quiet]
                     [--no-reflect | --stateful [--contacts FILE]]
Serves Callbell's PATCH /contacts/{uuid} with Prism ${PRISM_VERSION} on the spec bundled with callbell-openapi.
--port defaults to 4010 (0 takes a free port); --host to 127.0.0.1.
Each valid update is answered with the contact it asks for (its uuid, the fields sent);
--no-reflect gives Prism's canned answers instead.
--stateful remembers each contact until the mock stops: GET /__mock/contacts lists them,
POST /__mock/reset forgets the updates. --contacts FILE (a JSON array of contacts) seeds it;
then an update to any other uuid is a 404.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4010" },
      host: { type: "string", default: "127.0.0.1" },
      spec: { type: "string" },
      quiet: { type: "boolean", default: false },
      reflect: { type: "boolean", default: true },
      stateful: { type: "boolean", default: false },
      contacts: { type: "string" },
      help: { type: "boolean", default: false },
    },
    allowNegative: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535)
    throw new Error(`--port must be a port number, not "${values.port}".\n${usage}`);
  if (values.stateful && !values.reflect)
    throw new Error(
      `--stateful answers with what the mock holds, so it cannot go with --no-reflect.\n${usage}`,
    );
  if (values.contacts !== undefined && !values.stateful)
    throw new Error(`--contacts seeds a stateful mock: add --stateful.\n${usage}`);
  const mock = await startMock({
    port,
    host: values.host,
    spec: values.spec,
    echo: !values.quiet,
    reflect: values.reflect,
    stateful: values.stateful,
    contactsFile: values.contacts,
  });
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
