// The docs page's guide around the reference: a quick start, how to get, regenerate and mock the
// client, the Postman collection, what each error status means and what the client does about it,
// then (after the reference) what Schemathesis found, the sources and the changelog. Built from the spec with its samples and from
// CHANGELOG.md, into a copy for the page only; openapi/ stays the contract alone.
// `#` headings in descriptions become Redoc's sidebar entries and deep links (#section/…);
// tags marked x-traitTag are sections of prose placed after the operations.
import { ownClaimsTable } from "../spec/own-claims.mjs";

import { lossList, toOpenApi30 } from "../spec/openapi-3.0.mjs";

import { loadCells } from "../generators/matrix.mjs";
import { matrixIntro, matrixTable, recipesMarkdown } from "../generators/recipes.mjs";
import { MOCK_BASE_URL, postmanFiles, TOKEN_VARIABLE } from "../spec/postman-collection.mjs";
import { acceptedFindings, MAX_EXAMPLES, SEED, targets } from "../ci/schemathesis.mjs";


// The generator matrix's recipes (test/generators/*/recipe.mjs), which the page shows as they are tested.
const generatorCells = await loadCells();

const DOCS_REPO = "https://github.com/callbellchat/callbell-public-docs/blob/4878e4f";
const link = (title, file) => `[${title}](${DOCS_REPO}/${file})`;
const links = (...pages) => pages.map(([title, file]) => link(title, file)).join(", ");
export const sources = [
  [
    "[Callbell's reference page for `PATCH /contacts/:uuid`](https://docs.callbell.eu/api/reference/contacts_api/patch_contacts) (docs.callbell.eu, API reference → Contacts API; " +
      link("its source", "docs/api/reference/contacts_api/patch_contacts.md") +
      ")",
    "the primary source: body fields, preconditions, custom-field type table, `note`. First read as an older copy, which has no `note` and no type table (`custom_fields` is `string{}` there); both send the JSON number `123` in their example",
    "read at 2026-07-02; type table 2026-03-03, note 2026-07-01",
  ],
  [links(["`POST /contacts`", "docs/api/reference/contacts_api/post_contacts.md"], ["`GET /contacts/:uuid`", "docs/api/reference/contacts_api/get_contact.md"], ["conversation close", "docs/api/reference/contacts_api/post_contact_conversation_close.md"]), "what `bot_start` and `bot_end` do; `customFieldsMetadata` and a JSON-encoded checkbox value; `\"team\": {}` and a string `funnelId`", "2026-07-02"],
  [links(["Contact object", "docs/api/reference/object_types/contact.md"], ["Team", "docs/api/reference/object_types/team.md"], ["Channel", "docs/api/reference/object_types/channel.md"]), "response fields, `bsuid`, `customFieldsMetadata`, Channel's `main` and `discardedAt`", "2026-07-02"],
  [links(["Base URL", "docs/api/reference/base_url.md"], ["Authorization", "docs/api/reference/authorization.md"], ["Format and headers", "docs/api/reference/format_and_headers.md"]), "`https://api.callbell.eu/v1`; `Authorization: Bearer <token>`; JSON bodies and `Accept: application/json`", "2026-07-02"],
  [links(["Errors", "docs/api/reference/errors.md"], ["Rate limits", "docs/api/reference/rate_limits.md"]), "status families (4xx \"like authentication, rate limit reached or wrong params\"; 5xx usually safe to retry); 300 requests per second", "2026-07-02"],
  [link("`contact_updated` webhook", "docs/api/reference/webhooks/contact_events/contact_updated.md"), "every update fires it (so a retried update may fire it again)", "2026-07-02"],
  [link("Getting started", "docs/api/getting_started.md"), "where tokens are made", "2026-07-02"],
  [link("Release notes", "docs/api/release_notes.md"), "`phone_number` frozen 2023-03-03; `assigned_user`, confirmed user 2023-04-05; `bot_status` 2024-05-15; field types 2026-03-03; `bsuid` 2026-06-22; `note` 2026-07-01", "2026-07-02"],
  [link("Postman collection", "static/postman-collection.json"), "base URL; `:uuid` has no example", "2026-07-02"],
  ["[Tomtokio/msg-triage](https://github.com/Tomtokio/msg-triage), [DanteUrdaneta/callbell_whatsapp_agent](https://github.com/DanteUrdaneta/callbell_whatsapp_agent)", "third parties calling the live API: object envelope, tags replace, fields left out kept, 201 accepted", "2026-08"],
];

