// The Go call program of the oapi-codegen cell (test/generators/go/recipe.mjs): it updates a contact
// three times through the client oapi-codegen generated (package callbell, in ./out) and prints the
// Report scripts/generators/matrix.mjs reads as its last line.
package main

import (
	"context"
	"encoding/json"
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
	client, err := callbell.NewClientWithResponses(os.Getenv("CALLBELL_BASE_URL"))
	if err != nil {
		return err
	}
	uuid := os.Getenv("CALLBELL_UUID")
	name := "Joe Doe NEW"
	update := func(prefer string) (*callbell.UpdateContactResponse2, error) {
		return client.UpdateContactWithResponse(context.Background(), uuid, callbell.ContactUpdate{Name: &name},
			func(_ context.Context, req *http.Request) error {
				req.Header.Set("Authorization", "Bearer "+os.Getenv("CALLBELL_TOKEN"))
				req.Header.Set("Prefer", prefer)
				return nil
			})
	}
	var out report
	for _, envelope := range []struct {
		prefer string
		into   *decoded
	}{{"example=objectEnvelope", &out.Object}, {"example=seedArrayEnvelope", &out.Array}} {
		res, err := update(envelope.prefer)
		if err != nil {
			return err
		}
		if res.JSON200 == nil {
			return fmt.Errorf("%s: status %d, no typed 200 body: %s", envelope.prefer, res.StatusCode(), res.Body)
		}
		contact, err := theContact(res.JSON200.Contact)
		if err != nil {
			return fmt.Errorf("%s: %w", envelope.prefer, err)
		}
		*envelope.into = decoded{Status: res.StatusCode(), Type: fmt.Sprintf("%T", contact), UUID: deref(contact.Uuid), Name: deref(contact.Name)}
	}
	res, err := update("code=422")
	if err != nil {
		return err
	}
	if res.JSON422 == nil {
		return fmt.Errorf("code=422: status %d, no typed 422 body: %s", res.StatusCode(), res.Body)
	}
	out.Error = failure{Status: res.StatusCode(), Type: fmt.Sprintf("%T", res.JSON422)}
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	return nil
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
	return union.AsUpdateContactResponseContact0()
}

func deref(text *string) string {
	if text == nil {
		return "(absent)"
	}
	return *text
}
