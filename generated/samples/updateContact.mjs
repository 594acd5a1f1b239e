import { createCallbellClient } from "callbell-openapi";

const callbell = createCallbellClient({
  token: "test_gshuPaZoeEG6ovbc8M79w0QyM",
  baseUrl: "https://api.callbell.eu/v1",
});

const contact = await callbell.updateContact("414a6d692bd645ed803f2e7ce360d4c8", {
  name: "Joe Doe NEW",
  custom_fields: {
    orderNumber: "123",
    zipCode: "98765430"
  }
});
console.log(JSON.stringify(contact, null, 2));
