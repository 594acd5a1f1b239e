"""Calls the mock with the client openapi-generator's `python` generator made (the Report of
scripts/generators/matrix.mjs): the object envelope, the array envelope, and a 422, which the
generated client raises as `UnprocessableEntityException` (an `ApiException` with `.status`, and
the parsed `ErrorBody` as `.data`)."""

import json
import os

from callbell_client.api.contacts_api import ContactsApi
from callbell_client.api_client import ApiClient
from callbell_client.configuration import Configuration
from callbell_client.exceptions import ApiException
from callbell_client.models.contact import Contact
from callbell_client.models.contact_update import ContactUpdate
from callbell_client.models.error_body import ErrorBody

UUID = os.environ["CALLBELL_UUID"]
BODY = ContactUpdate(name="Joe Doe NEW")
CONFIGURATION = Configuration(host=os.environ["CALLBELL_BASE_URL"], access_token=os.environ["CALLBELL_TOKEN"])


def decoded(api: ContactsApi, prefer: str) -> dict[str, object]:
    response = api.update_contact_with_http_info(UUID, BODY, _headers={"Prefer": prefer})
    # `contact` is a oneOf wrapper whose actual_instance is `Contact | List[Contact]`: the array
    # envelope holds exactly one.
    envelope = response.data.contact.actual_instance
    contact = envelope[0] if isinstance(envelope, list) else envelope
    if not isinstance(contact, Contact):
        raise SystemExit(f"{prefer}: the contact decoded to {type(contact).__name__}, not Contact")
    return {
        "status": response.status_code,
        "type": type(contact).__name__,
        "uuid": contact.uuid,
        "name": contact.name,
    }


def error(api: ContactsApi) -> dict[str, object]:
    try:
        api.update_contact(UUID, BODY, _headers={"Prefer": "code=422"})
    except ApiException as exception:
        if not isinstance(exception.data, ErrorBody):
            raise SystemExit(f"code=422: the error's body decoded to {type(exception.data).__name__}, not ErrorBody")
        return {"status": exception.status, "type": type(exception).__name__}
    raise SystemExit("code=422: the generated client returned instead of raising")


with ApiClient(CONFIGURATION) as client:
    api = ContactsApi(client)
    print(
        json.dumps(
            {
                "object": decoded(api, "example=objectEnvelope"),
                "array": decoded(api, "example=seedArrayEnvelope"),
                "error": error(api),
            }
        )
    )
