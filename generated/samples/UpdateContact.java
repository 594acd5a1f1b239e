import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

public class UpdateContact {
    public static void main(String[] args) throws Exception {
        String token = System.getenv("CALLBELL_API_TOKEN");
        if (token == null || token.isEmpty()) {
            System.err.println("Set CALLBELL_API_TOKEN.");
            System.exit(1);
        }
        String body = """
            {
              "name": "Joe Doe NEW",
              "custom_fields": {
                "orderNumber": "123",
                "zipCode": "98765430"
              }
            }
            """;
        HttpRequest request = HttpRequest.newBuilder()
            .uri(URI.create(
                "https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .method("PATCH",
                HttpRequest.BodyPublishers.ofString(body))
            .build();
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            System.err.println("Callbell answered " + response.statusCode()
                + ": " + response.body());
            System.exit(1);
        }
        System.out.println(response.body());
    }
}
