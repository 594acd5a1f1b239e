using System.Net.Http.Headers;

var token = Environment.GetEnvironmentVariable("CALLBELL_API_TOKEN")
    ?? throw new InvalidOperationException("Set CALLBELL_API_TOKEN.");
using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
var request = new HttpRequestMessage
{
    Method = HttpMethod.Patch,
    RequestUri = new Uri(
        "https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8"),
    Headers =
    {
        { "Authorization", $"Bearer {token}" },
        { "Accept", "application/json" },
    },
    Content = new StringContent(
        "{\"name\":\"Joe Doe NEW\",\"custom_fields\":{\"orderNumber\":\"123\",\"zipCode\":\"98765430\"}}")
    {
        Headers =
        {
            ContentType = new MediaTypeHeaderValue("application/json")
        }
    }
};
using var response = await client.SendAsync(request);
var text = await response.Content.ReadAsStringAsync();
if (!response.IsSuccessStatusCode)
{
    Console.Error.WriteLine($"Callbell answered {(int)response.StatusCode}: {text}");
    return 1;
}
Console.WriteLine(text);
return 0;
