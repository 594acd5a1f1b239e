# The Ruby cell's call program (test/generators/ruby/recipe.mjs): calls the mock with the client that
# openapi-generator's `ruby` generator made (module CallbellClient, on Typhoeus) and prints the Report
# of scripts/generators/matrix.mjs as its last line. Run: ruby -I <generated>/lib call.rb
require "json"
require "uri"
require "callbell_client"

base = URI(ENV.fetch("CALLBELL_BASE_URL"))
CallbellClient.configure do |config|
  config.scheme = base.scheme
  config.host = "#{base.host}:#{base.port}"
  config.base_path = base.path
  config.access_token = ENV.fetch("CALLBELL_TOKEN")
end
api = CallbellClient::ContactsApi.new
uuid = ENV.fetch("CALLBELL_UUID")
body = CallbellClient::ContactUpdate.new(name: "Joe Doe NEW")

# The contact comes as an object or as an array of one (the contract's `oneOf`); the generated
# UpdateContactResponseContact.build turns either into Contact instances.
def decoded(api, uuid, body, example)
  data, status, = api.update_contact_with_http_info(uuid, body, header_params: { "Prefer" => "example=#{example}" })
  contact = data.contact
  contact = contact.first if contact.is_a?(Array) && contact.length == 1
  { status: status, type: contact.class.name, uuid: contact.uuid, name: contact.name }
end

report = {
  object: decoded(api, uuid, body, "objectEnvelope"),
  array: decoded(api, uuid, body, "seedArrayEnvelope"),
}
begin
  api.update_contact(uuid, body, header_params: { "Prefer" => "code=422" })
  report[:error] = { status: 200, type: "no error raised" }
rescue CallbellClient::ApiError => e
  # The generated ApiError keeps the body as text: decode it into the generated ErrorBody, which the
  # contract names (a client made from a description without it must not pass).
  typed = CallbellClient.const_defined?(:ErrorBody) &&
          CallbellClient::ErrorBody.build_from_hash(JSON.parse(e.response_body)).message.is_a?(String)
  type = typed ? e.class.name : "#{e.class.name} without an ErrorBody"
  report[:error] = { status: e.code, type: type }
end
puts JSON.generate(report)