/** This collection against Callbell's own (static/postman-collection.json), for `PATCH /contacts/:uuid`. */
export const postmanComparison = [
  ["Made from", "this contract, by Postman's converter (openapi-to-postmanv2), on every change", "by hand"],
  ["Token", `\`{{${TOKEN_VARIABLE}}}\`, empty in the live environment, marked secret`, "`{{CALLBELL_TOKEN}}`, preset to `yourtoken.here`"],
  ["Base URL", "`{{baseUrl}}`: the mock (127.0.0.1:4010) unless an environment says otherwise", "`{{CALLBELL_PUBLIC_API}}`, the live API"],
  ["Environments", "two: the mock and the live API", "none (collection variables)"],
  ["Path id `:uuid`", "the example id `414a6d692bd645ed803f2e7ce360d4c8`, with the contract's description", "`null`, \"The UUID of the contact\""],
  ["Body", "the quick-start example (number field as a string)", "one example with custom fields `a`, `TWITTER`, `LINKEDIN`"],
  ["Saved examples", "every request example of the contract (13), each with its answer, and one per error status", "none"],
  ["Tests", "status 200, JSON, body against the contract's `UpdateContactResponse` (the Contact schema), the uuid", "none (empty scripts)"],
  ["Checked", "Newman runs it against the mock in this project's tests; a wrong answer fails it", "no"],
  ["Other endpoints", "none: this contract covers one endpoint", "contacts, templates, messages, webhooks, auth"],
];

/** What a consumer can expect of the mock under load: `npm run bench:mock`, one run (docs/benchmarks.md). */
export const mockUnderLoad = `**Under load** (\`npm run bench:mock\`: 50 connections, half valid updates and half refused
ones, 200,000 requests, on 2 cores shared with other jobs, load average 15 to 24): 170 to 440
requests per second, p50 80 to 120 ms, p99 0.65 to 1.5 s, the slowest request 2.4 s, no errors.
Expect the mock's memory to climb from about 150 MB at start to about 300 MB within the first
25,000 requests and stay there: the climb is V8 letting the heap grow before a full garbage
collection, not a leak. From 25,000 to 200,000 requests the highest RSS of every 25,000 stayed
between 292 and 308 MB, and the heap still in use after a full collection between 46 and 59 MB.
Budget about 320 MB for it, and a timeout of a few seconds per request on a busy CI runner.`;

/** What the client does about each status, as docs/client.md says. */
export const clientRetries = {
  retried: "yes: 3 attempts by default (`maxRetries: 2`)",
  notRetried: "no: fix the request",
  wait: "`Retry-After` when sent (seconds or a date), up to 60 s; above 60 s it does not retry and throws with `retryAfterMs`. Otherwise 0.5 s doubling to 8 s, each up to 25 % shorter at random",
};

const flat = (text) => text.replace(/\s+/g, " ").trim();
const cell = (text) => flat(text).replace(/\|/g, "\\|");

function errorsSection(spec, operation) {
  const rows = Object.entries(operation.responses)
    .filter(([status]) => !/^2/.test(status))
    .map(([status, ref]) => {
      const response = resolve(spec, ref);
      const retried = status === "429" || /^5/.test(status);
      const retries = retried ? clientRetries.retried : status === "default" ? "408 yes, as 429; any other no" : clientRetries.notRetried;
      const wait = retried || status === "default" ? clientRetries.wait : "none";
      return `| \`${status}\` | ${cell(response.description)} | ${retries} | ${wait} |`;
    });
  return `# Errors and retries

Callbell documents only the families (2xx success; 4xx "a client error like authentication,
rate limit reached or wrong params"; 5xx server error, "usually safe to retry") and the limit of
300 requests per second. The rest of this table is
this contract's reading: each row says whether it is **known** or **this contract's guess**.
Every example error body on this page is illustrative; no source shows a real one.

| status | when it happens, and what to do | the client retries | and waits |
|---|---|---|---|
${rows.join("\n")}

The client (\`callbell-openapi\`) gives each attempt 30 s (\`timeoutMs\`) for the headers and the
body, and also retries connection errors and timeouts. It re-sends the same bytes. Callbell does
not say whether a repeat is safe; in this contract's judgement the contact ends the same, as this
PATCH sets absolute values, but side effects may repeat: a retried update can fire the
\`contact_updated\` webhook twice.
`;
}

