// The Go call program of the openapi-generator `go` cell (test/generators/go/recipe.mjs): it updates
// a contact three times through the client openapi-generator generated (package callbell, in ./out)
// and prints the Report scripts/generators/matrix.mjs reads as its last line.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"

	callbell "callbell.example/clients/out"
)

type decoded struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	UUID   string `json:"uuid"`
	Name   string `json:"name"`
}

type failure struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
}

type report struct {
	Object decoded `json:"object"`
	Array  decoded `json:"array"`
	Error  failure `json:"error"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	uuid := os.Getenv("CALLBELL_UUID")
	ctx := context.WithValue(context.Background(), callbell.ContextAccessToken, os.Getenv("CALLBELL_TOKEN"))
	update := func(prefer string) (*callbell.UpdateContactResponse, *http.Response, error) {
		config := callbell.NewConfiguration()
		config.Servers = callbell.ServerConfigurations{{URL: os.Getenv("CALLBELL_BASE_URL")}}
		config.AddDefaultHeader("Prefer", prefer)
		client := callbell.NewAPIClient(config)
		name := "Joe Doe NEW"
		return client.ContactsAPI.UpdateContact(ctx, uuid).ContactUpdate(callbell.ContactUpdate{Name: &name}).Execute()
	}
	var out report
	for _, envelope := range []struct {
		prefer string
		into   *decoded
	}{{"example=objectEnvelope", &out.Object}, {"example=seedArrayEnvelope", &out.Array}} {
		body, res, err := update(envelope.prefer)
		if err != nil {
			return fmt.Errorf("%s: %w", envelope.prefer, err)
		}
		contact, err := theContact(body.Contact)
		if err != nil {
			return fmt.Errorf("%s: %w", envelope.prefer, err)
		}
		name := contact.Name.Get()
		if name == nil {
			return fmt.Errorf("%s: the contact has no name", envelope.prefer)
		}
		*envelope.into = decoded{Status: res.StatusCode, Type: fmt.Sprintf("%T", contact), UUID: contact.Uuid, Name: *name}
	}
	_, res, err := update("code=422")
	var problem *callbell.GenericOpenAPIError
	if !errors.As(err, &problem) {
		return fmt.Errorf("code=422: not a *GenericOpenAPIError: %v", err)
	}
	if _, typed := problem.Model().(callbell.ErrorBody); !typed {
		return fmt.Errorf("code=422: the error's model is %T, not the ErrorBody", problem.Model())
	}
	out.Error = failure{Status: res.StatusCode, Type: fmt.Sprintf("%T", err)}
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	return nil
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
