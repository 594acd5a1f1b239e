// What every call reports, and the compile-time proof that a generator typed the success body.

type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * Returns the body unchanged; does not compile when its type is `any` or `unknown`, as when a
 * generator reads an error response as a success and loses the body's type.
 */
export function typedBody<T>(
  body: T,
  ..._proof: IsAny<T> extends true
    ? ["the body is typed any"]
    : unknown extends T
      ? ["the body is typed unknown"]
      : []
): T {
  return body;
}

export interface CallResult {
  status: number | null;
  envelope: "object" | "array";
  uuid: string;
  name: string | null | undefined;
}

/** The contact's uuid and name whichever envelope the mock used; `contact` must be typed by the generator. */
export function result(
  status: number | null,
  contact: { uuid: string; name?: string | null } | readonly { uuid: string; name?: string | null }[],
): CallResult {
  const one = "uuid" in contact ? contact : contact[0];
  if (!one) throw new Error("The response's contact list is empty.");
  return { status, envelope: Array.isArray(contact) ? "array" : "object", uuid: one.uuid, name: one.name };
}

export const token = "test_token_for_the_mock";
export const uuid = "c0ffee0000000000000000000000beef"; // not the examples' uuid: the mock answers with the one sent
