<?php
// The PHP cell's call program (test/generators/php/recipe.mjs): calls the mock with the client that
// openapi-generator's `php` generator made (namespace CallbellClient, on Guzzle) and prints the Report
// of scripts/generators/matrix.mjs as its last line. Run: php call.php <generated folder>
//
// No Composer here: Debian's Guzzle and PSR packages (/usr/share/php) stand in for `composer install`,
// and the generated namespace is loaded by the PSR-4 autoloader below (what Composer's
// vendor/autoload.php would do from the generated composer.json).
declare(strict_types=1);

// Any notice, warning or deprecation (in the generated code too) fails the call.
set_error_handler(static function (int $severity, string $message, string $file, int $line): bool {
    throw new ErrorException($message, 0, $severity, $file, $line);
});

$generated = $argv[1] ?? throw new InvalidArgumentException('Usage: php call.php <generated client folder>');
require_once 'GuzzleHttp/autoload.php';
spl_autoload_register(static function (string $class) use ($generated): void {
    $prefix = 'CallbellClient\\';
    if (str_starts_with($class, $prefix)) {
        $file = $generated . '/lib/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

use CallbellClient\Api\ContactsApi;
use CallbellClient\ApiException;
use CallbellClient\Configuration;
use CallbellClient\Model\Contact;
use CallbellClient\Model\ContactUpdate;
use CallbellClient\Model\ErrorBody;
use CallbellClient\ObjectSerializer;
use GuzzleHttp\Client;

$env = static fn (string $name): string => getenv($name) !== false
    ? (string) getenv($name)
    : throw new InvalidArgumentException("Set $name.");
$config = Configuration::getDefaultConfiguration()
    ->setHost($env('CALLBELL_BASE_URL'))
    ->setAccessToken($env('CALLBELL_TOKEN'));
$uuid = $env('CALLBELL_UUID');
$body = new ContactUpdate(['name' => 'Joe Doe NEW']);
// The generated API takes no per-call headers: one Guzzle client per `Prefer` value.
$client = static fn (string $prefer): Client => new Client(['headers' => ['Prefer' => $prefer]]);

/**
 * The workaround (recipe.mjs's caveats): the generated updateContact() types `contact` as
 * UpdateContactResponseContact, Contact's fields merged into one class (the php generator has no
 * oneOf), which stays empty when `contact` is an array. So the generated request is sent as it is,
 * and the contact, unwrapped from its array of one, goes through the generated ObjectSerializer into
 * the generated Contact.
 *
 * @return array{status: int, type: string, uuid: string, name: ?string}
 */
$decoded = static function (string $example) use ($client, $config, $uuid, $body): array {
    $http = $client("example=$example");
    $response = $http->send((new ContactsApi($http, $config))->updateContactRequest($uuid, $body));
    $raw = json_decode((string) $response->getBody(), false, 512, JSON_THROW_ON_ERROR)->contact;
    if (is_array($raw) && count($raw) === 1) {
        $raw = $raw[0];
    }
    $contact = ObjectSerializer::deserialize($raw, Contact::class);
    if (!$contact instanceof Contact) {
        throw new UnexpectedValueException('The contact did not decode into ' . Contact::class);
    }
    return [
        'status' => $response->getStatusCode(),
        'type' => $contact::class,
        'uuid' => $contact->getUuid(),
        'name' => $contact->getName(),
    ];
};

$report = ['object' => $decoded('objectEnvelope'), 'array' => $decoded('seedArrayEnvelope')];
try {
    (new ContactsApi($client('code=422'), $config))->updateContact($uuid, $body);
    $report['error'] = ['status' => 200, 'type' => 'no error raised'];
} catch (ApiException $error) {
    // The generated client decodes the 422's body into the generated ErrorBody, which the contract
    // names (a client made from a description without it must not pass).
    $errorBody = $error->getResponseObject();
    $report['error'] = [
        'status' => $error->getCode(),
        'type' => $errorBody instanceof ErrorBody && is_string($errorBody->getMessage())
            ? $error::class
            : $error::class . ' without an ErrorBody (' . get_debug_type($errorBody) . ')',
    ];
}
echo json_encode($report, JSON_THROW_ON_ERROR), "\n";
