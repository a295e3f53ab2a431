package resolvers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/live"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// newBenchServer serves NewHandler over real HTTP for benchmarks.
func newBenchServer(tb testing.TB, o resolvers.Options) *httptest.Server {
	tb.Helper()
	if o.Bus == nil {
		bus := broker.New[*live.Snapshot]()
		o.Bus = bus
		tb.Cleanup(bus.Close)
	}
	if o.Live == nil {
		o.Live = live.New(o.Store, o.Bus, 0, nil)
		tb.Cleanup(o.Live.Close)
	}
	srv := httptest.NewServer(resolvers.NewHandler(o))
	tb.Cleanup(srv.Close)
	return srv
}

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
