// Preloaded into Prism by start-mock.ts (after prism-survives-odd-requests.cjs) unless the mock is
// started with `reflect: false` / `--no-reflect`. Prism still does everything it did: it validates
// every request and answers every refusal (400, 401, 422, any `Prefer: code=`), and picks the
// success envelope (`Prefer: example=` still chooses). This layer only rewrites the contact in a
// 200 that Prism answered to a request it found valid: the path's uuid, and each field the body
// sent, applied by the mapping below (the README's mock section cites each one's source). Every
// rewritten contact is checked against the contract's `Contact` schema before it is sent.
//
// With CALLBELL_MOCK_STATEFUL=1 it also remembers each contact for the life of the process
// (seeded from the JSON file CALLBELL_MOCK_CONTACTS names, if any; then an unknown uuid gets the
// contract's 404), and answers the admin paths under /__mock/ (GET /__mock/contacts,
// POST /__mock/reset), which no path of the API can be. Node runs JavaScript on one thread and
// each update is read, applied and stored in one synchronous step, so concurrent requests for one
// contact apply one at a time, none lost.
//
// Why here and not a proxy in front of Prism: in Prism's own process nothing is sent twice, no
// second HTTP hop is parsed, and the layer sees exactly the status and body Prism chose.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const { createRequire } = require("node:module");
// generated/ is at the package root: two levels up in this repo (src/mock/), one in the package (dist/).
let packageRoot = __dirname;
while (
  !fs.existsSync(require("node:path").join(packageRoot, "package.json")) &&
  require("node:path").dirname(packageRoot) !== packageRoot
)
  packageRoot = require("node:path").dirname(packageRoot);
const { validateContact, validateContactUpdate } = require(
  require("node:path").join(packageRoot, "generated", "mock-validators.cjs"),
);

const ADMIN_PREFIX = "/__mock/";
const ROUTE = /^\/contacts\/([^/]+)$/;
const stateful = process.env.CALLBELL_MOCK_STATEFUL === "1";
const contactsFile = process.env.CALLBELL_MOCK_CONTACTS || undefined;
const contactsLabel = process.env.CALLBELL_MOCK_CONTACTS_LABEL || contactsFile;

/** Ends the process before Prism listens, with a line start-mock.ts and the CLI show as is. */
function fail(message) {
  process.stderr.write(`callbell-mock: ${message}\n`);
  process.exit(2);
}

const isObject = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** What Ajv found wrong, as `field: problem` phrases. */
function problems(errors) {
  return (errors ?? [])
    .slice(0, 5)
    .map(
      ({ instancePath, message }) =>
        `${instancePath ? instancePath.slice(1).replace(/\//g, ".") : "the contact"} ${message}`,
    )
    .join("; ");
}

// ---- The mapping: one request field to one Contact field --------------------------------------

/** The contact under another uuid; `href`, whose last segment is the uuid, follows it. */
function withUuid(contact, uuid) {
  if (contact.uuid === uuid) return contact;
  const moved = { ...contact, uuid };
  if (
    typeof contact.href === "string" &&
    typeof contact.uuid === "string" &&
    contact.href.endsWith(`/${contact.uuid}`)
  )
    moved.href = contact.href.slice(0, contact.href.length - contact.uuid.length) + encodeURIComponent(uuid);
  return moved;
}

/** The contact after a valid `ContactUpdate`; fields not sent keep their values. */
function applyUpdate(contact, update) {
  const next = { ...contact };
  if ("name" in update) next.name = update.name;
  if ("tags" in update) next.tags = [...update.tags]; // replaces the list (observed on the live API)
  if ("note" in update) next.note = update.note === "" ? null : update.note; // "" clears; Contact says null when unset
  // Merged by key: the contract's guess from "fields left out are unchanged" (Callbell documents neither way).
  if ("custom_fields" in update)
    next.customFields = {
      ...(isObject(contact.customFields) ? contact.customFields : {}),
      ...update.custom_fields,
    };
  if ("assigned_user" in update) next.assignedUser = update.assigned_user;
  if (update.unassign_user === true) next.assignedUser = null; // false asks for nothing
  // Another team's name and members are unknown here: the team becomes just its uuid.
  if ("team_uuid" in update)
    next.team =
      isObject(contact.team) && contact.team.uuid === update.team_uuid
        ? contact.team
        : { uuid: update.team_uuid };
  // bot_status: the Contact object has no field for it, so the answer shows no change.
  return next;
}

