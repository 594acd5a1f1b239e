package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	token := os.Getenv("CALLBELL_API_TOKEN")
	if token == "" {
		log.Fatal("Set CALLBELL_API_TOKEN.")
	}
	url := "https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8"
	payload := strings.NewReader(`{
  "name": "Joe Doe NEW",
  "custom_fields": {
    "orderNumber": "123",
    "zipCode": "98765430"
  }
}`)

	req, err := http.NewRequest("PATCH", url, payload)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		log.Fatal(err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		log.Fatalf("Callbell answered %s: %s", res.Status, body)
	}
	fmt.Println(string(body))
}
