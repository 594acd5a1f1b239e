// The README's mapping from a request to the contact in the answer, written out plainly as the
// tests' oracle for the reflecting mock (src/mock/reflect-answers.cjs). One line per documented rule;
// a change to the mock's mapping must change this file and the README's table with it.
import fc from "fast-check";
import { successExamples } from "./spec.js";

export type Contact = { uuid: string } & Record<string, unknown>;
export type Update = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The contact of one of the operation's 200 examples (objectEnvelope, seedArrayEnvelope), out of its envelope. */
export function exampleContact(name: string): Contact {
  const { contact } = successExamples()[name]!;
  return (Array.isArray(contact) ? contact[0] : contact) as Contact;
}

/** The example contact answering for `uuid`: the uuid, and `href` ending in it. */
export function asContact(example: Contact, uuid: string): Contact {
  if (example.uuid === uuid) return example;
  const href =
    typeof example.href === "string"
      ? example.href.replace(/[^/]*$/, encodeURIComponent(uuid))
      : example.href;
  return { ...example, uuid, ...(example.href === undefined ? {} : { href }) };
}

/** The contact after a valid update, by the README's table. */
export function updated(contact: Contact, update: Update): Contact {
  const next: Contact = { ...contact };
  if (update.name !== undefined) next.name = update.name;
  if (update.tags !== undefined) next.tags = update.tags;
  if (update.note !== undefined) next.note = update.note === "" ? null : update.note;
  if (update.custom_fields !== undefined)
    next.customFields = {
      ...(isObject(contact.customFields) ? contact.customFields : {}),
      ...(update.custom_fields as object),
    };
  if (update.assigned_user !== undefined) next.assignedUser = update.assigned_user;
  if (update.unassign_user === true) next.assignedUser = null;
  if (update.team_uuid !== undefined)
    next.team =
      isObject(contact.team) && contact.team.uuid === update.team_uuid
        ? contact.team
        : { uuid: update.team_uuid };
  return next;
}

/**
 * Valid updates that also reach the cases a schema-blind generator would almost never hit:
 * the contact's own team (kept whole), a custom field the contact already has (overwritten, the
 * others kept), both `assigned_user` and `unassign_user: true`, and `note: ""`.
 */
export function reachingUpdates(updates: fc.Arbitrary<unknown>, contact: Contact): fc.Arbitrary<Update> {
  const team =
    isObject(contact.team) && typeof contact.team.uuid === "string" ? contact.team.uuid : undefined;
  const existingField = isObject(contact.customFields) ? Object.keys(contact.customFields)[0] : undefined;
  const twists = fc.record({
    ownTeam: fc.boolean(),
    existingField: fc.boolean(),
    both: fc.boolean(),
    clearNote: fc.boolean(),
  });
  return fc.tuple(updates as fc.Arbitrary<Update>, twists, fc.nat(9)).map(([update, twist, dice]) => {
    if (dice > 2) return update; // mostly as generated
    const next = { ...update };
    if (twist.ownTeam && team !== undefined) next.team_uuid = team;
    if (twist.existingField && existingField !== undefined) {
      const fields = isObject(next.custom_fields) ? next.custom_fields : {};
      if (Object.keys(fields).length < 100) next.custom_fields = { ...fields, [existingField]: "42" };
    }
    if (twist.both) Object.assign(next, { assigned_user: "jane.roe@example.com", unassign_user: true });
    if (twist.clearNote) next.note = "";
    return next;
  });
}

/** What an update reaches, for counting: the mapping's rules and their edge cases. */
export function reached(contact: Contact, update: Update): string[] {
  const cases = Object.keys(update).map((field) => `sends ${field}`);
  if (update.unassign_user === true) cases.push("unassign_user true");
  if (update.unassign_user === false) cases.push("unassign_user false");
  if (update.unassign_user === true && update.assigned_user !== undefined)
    cases.push("assigned_user with unassign_user true");
  if (update.note === "") cases.push('note ""');
  if (Array.isArray(update.tags) && update.tags.length === 0) cases.push("tags []");
  if (update.team_uuid !== undefined)
    cases.push(
      isObject(contact.team) && contact.team.uuid === update.team_uuid
        ? "the contact's own team"
        : "another team",
    );
  if (isObject(update.custom_fields)) {
    const before = isObject(contact.customFields) ? contact.customFields : {};
    const keys = Object.keys(update.custom_fields);
    if (keys.some((key) => key in before)) cases.push("a custom field the contact has");
    if (Object.keys(before).some((key) => !keys.includes(key)))
      cases.push("a custom field kept by the merge");
    if (Object.values(update.custom_fields).some(Array.isArray)) cases.push("a checkbox (list) value");
    if (Object.values(update.custom_fields).some((value) => typeof value === "number"))
      cases.push("a number value");
  }
  return cases;
}
