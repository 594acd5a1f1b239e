// The docs page's guide around the reference: a quick start, how to get, regenerate and mock the
// client, what each error status means and what the client does about it, then (after the
// reference) the sources and the changelog. Built from the spec with its samples and from
// CHANGELOG.md, into a copy for the page only; openapi/ stays the contract alone.
// `#` headings in descriptions become Redoc's sidebar entries and deep links (#section/…);
// tags marked x-traitTag are sections of prose placed after the operations.

import { readFileSync } from "node:fs";

const DOCS_REPO = "https://github.com/callbellchat/callbell-public-docs/blob/4878e4f";
const link = (title, file) => `[${title}](${DOCS_REPO}/${file})`;
export const sources = [
  ["Callbell's reference page for `PATCH /contacts/:uuid` (older copy)", "the primary source; the repository's `/work/shared/seed` copy", "undated"],
  [link("`PATCH /contacts/:uuid`", "docs/api/reference/contacts_api/patch_contacts.md"), "body fields, preconditions, custom-field type table, `note`", "read at 2026-07-02; type table 2026-03-03, note 2026-07-01"],
  [link("Contact object", "docs/api/reference/object_types/contact.md") + ", " + link("Team", "docs/api/reference/object_types/team.md") + ", " + link("Channel", "docs/api/reference/object_types/channel.md"), "response fields, `bsuid`, `customFieldsMetadata`, Channel's `main` and `discardedAt`", "2026-07-02"],
  [link("Errors", "docs/api/reference/errors.md") + ", " + link("Rate limits", "docs/api/reference/rate_limits.md"), "status families; 5xx usually safe to retry; 300 requests per second", "2026-07-02"],
  [link("Getting started", "docs/api/getting_started.md"), "where tokens are made", "2026-07-02"],
  [link("Release notes", "docs/api/release_notes.md"), "`phone_number` frozen 2023-03-03; `assigned_user`, confirmed user 2023-04-05; `bot_status` 2024-05-15; field types 2026-03-03; `bsuid` 2026-06-22; `note` 2026-07-01", "2026-07-02"],
  [link("Postman collection", "static/postman-collection.json"), "base URL; `:uuid` has no example", "2026-07-02"],
  ["[Tomtokio/msg-triage](https://github.com/Tomtokio/msg-triage), [DanteUrdaneta/callbell_whatsapp_agent](https://github.com/DanteUrdaneta/callbell_whatsapp_agent)", "third parties calling the live API: object envelope, tags replace, fields left out kept, 201 accepted", "2026-08"],
];

/** The table docs/sources.md gives after the paragraph starting `lead`, as rows of cells. */
export function tableAfter(markdown, lead) {
  const start = markdown.indexOf(lead);
  if (start < 0) throw new Error(`docs/sources.md has no paragraph starting "${lead}"; the docs page takes a table from it.`);
  const lines = markdown.slice(start).split("\n").slice(1);
  const first = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith("|"));
  return lines
    .slice(first + 2, end < 0 ? undefined : end)
    .map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()));
}

/** What this contract says that no source says: its own rules and guesses, from docs/sources.md. */
export const ownClaims = tableAfter(
  readFileSync(new URL("../../docs/sources.md", import.meta.url), "utf8"),
  "What the contract claims on its own",
);

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

Callbell documents only the families (2xx success, 4xx client error, 5xx server error, 5xx
"usually safe to retry") and the limit of 300 requests per second. The rest of this table is
this contract's reading: each row says whether it is **known** or **this contract's guess**.
Every example error body on this page is illustrative; no source shows a real one.

| status | when it happens, and what to do | the client retries | and waits |
|---|---|---|---|
${rows.join("\n")}

The client (\`callbell-openapi\`) gives each attempt 30 s (\`timeoutMs\`) for the headers and the
body, and also retries connection errors and timeouts. Re-sending is safe: this PATCH sets
absolute values, and the client re-sends the same bytes.
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

3. **Expect \`200\`** with the contact as it is now:

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

# Run the mock

A Prism mock of this contract answers like the API (examples, validation, \`Prefer: code=422\`
to ask for an error) on \`127.0.0.1:4010\`, without a token reaching Callbell:

\`\`\`sh
npx @stoplight/prism-cli@5.14.2 mock \\
  "$(node -p 'require.resolve("callbell-openapi/openapi.json")')"
\`\`\`

Then point a sample at \`http://127.0.0.1:4010\` instead of \`${server}\`.

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
      description: `Where each fact comes from. The spec's descriptions cite the page and date.

| source | what it gives | date |
|---|---|---|
${sources.map((row) => `| ${row.join(" | ")} |`).join("\n")}

### What this contract claims on its own

| claim | why |
|---|---|
${ownClaims.map((row) => `| ${row.join(" | ")} |`).join("\n")}
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
