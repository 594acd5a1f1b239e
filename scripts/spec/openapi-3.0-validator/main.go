// Validates an OpenAPI 3.0.x document with kin-openapi, a validator this project did not write:
// `validate-openapi-3.0 FILE` prints "valid" and exits 0, or prints each problem and exits 1.
// Built and run by scripts/openapi-3.0-validator.mjs; the version is pinned in go.mod/go.sum.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: validate-openapi-3.0 FILE")
		os.Exit(2)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(os.Args[1])
	if err != nil {
		fmt.Printf("cannot load: %v\n", err)
		os.Exit(1)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		fmt.Printf("openapi is %q, not 3.0.x\n", doc.OpenAPI)
		os.Exit(1)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaDefaultsValidation(), openapi3.EnableSchemaPatternValidation(), openapi3.EnableSchemaFormatValidation()); err != nil {
		fmt.Printf("invalid: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("valid")
}
