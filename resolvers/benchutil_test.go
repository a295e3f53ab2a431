package resolvers_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// postBytes posts a prepared GraphQL body and returns the status and body.
func postBytes(tb testing.TB, url string, body []byte) (int, []byte) {
	tb.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}