// ---- State --------------------------------------------------------------------------------------

const seeds = contactsFile === undefined ? undefined : readSeeds(contactsFile);
// startMock's own copy of its `contacts` option: gone as soon as read, even if startMock's process dies.
if (process.env.CALLBELL_MOCK_CONTACTS_TEMP === "1")
  fs.rmSync(require("node:path").dirname(contactsFile), { recursive: true, force: true });
let contacts = new Map(seeds?.map((contact) => [contact.uuid, structuredClone(contact)]));
const notFound = seeds === undefined ? undefined : notFoundAnswer();

function readSeeds(file) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    fail(
      `cannot read ${contactsLabel} (${error.code ?? error.message}). Give a JSON file holding an array of contacts.`,
    );
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(
      `${contactsLabel} is not JSON (${error.message}). Give an array of contacts, each as the API answers it.`,
    );
  }
  if (!Array.isArray(value))
    fail(
      `${contactsLabel} must hold a JSON array of contacts, ` +
        `such as [{"uuid": "414a6d692bd645ed803f2e7ce360d4c8", "name": "Joe"}].`,
    );
  const seen = new Set();
  value.forEach((contact, index) => {
    const named = isObject(contact) && typeof contact.uuid === "string" ? ` (uuid "${contact.uuid}")` : "";
    const which = `contact #${index + 1}${named} of ${contactsLabel}`;
    if (!validateContact(contact))
      fail(`${which} is not a Contact as the contract describes it: ${problems(validateContact.errors)}.`);
    if (contact.uuid.includes("/") || [...contact.uuid].length > 128)
      fail(`${which}: a uuid is one path segment of at most 128 characters, without "/".`);
    if (seen.has(contact.uuid)) fail(`${which} repeats a uuid; each contact must have its own.`);
    seen.add(contact.uuid);
  });
  return value;
}

/** The contract's answer for an unknown contact: the first example of the operation's 404. */
function notFoundAnswer() {
  const specPath = process.argv[process.argv.indexOf("mock") + 1];
  let spec;
  try {
    const text = fs.readFileSync(specPath, "utf8");
    spec = /^\s*\{/.test(text)
      ? JSON.parse(text)
      : createRequire(process.argv[1])("@stoplight/yaml").parse(text);
  } catch (error) {
    fail(`cannot read the spec to find its 404 answer (${error.message}).`);
  }
  const resolve = (node) =>
    node && typeof node.$ref === "string" && node.$ref.startsWith("#/")
      ? resolve(
          node.$ref
            .slice(2)
            .split("/")
            .reduce((at, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec),
        )
      : node;
  const response = resolve(resolve(resolve(spec?.paths?.["/contacts/{uuid}"])?.patch)?.responses?.["404"]);
  const media = resolve(response?.content?.["application/json"]);
  const example =
    media &&
    (media.example !== undefined
      ? { value: media.example }
      : resolve(Object.values(media.examples ?? {})[0]));
  if (example?.value === undefined)
    fail(
      "the spec's PATCH /contacts/{uuid} has no 404 answer with a JSON example, " +
        "which a seeded mock answers for an unknown uuid.",
    );
  return JSON.stringify(example.value);
}

// ---- The admin paths --------------------------------------------------------------------------

function sendJson(response, status, body) {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(
    status,
    body === undefined
      ? {}
      : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) },
  );
  response.end(text);
}

