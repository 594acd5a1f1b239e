require "net/http"
require "uri"

token = ENV.fetch("CALLBELL_API_TOKEN") { abort "Set CALLBELL_API_TOKEN." }
url = URI("https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8")

request = Net::HTTP::Patch.new(url)
request["Authorization"] = "Bearer #{token}"
request["Content-Type"] = "application/json"
request["Accept"] = "application/json"
request.body = <<~'JSON'
  {
    "name": "Joe Doe NEW",
    "custom_fields": {
      "orderNumber": "123",
      "zipCode": "98765430"
    }
  }
JSON

response = Net::HTTP.start(url.host, url.port,
                           use_ssl: url.scheme == "https",
                           read_timeout: 30) do |http|
  http.request(request)
end
unless response.is_a?(Net::HTTPSuccess)
  abort "Callbell answered #{response.code}: #{response.body}"
end
puts response.body
