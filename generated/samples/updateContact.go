package main

import (
	"fmt"
	"strings"
	"net/http"
	"io"
)

func main() {

	url := "https://api.callbell.eu/v1/contacts/414a6d692bd645ed803f2e7ce360d4c8"

	payload := strings.NewReader("{\"name\":\"Joe Doe NEW\",\"custom_fields\":{\"orderNumber\":\"123\",\"zipCode\":\"98765430\"}}")

	req, _ := http.NewRequest("PATCH", url, payload)

	req.Header.Add("Authorization", "Bearer test_gshuPaZoeEG6ovbc8M79w0QyM")
	req.Header.Add("Content-Type", "application/json")
	req.Header.Add("Accept", "application/json")

	res, _ := http.DefaultClient.Do(req)

	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)

	fmt.Println(string(body))

}
