// The Go call program of the oapi-codegen cell (test/generators/go/recipe.mjs): it updates a contact
// three times through the client oapi-codegen generated (package callbell, in ./out) and prints the
// Report scripts/generators/matrix.mjs reads as its last line.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	callbell "callbell.example/clients/out"
	"callbell.example/clients/report"
)

func main() { report.Main(run) }

func run() (report.Report, error) {
	var out report.Report
	client, err := callbell.NewClientWithResponses(os.Getenv("CALLBELL_BASE_URL"))
	if err != nil {
		return out, err
	}
	name := "Joe Doe NEW"
	update := func(prefer string) (*callbell.UpdateContactResponse2, error) {
		return client.UpdateContactWithResponse(context.Background(), os.Getenv("CALLBELL_UUID"),
			callbell.ContactUpdate{Name: &name},
			func(_ context.Context, req *http.Request) error {
				req.Header.Set("Authorization", "Bearer "+os.Getenv("CALLBELL_TOKEN"))
				req.Header.Set("Prefer", prefer)
				return nil
			})
	}
	for _, envelope := range out.Envelopes() {
		res, err := update(envelope.Prefer)
		if err != nil {
			return out, err
		}
		if res.JSON200 == nil {
			return out, fmt.Errorf("%s: status %d, no typed 200 body: %s", envelope.Prefer, res.StatusCode(), res.Body)
		}
		contact, err := theContact(res.JSON200.Contact)
		if err != nil {
			return out, fmt.Errorf("%s: %w", envelope.Prefer, err)
		}
		*envelope.Into = report.Decoded{
			Status: res.StatusCode(), Type: fmt.Sprintf("%T", contact), UUID: deref(contact.Uuid), Name: deref(contact.Name),
		}
	}
	res, err := update("code=422")
	if err != nil {
		return out, err
	}
	if res.JSON422 == nil {
		return out, fmt.Errorf("code=422: status %d, no typed 422 body: %s", res.StatusCode(), res.Body)
	}
	out.Error = report.Failure{Status: res.StatusCode(), Type: fmt.Sprintf("%T", res.JSON422)}
	return out, nil
}

// theContact reads the union oapi-codegen generates for `contact` (oneOf: a Contact, or an array
// holding exactly one) through its typed As... methods.
func theContact(union callbell.UpdateContactResponse_Contact) (callbell.Contact, error) {
	if list, err := union.AsUpdateContactResponseContact1(); err == nil {
		if len(list) != 1 {
			return callbell.Contact{}, fmt.Errorf("contact is an array of %d, not of one", len(list))
		}
		return list[0], nil
	}
	return union.AsContact()
}

func deref(text *string) string {
	if text == nil {
		return "(absent)"
	}
	return *text
}
