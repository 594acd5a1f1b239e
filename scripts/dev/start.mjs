// `npm start`: regenerate everything from openapi/ and build the docs site, then serve the Prism
// mock and the docs, and say how to use them.
import path from "node:path";
import { buildDocs, siteDir } from "../site/build-site.mjs";
import { generate } from "../spec/generate.mjs";
import { startMock } from "./run-mock.mjs";
import { serveDocs } from "../site/serve-site.mjs";

const files = await generate();
console.log(`Generated ${files.length} files in generated/.`);
buildDocs();
console.log(`Built the docs site in ${path.relative(process.cwd(), siteDir)}/.`);

let mock;
try {
  mock = await startMock();
} catch (error) {
  console.error(
    `${error.message}\nIs port ${process.env.MOCK_PORT ?? 4010} free? Set MOCK_PORT to use another.`,
  );
  process.exit(1);
}
const { url, stop, exited } = mock;
let docs;
try {
  docs = await serveDocs();
} catch (error) {
  console.error(error.message);
  await stop();
  process.exit(1);
}
console.log(`
Mock of PATCH /contacts/{uuid} (Prism) listening on ${url}
Docs site (Redoc, code samples in nine languages) on ${docs.url}/

Try Callbell's own example against the mock:

  curl -X PATCH "${url}/contacts/414a6d692bd645ed803f2e7ce360d4c8" \\
    -H "Authorization: Bearer test_gshuPaZoeEG6ovbc8M79w0QyM" \\
    -H "Content-Type: application/json" \\
    -d '{"name": "Joe Doe NEW", "custom_fields": {"orderNumber": 123, "zipCode": "98765430"}}'

Or from TypeScript:

  createCallbellClient({ token: "test_token", baseUrl: "${url}" }).updateContact(uuid, { name: "Joe" })

Press Ctrl+C to stop.`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void stop());
process.exitCode = (await exited) ?? 0;
await docs.close();