function answerAdmin(request, response, path) {
  const routes = { "/__mock/contacts": "GET", "/__mock/reset": "POST" };
  if (!(path in routes))
    return sendJson(response, 404, {
      error: "Not Found",
      message: "The mock's admin paths are GET /__mock/contacts and POST /__mock/reset.",
    });
  if (request.method !== routes[path]) {
    response.setHeader("Allow", routes[path]);
    return sendJson(response, 405, { error: "Method Not Allowed", message: `Use ${routes[path]} ${path}.` });
  }
  if (!stateful)
    return sendJson(response, 409, {
      error: "Not stateful",
      message:
        "This mock keeps no contacts: start it with `callbell-mock --stateful` or `startMock({ stateful: true })`.",
    });
  if (path === "/__mock/reset") {
    contacts = new Map(seeds?.map((contact) => [contact.uuid, structuredClone(contact)]));
    return sendJson(response, 204, undefined);
  }
  return sendJson(response, 200, [...contacts.values()]);
}

// ---- The answer ---------------------------------------------------------------------------------

/** What to send instead of Prism's 200, or undefined to send Prism's as it is. */
function reflect(uuid, requestBody, answer) {
  let update;
  let envelope;
  try {
    update = JSON.parse(requestBody);
    envelope = JSON.parse(answer);
  } catch {
    return undefined;
  }
  if (!validateContactUpdate(update) || !isObject(envelope)) return undefined;
  const inArray = Array.isArray(envelope.contact);
  const example = inArray ? envelope.contact[0] : envelope.contact;
  if (!isObject(example) || (inArray && envelope.contact.length !== 1)) return undefined;

  let current = stateful ? contacts.get(uuid) : undefined;
  if (current === undefined) {
    if (seeds !== undefined) return { status: 404, body: notFound };
    current = withUuid(example, uuid);
  }
  const next = applyUpdate(current, update);
  if (!validateContact(next)) {
    const message =
      "callbell-mock could not answer this update with a Contact the contract allows " +
      `(${problems(validateContact.errors)}); please report it.`;
    process.stderr.write(`${message}\n`);
    return { status: 500, body: JSON.stringify({ error: "Mock error", message }) };
  }
  if (stateful) contacts.set(uuid, next);
  return { status: 200, body: JSON.stringify({ ...envelope, contact: inArray ? [next] : next }) };
}

/** Keeps a copy of the request's body as it arrives, and rewrites Prism's 200 when it is sent. */
function watch(request, response, uuid) {
  const chunks = [];
  const push = request.push;
  request.push = function pushAndKeep(chunk, encoding) {
    if (chunk !== null && chunk !== undefined)
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk);
    return push.apply(this, arguments);
  };
  const end = response.end;
  response.end = function endWithReflection(chunk) {
    response.end = end;
    if (
      response.statusCode !== 200 ||
      response.headersSent ||
      response.hasHeader("sl-violations") ||
      !(typeof chunk === "string" || Buffer.isBuffer(chunk))
    )
      return end.apply(this, arguments);
    const reflected = reflect(uuid, Buffer.concat(chunks).toString("utf8"), String(chunk));
    if (reflected === undefined) return end.apply(this, arguments);
    response.statusCode = reflected.status;
    response.setHeader("Content-Length", Buffer.byteLength(reflected.body));
    return end.call(this, reflected.body);
  };
}

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function emitReflecting(event, request, response) {
  if (event === "request") {
    let path;
    try {
      // As Prism reads it, so that both agree on the route.
      path = new URL(String(request.url), "http://example.com").pathname;
    } catch {
      path = "";
    }
    if (path.startsWith(ADMIN_PREFIX)) {
      answerAdmin(request, response, path);
      return true;
    }
    const route = request.method === "PATCH" ? ROUTE.exec(path) : null;
    if (route) {
      let uuid;
      try {
        uuid = decodeURIComponent(route[1]);
      } catch {
        uuid = undefined; // not UTF-8: the other preload answers 400
      }
      if (uuid !== undefined) watch(request, response, uuid);
    }
  }
  return emit.apply(this, arguments);
};

// For test/bench/mock-reflect-cost.mjs, which times the layer's own work per request in its process.
module.exports = { reflect };
