import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class UpdateContact {
    public static void main(String[] args) throws Exception {
        HttpRequest request = HttpRequest.newBuilder()
            .uri(URI.create("https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8"))
            .header("Authorization", "Bearer test_gshuPaZoeEG6ovbc8M79w0QyM")
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"name\":\"Joe Doe NEW\",\"custom_fields\":{\"orderNumber\":\"123\",\"zipCode\":\"98765430\"}}"))
            .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.body());
    }
}
