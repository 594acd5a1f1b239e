// `npm start`: regenerate everything from openapi/, then serve the Prism mock and say how to call it.
import { generate } from "./generate.mjs";
import { startMock } from "./mock.mjs";

const files = await generate();
console.log(`Generated ${files.length} files in generated/.`);

let mock;
try {
  mock = await startMock();
} catch (error) {
  console.error(`${error.message}\nIs port ${process.env.MOCK_PORT ?? 4010} free? Set MOCK_PORT to use another.`);
  process.exit(1);
}
const { url, stop, exited } = mock;
console.log(`
Mock of PATCH /contacts/{uuid} (Prism) listening on ${url}

Try Callbell's own example against it:

  curl -X PATCH "${url}/contacts/414a6d692bd645ed803f2e7ce360d4c8" \\
    -H "Authorization: Bearer test_gshuPaZoeEG6ovbc8M79w0QyM" \\
    -H "Content-Type: application/json" \\
    -d '{"name": "Joe Doe NEW", "custom_fields": {"orderNumber": 123, "zipCode": "98765430"}}'

Or from TypeScript:

  createCallbellClient({ token: "test_token", baseUrl: "${url}" }).updateContact(uuid, { name: "Joe" })

Press Ctrl+C to stop.`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void stop());
process.exitCode = (await exited) ?? 0;
