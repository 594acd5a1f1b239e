"""Calls the mock with the client openapi-python-client generated (the Report of
scripts/generators/matrix.mjs): the object envelope, the array envelope, and a 422.

openapi-python-client returns a declared status's body as that response's typed model in
`Response.parsed` (it raises `errors.UnexpectedStatus` only for statuses the description does
not declare, with `raise_on_unexpected_status=True`). The 422 is declared (ErrorBody), so its
typed error is the parsed `ErrorBody`, with the status on the `Response`.
"""

import json
import os

from callbell_contact_update_api_client import AuthenticatedClient
from callbell_contact_update_api_client.api.contacts import update_contact
from callbell_contact_update_api_client.models import Contact, ContactUpdate, ErrorBody

BASE_URL = os.environ["CALLBELL_BASE_URL"]
TOKEN = os.environ["CALLBELL_TOKEN"]
UUID = os.environ["CALLBELL_UUID"]
BODY = ContactUpdate(name="Joe Doe NEW")


def client(prefer: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE_URL,
        token=TOKEN,
        headers={"Prefer": prefer},
        raise_on_unexpected_status=True,
    )


def decoded(prefer: str) -> dict[str, object]:
    with client(prefer) as c:
        response = update_contact.sync_detailed(UUID, client=c, body=BODY)
    parsed = response.parsed
    if parsed is None or isinstance(parsed, ErrorBody):
        raise SystemExit(f"{prefer}: HTTP {response.status_code}, not the updated contact: {response.content!r}")
    # `contact` is typed `Contact | list[Contact]`: the array envelope holds exactly one.
    contact = parsed.contact[0] if isinstance(parsed.contact, list) else parsed.contact
    if not isinstance(contact, Contact):
        raise SystemExit(f"{prefer}: the contact decoded to {type(contact).__name__}, not Contact")
    return {
        "status": int(response.status_code),
        "type": type(contact).__name__,
        "uuid": contact.uuid,
        "name": contact.name if isinstance(contact.name, str) else None,
    }


def error() -> dict[str, object]:
    with client("code=422") as c:
        response = update_contact.sync_detailed(UUID, client=c, body=BODY)
    return {"status": int(response.status_code), "type": type(response.parsed).__name__}


print(
    json.dumps(
        {
            "object": decoded("example=objectEnvelope"),
            "array": decoded("example=seedArrayEnvelope"),
            "error": error(),
        }
    )
)
