require 'uri'
require 'net/http'

url = URI("https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8")

http = Net::HTTP.new(url.host, url.port)
http.use_ssl = url.scheme == "https"

request = Net::HTTP::Patch.new(url)
request["Authorization"] = 'Bearer test_gshuPaZoeEG6ovbc8M79w0QyM'
request["Content-Type"] = 'application/json'
request["Accept"] = 'application/json'
request.body = "{\"name\":\"Joe Doe NEW\",\"custom_fields\":{\"orderNumber\":\"123\",\"zipCode\":\"98765430\"}}"

response = http.request(request)
puts response.read_body
