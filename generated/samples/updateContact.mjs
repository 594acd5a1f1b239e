import { CallbellAPIError, createCallbellClient } from "callbell-openapi";

// The token comes from CALLBELL_API_TOKEN; 429s and 5xx are retried.
const callbell = createCallbellClient({
  baseUrl: "https://api.callbell.eu/v1",
});

try {
  const contact = await callbell.updateContact("414a6d692bd645ed803f2e7ce360d4c8", {
  name: "Joe Doe NEW",
  custom_fields: {
    orderNumber: "123",
    zipCode: "98765430"
  }
});
  console.log(JSON.stringify(contact, null, 2));
} catch (error) {
  if (error instanceof CallbellAPIError) {
    console.error(`Callbell answered ${error.status}:`, JSON.stringify(error.body));
  } else {
    console.error(error.message);
  }
  process.exitCode = 1;
}
