// Calls the project's mock with the client openapi-generator's `java` generator (library `native`)
// makes from the contract, and prints the Report of scripts/generators/matrix.mjs as its last line.
// Only the generated client and its runtime jars are used; the environment names the mock
// (CALLBELL_BASE_URL), the token (CALLBELL_TOKEN) and the contact (CALLBELL_UUID).
import java.util.List;
import java.util.Map;
import org.openapitools.client.ApiClient;
import org.openapitools.client.ApiException;
import org.openapitools.client.ApiResponse;
import org.openapitools.client.api.ContactsApi;
import org.openapitools.client.model.Contact;
import org.openapitools.client.model.ContactUpdate;
import org.openapitools.client.model.UpdateContactResponse;
import org.openapitools.client.model.UpdateContactResponseContact;

public final class CallMock {
  private CallMock() {}

  public static void main(String[] args) throws ApiException {
    String token = env("CALLBELL_TOKEN");
    String uuid = env("CALLBELL_UUID");
    ApiClient client = new ApiClient();
    client.updateBaseUri(env("CALLBELL_BASE_URL"));
    // The native library writes no Authorization header for a bearer scheme: the request
    // interceptor is its documented hook for one.
    client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));
    ContactsApi api = new ContactsApi(client);

    String object = decoded(api, uuid, "example=objectEnvelope", false);
    String array = decoded(api, uuid, "example=seedArrayEnvelope", true);
    String error;
    try {
      ApiResponse<UpdateContactResponse> response = api.updateContactWithHttpInfo(uuid, body(), Map.of("Prefer", "code=422"));
      error = "{\"status\":" + response.getStatusCode() + ",\"type\":\"(no exception)\"}";
    } catch (ApiException e) {
      error = "{\"status\":" + e.getCode() + ",\"type\":" + quote(e.getClass().getSimpleName()) + "}";
    }
    System.out.println("{\"object\":" + object + ",\"array\":" + array + ",\"error\":" + error + "}");
  }

  private static ContactUpdate body() {
    return new ContactUpdate().name("Joe Doe NEW");
  }

  /**
   * One call with the given Prefer header; the contact read from the generated oneOf wrapper
   * (UpdateContactResponseContact): Contact itself for the object envelope, a List of one Contact
   * for the array envelope (the branch expected is checked, so a wrong branch fails the cell).
   */
  private static String decoded(ContactsApi api, String uuid, String prefer, boolean listExpected)
      throws ApiException {
    ApiResponse<UpdateContactResponse> response =
        api.updateContactWithHttpInfo(uuid, body(), Map.of("Prefer", prefer));
    UpdateContactResponseContact wrapper = response.getData().getContact();
    Object actual = wrapper.getActualInstance();
    Contact contact;
    if (!listExpected && actual instanceof Contact) {
      contact = wrapper.getContact();
    } else if (listExpected && actual instanceof List<?> list && list.size() == 1 && list.get(0) instanceof Contact only) {
      contact = only;
    } else {
      throw new IllegalStateException(
          prefer + ": the contact decoded to " + (actual == null ? "null" : actual.getClass().getName()));
    }
    System.out.println(prefer + ": UpdateContactResponseContact holds " + actual.getClass().getName());
    return "{\"status\":" + response.getStatusCode()
        + ",\"type\":" + quote(contact.getClass().getSimpleName())
        + ",\"uuid\":" + quote(contact.getUuid())
        + ",\"name\":" + quote(contact.getName()) + "}";
  }

  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) throw new IllegalStateException("Set " + name + ".");
    return value;
  }

  /** A JSON string (or null). */
  private static String quote(String text) {
    if (text == null) return "null";
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }
}
