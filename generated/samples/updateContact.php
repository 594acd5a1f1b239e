<?php

$token = getenv("CALLBELL_API_TOKEN");
if ($token === false || $token === "") {
  fwrite(STDERR, "Set CALLBELL_API_TOKEN.\n");
  exit(1);
}
$body = <<<'JSON'
{
  "name": "Joe Doe NEW",
  "custom_fields": {
    "orderNumber": "123",
    "zipCode": "98765430"
  }
}
JSON;

$curl = curl_init("https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8");
curl_setopt_array($curl, [
  CURLOPT_CUSTOMREQUEST => "PATCH",
  CURLOPT_RETURNTRANSFER => true,
  CURLOPT_TIMEOUT => 30,
  CURLOPT_POSTFIELDS => $body,
  CURLOPT_HTTPHEADER => [
    "Authorization: Bearer $token",
    "Content-Type: application/json",
    "Accept: application/json",
  ],
]);
$response = curl_exec($curl);
if ($response === false) {
  fwrite(STDERR, "Request failed: " . curl_error($curl) . "\n");
  exit(1);
}
$status = curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
if ($status < 200 || $status > 299) {
  fwrite(STDERR, "Callbell answered $status: $response\n");
  exit(1);
}
echo $response, "\n";
