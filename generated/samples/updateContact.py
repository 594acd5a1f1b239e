import requests

url = "https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8"

payload = {
  "name": "Joe Doe NEW",
  "custom_fields": {
    "orderNumber": "123",
    "zipCode": "98765430"
  }
}
headers = {
  "Authorization": "Bearer test_gshuPaZoeEG6ovbc8M79w0QyM",
  "Content-Type": "application/json",
  "Accept": "application/json"
}

response = requests.patch(url, json=payload, headers=headers)

print(response.text)
