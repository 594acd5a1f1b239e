curl --request PATCH \
  --url https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8 \
  --header 'Accept: application/json' \
  --header 'Authorization: Bearer test_gshuPaZoeEG6ovbc8M79w0QyM' \
  --header 'Content-Type: application/json' \
  --data '
{
  "name": "Joe Doe NEW",
  "custom_fields": {
    "orderNumber": "123",
    "zipCode": "98765430"
  }
}
'
