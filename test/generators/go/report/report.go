// Package report is what both Go call programs print: the Report of scripts/generators/matrix.mjs,
// as the last line of stdout.
package report

import (
	"encoding/json"
	"fmt"
	"os"
)

// Decoded is one success: the status, the contact's Go type, and uuid and name read through it.
type Decoded struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	UUID   string `json:"uuid"`
	Name   string `json:"name"`
}

// Failure is the 422: the status the generated error carries and that error's Go type.
type Failure struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
}

// Report holds the three calls: `Prefer: example=objectEnvelope`, `example=seedArrayEnvelope`, `code=422`.
type Report struct {
	Object Decoded `json:"object"`
	Array  Decoded `json:"array"`
	Error  Failure `json:"error"`
}

// Envelopes are the two successes a call program makes, each with the field of Report it fills.
func (r *Report) Envelopes() []struct {
	Prefer string
	Into   *Decoded
} {
	return []struct {
		Prefer string
		Into   *Decoded
	}{{"example=objectEnvelope", &r.Object}, {"example=seedArrayEnvelope", &r.Array}}
}

// Main runs a call program and prints its Report, or its error on stderr with exit status 1.
func Main(run func() (Report, error)) {
	out, err := run()
	if err == nil {
		var line []byte
		if line, err = json.Marshal(out); err == nil {
			fmt.Println(string(line))
			return
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
