// The Go call program of the openapi-generator `go` cell (test/generators/go/recipe.mjs): it updates
// a contact three times through the client openapi-generator generated (package callbell, in ./out)
// and prints the Report scripts/generators/matrix.mjs reads as its last line.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	callbell "callbell.example/clients/out"
	"callbell.example/clients/report"
)

func main() { report.Main(run) }

func run() (report.Report, error) {
	var out report.Report
	ctx := context.WithValue(context.Background(), callbell.ContextAccessToken, os.Getenv("CALLBELL_TOKEN"))
	update := func(prefer string) (*callbell.UpdateContactResponse, *http.Response, error) {
		config := callbell.NewConfiguration()
		config.Servers = callbell.ServerConfigurations{{URL: os.Getenv("CALLBELL_BASE_URL")}}
		config.AddDefaultHeader("Prefer", prefer)
		name := "Joe Doe NEW"
		return callbell.NewAPIClient(config).ContactsAPI.UpdateContact(ctx, os.Getenv("CALLBELL_UUID")).
			ContactUpdate(callbell.ContactUpdate{Name: &name}).Execute()
	}
	for _, envelope := range out.Envelopes() {
		body, res, err := update(envelope.Prefer)
		if err != nil {
			return out, fmt.Errorf("%s: %w", envelope.Prefer, err)
		}
		contact, err := theContact(body.Contact)
		if err != nil {
			return out, fmt.Errorf("%s: %w", envelope.Prefer, err)
		}
		name := contact.Name.Get()
		if name == nil {
			return out, fmt.Errorf("%s: the contact has no name", envelope.Prefer)
		}
		*envelope.Into = report.Decoded{Status: res.StatusCode, Type: fmt.Sprintf("%T", contact), UUID: contact.Uuid, Name: *name}
	}
	_, res, err := update("code=422")
	var problem *callbell.GenericOpenAPIError
	if !errors.As(err, &problem) {
		return out, fmt.Errorf("code=422: not a *GenericOpenAPIError: %v", err)
	}
	if _, typed := problem.Model().(callbell.ErrorBody); !typed {
		return out, fmt.Errorf("code=422: the error's model is %T, not the ErrorBody", problem.Model())
	}
	out.Error = report.Failure{Status: res.StatusCode, Type: fmt.Sprintf("%T", err)}
	return out, nil
}

// theContact reads the oneOf openapi-generator generates for `contact` (a Contact, or an array
// holding exactly one): one typed pointer per branch, the one that matched set.
func theContact(union callbell.UpdateContactResponseContact) (callbell.Contact, error) {
	switch {
	case union.Contact != nil:
		return *union.Contact, nil
	case union.ArrayOfContact != nil && len(*union.ArrayOfContact) == 1:
		return (*union.ArrayOfContact)[0], nil
	case union.ArrayOfContact != nil:
		return callbell.Contact{}, fmt.Errorf("contact is an array of %d, not of one", len(*union.ArrayOfContact))
	}
	return callbell.Contact{}, errors.New("contact matched neither branch of its oneOf")
}
