import os
import sys

import requests

token = os.environ.get("CALLBELL_API_TOKEN") or sys.exit("Set CALLBELL_API_TOKEN.")
url = "https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8"
payload = {
    "name": "Joe Doe NEW",
    "custom_fields": {
        "orderNumber": "123",
        "zipCode": "98765430",
    },
}
headers = {
    "Authorization": f"Bearer {token}",
    "Accept": "application/json",
}

# json= sends the payload as JSON with Content-Type: application/json.
response = requests.patch(url, json=payload, headers=headers, timeout=30)
if not response.ok:
    sys.exit(f"Callbell answered {response.status_code}: {response.text}")
print(response.text)
