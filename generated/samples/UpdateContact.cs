using System.Net.Http.Headers;
var client = new HttpClient();
var request = new HttpRequestMessage
{
  Method = HttpMethod.Patch,
  RequestUri = new Uri("https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8"),
  Headers =
  {
    { "Authorization", "Bearer test_gshuPaZoeEG6ovbc8M79w0QyM" },
    { "Accept", "application/json" },
  },
  Content = new StringContent("{\"name\":\"Joe Doe NEW\",\"custom_fields\":{\"orderNumber\":\"123\",\"zipCode\":\"98765430\"}}")
  {
    Headers =
    {
      ContentType = new MediaTypeHeaderValue("application/json")
    }
  }
};
using (var response = await client.SendAsync(request))
{
  response.EnsureSuccessStatusCode();
  var body = await response.Content.ReadAsStringAsync();
  Console.WriteLine(body);
}