/**
 * @param {any} spec the bundle with x-codeSamples (generated/openapi-with-samples.json)
 * @param {string} changelog CHANGELOG.md
 */
export function withGuide(spec, changelog) {
  const decorated = structuredClone(spec);
  const [[path, pathItem]] = Object.entries(decorated.paths);
  const operation = pathItem.patch;
  const curl = operation["x-codeSamples"].find((sample) => sample.label === "cURL").source;
  const examples = operation.responses["200"].content["application/json"].examples;
  const objectExample = Object.values(examples).map((example) => resolve(decorated, example))[0].value;
  const server = decorated.servers[0].url;
  const uuidExample = pathItem.parameters.map((parameter) => resolve(decorated, parameter))[0].example;

  const guide = `# Quick start

**Base URL** \`${server}\`, one endpoint: \`PATCH ${path}\`. It changes the fields the body
names and leaves the others as they were.

1. **Get a token**: in the Callbell dashboard, [Settings → API settings → API keys](https://dash.callbell.eu/settings/api_settings/keys),
   *Create API Key*, and copy it (it is shown once). Keep it out of your code:
   \`export CALLBELL_API_TOKEN=…\`
2. **Send a request** (the \`uuid\` is the contact's Callbell id, the last segment of its
   \`href\`, such as \`${uuidExample}\`):

\`\`\`sh
${curl.trimEnd()}
\`\`\`

3. **Expect a \`2xx\`** (Callbell documents no success status; its page and the mock answer
   \`200\`) with the contact as it is now:

\`\`\`json
${JSON.stringify(objectExample, null, 2).split("\n").slice(0, 8).join("\n")}
    …
  }
}
\`\`\`

4. **Read both envelopes.** Callbell's own example wraps the contact in an array of one, while
   the live API has been seen sending an object. Accept both:

\`\`\`js
const contact = Array.isArray(body.contact) ? body.contact[0] : body.contact;
\`\`\`

Any other status: see [Errors and retries](#section/Errors-and-retries).

# Get the client

A thin typed client for Node 20.19+ and browsers, built on openapi-fetch (auth, typed errors,
retries, timeouts; one \`Contact\` whichever envelope came back):

\`\`\`sh
npm install callbell-openapi
\`\`\`

\`\`\`js
import { createCallbellClient } from "callbell-openapi";

const callbell = createCallbellClient(); // token from CALLBELL_API_TOKEN
const contact = await callbell.updateContact("${uuidExample}", {
  tags: ["Interested"],
});
\`\`\`

# Regenerate a client

The package ships this contract as \`callbell-openapi/openapi.json\` and \`/openapi.yaml\` (also
downloadable at the top of this page: [openapi.yaml](openapi.yaml), [openapi.json](openapi.json)).
Feed it to any OpenAPI 3.1 generator; for TypeScript types:

\`\`\`sh
npm install --save-dev openapi-typescript
npx openapi-typescript \\
  "$(node -p 'require.resolve("callbell-openapi/openapi.json")')" \\
  --output src/callbell.d.ts
\`\`\`

For generators that read OpenAPI 3.0 only, the package also ships an OpenAPI 3.0.3 edition,
\`callbell-openapi/openapi-3.0.json\` ([openapi-3.0.json](openapi-3.0.json)), generated from the
same bundle. Feed the 3.1 description to tools that read 3.1 (openapi-typescript, oapi-codegen
2.8+, openapi-python-client, openapi-generator) and the 3.0 edition to progenitor (Rust), NSwag
(C#) and older tools. Its schemas accept the same JSON values as the 3.1 ones, written the 3.0 way
(\`nullable: true\` for a type with \`"null"\`, \`allOf\` around a \`$ref\` with siblings, one
\`example\`), except what 3.0 cannot say:

${lossList(toOpenApi30(spec).losses)}

# Generators by language

Python, Go, Java, PHP, Ruby, Rust and C# teams regenerate their client from the same contract: the
table says what each generator does with it, and each language's recipe below says how.

${matrixIntro()}

${matrixTable(generatorCells)}

${recipesMarkdown(generatorCells, 2)}

# Run the mock

A Prism mock of this contract answers like the API (examples, validation, \`Prefer: code=422\`
to ask for an error) on \`127.0.0.1:4010\`, without a token reaching Callbell:

\`\`\`sh
npx @stoplight/prism-cli@5.14.2 mock \\
  "$(node -p 'require.resolve("callbell-openapi/openapi.json")')"
\`\`\`

Then point a sample at \`http://127.0.0.1:4010\` instead of \`${server}\`.

${mockUnderLoad}

# Postman and Newman

A Postman collection of this endpoint, generated from this contract, and two environments:

- [Collection](postman/${postmanFiles.collection}) (Postman collection v2.1)
- [Environment: Callbell mock](postman/${postmanFiles.mock}) (\`${MOCK_BASE_URL}\`)
- [Environment: Callbell live API](postman/${postmanFiles.live}) (\`${server}\`)

To use them in Postman: **Import** (top left), drop the three files; pick the environment in the
top-right selector; for the live API, open the environment and paste your token into
\`${TOKEN_VARIABLE}\` (a secret variable: keep it in *Current value*, which Postman does not
sync). Start the mock (above) for the mock environment. **Send** runs the request and the
collection's tests; the saved examples under the request show every example body of this
contract. From a shell, Newman runs the same tests:

\`\`\`sh
npx newman@6.2.2 run ${postmanFiles.collection} -e ${postmanFiles.mock}
\`\`\`

Against Callbell's own collection (\`static/postman-collection.json\`), for this endpoint:

| | this collection | Callbell's |
|---|---|---|
${postmanComparison.map((row) => `| ${row.join(" | ")} |`).join("\n")}

${errorsSection(decorated, operation)}
# About this contract

${decorated.info.description.trim()}
`;
  decorated.info.description = guide;

  const changes = changelog
    .slice(changelog.indexOf("\n## "))
    .replace(/^## (.*)$/gm, "### $1")
    .trim();
  decorated.tags = [
    ...(decorated.tags ?? []),
    {
      name: "Sources",
      "x-traitTag": true,
      description: `Where each fact comes from. The spec's descriptions cite the page, and its date where it is not the date read below.

| source | what it gives | date |
|---|---|---|
${sources.map((row) => `| ${row.join(" | ")} |`).join("\n")}

### What this contract claims on its own

Every rule or guess of this contract that no source states, read from the spec's \`x-own-claim\`
marks (a constraint that a source states is marked \`x-source\` instead):

${ownClaimsTable(decorated)}
`,
    },
    {
      name: "Checked by Schemathesis",
      "x-traitTag": true,
      description: `[Schemathesis](https://schemathesis.readthedocs.io) generates valid and invalid requests
from this contract and checks every answer: server errors, status codes, content types, headers
and bodies the contract does not allow, valid data refused, invalid data accepted, missing or
ignored authentication, methods the path does not have. This project runs every one of its
checks (\`--checks all\`, positive and negative data, seed ${SEED}, up to ${MAX_EXAMPLES} examples
per phase) against ${Object.values(targets).join(", and against ")}.

What it found and what was done:

| finding | where | what was done |
|---|---|---|
| ST204: a 405 without the \`Allow\` header | the mock (Prism 5.14.2) | fixed: the mock's preload adds \`Allow: PATCH\` |
| ST201, ST203: invalid bodies and requests without a token accepted | the stand-in | fixed: it checks the token and the body as the contract does |
| ST108: an answer that breaks the Contact schema | the stand-in | fixed: it answers only valid updates |
| ST401: an invalid token accepted | the stand-in | fixed: it accepts only the token it was given |
${acceptedFindings.map((finding) => `| ${finding.code}: ${finding.title} | the ${finding.target} | not a defect: ${finding.why} |`).join("\n")}

None was a defect of the contract itself.
`,
    },
    { name: "Changelog", "x-traitTag": true, description: changes },
  ];
  return decorated;
}

function resolve(spec, node) {
  if (!node?.$ref) return node;
  const target = node.$ref.slice(2).split("/").reduce((at, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  return resolve(spec, target);
}
