# Set CALLBELL_API_TOKEN to a token from the Callbell dashboard.
# --fail-with-body: exit 22 on a non-2xx answer, and still print it.
curl --fail-with-body --silent --show-error \
  --request PATCH \
  --url 'https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8' \
  --header "Authorization: Bearer ${CALLBELL_API_TOKEN:?set CALLBELL_API_TOKEN}" \
  --header 'Content-Type: application/json' \
  --header 'Accept: application/json' \
  --data '{
  "name": "Joe Doe NEW",
  "custom_fields": {
    "orderNumber": "123",
    "zipCode": "98765430"
  }
}'
