package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/live"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// testEnv is the one test environment of the resolver tests: NewHandler
// served over real HTTP on the test database, with the bus and live
// comparisons it publishes through, and an id prefix of the test's own
// (neo4jtest.Prefix). Build it with newEnv; the test-specific worlds
// (analysisEnv, comparisonEnv, …) embed it and add their nodes and tokens.
type testEnv struct {
	db    *neo4j.DB // the store (neo4jtest.Open's unless the options named another)
	bus   *broker.Broker[*live.Snapshot]
	fbBus *broker.Broker[*model.FeedbackEvent]
	lv    *live.Comparisons
	srv   *httptest.Server
	p     string // the prefix of every id the test creates
}

// newEnv serves NewHandler with options o. What o leaves unset comes from
// the test database: Store is neo4jtest.Open's, Bus and FeedbackBus new
// brokers and Live
// new comparisons over them (window live.DefaultWindow). Everything it
// starts is stopped when the test ends.
func newEnv(tb testing.TB, o resolvers.Options) *testEnv {
	tb.Helper()
	e := &testEnv{p: neo4jtest.Prefix(tb)} // its clean-up runs after live's below
	if o.Store == nil {
		o.Store = neo4jtest.Open(tb)
	}
	if o.Bus == nil {
		bus := broker.New[*live.Snapshot]()
		o.Bus = bus
		tb.Cleanup(bus.Close)
	}
	if o.FeedbackBus == nil {
		bus := broker.New[*model.FeedbackEvent]()
		o.FeedbackBus = bus
		tb.Cleanup(bus.Close)
	}
	if o.Live == nil {
		o.Live = live.New(o.Store, o.Bus, 0, nil)
		tb.Cleanup(o.Live.Close) // before the store closes: clean-ups run last-in first-out
	}
	e.lv = o.Live
	e.db, _ = o.Store.(*neo4j.DB)
	e.bus, _ = o.Bus.(*broker.Broker[*live.Snapshot])
	e.fbBus, _ = o.FeedbackBus.(*broker.Broker[*model.FeedbackEvent])
	e.srv = httptest.NewServer(resolvers.NewHandler(o))
	tb.Cleanup(e.srv.Close)
	return e
}

// newServer is newEnv for tests that need only the server.
func newServer(tb testing.TB, o resolvers.Options) *httptest.Server {
	tb.Helper()
	return newEnv(tb, o).srv
}

// org creates an organization (directly in Neo4j) with id e.p+name in
// sector and returns its id.
func (e *testEnv) org(t testing.TB, name, sector string) string {
	t.Helper()
	return neo4jtest.Org(t, e.p+name, sector)
}

// token issues a token of org with role.
func (e *testEnv) token(t testing.TB, org string, role model.Role) string {
	t.Helper()
	return neo4jtest.Token(t, e.db, org, role)
}

// tokensOf issues a token of org for every role.
func (e *testEnv) tokensOf(t testing.TB, org string) map[model.Role]string {
	t.Helper()
	out := make(map[model.Role]string, len(model.Roles))
	for _, r := range model.Roles {
		out[r] = e.token(t, org, r)
	}
	return out
}

// do sends a GraphQL request with a bearer token ("" for none).
func (e *testEnv) do(t testing.TB, token, query string, vars map[string]any) gqlResponse {
	t.Helper()
	_, r := postAs(t, e.srv, token, query, vars)
	return r
}

// must sends a request that must succeed and decodes its data into v
// (unless v is nil).
func (e *testEnv) must(t testing.TB, token, query string, vars map[string]any, v any) {
	t.Helper()
	r := e.do(t, token, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %+v", query, r.Errors)
	}
	if v != nil {
		r.decode(t, v)
	}
}

// subscribe dials the server's websocket with subprotocol proto as token
// ("" for none) and starts operation "sub"; the client is closed when the
// test ends.
func (e *testEnv) subscribe(ctx context.Context, t testing.TB, proto, token, query string, vars map[string]any) *wsclient.Client {
	t.Helper()
	var payload map[string]any
	if token != "" {
		payload = map[string]any{"Authorization": "Bearer " + token}
	}
	c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", proto, payload)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Subscribe("sub", query, vars); err != nil {
		t.Fatal(err)
	}
	return c
}

// gqlResponse is the shape of every GraphQL response.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// code returns the extensions.code of the response's first error, or "".
func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// decode unmarshals the response's data into v, failing on errors.
func (r gqlResponse) decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatal(err)
	}
}

// post sends a GraphQL request without a token and decodes the response.
func post(t testing.TB, srv *httptest.Server, query string, vars map[string]any) (int, gqlResponse) {
	t.Helper()
	return postAs(t, srv, "", query, vars)
}

// postAs sends a GraphQL request with a bearer token ("" for none).
func postAs(t testing.TB, srv *httptest.Server, token, query string, vars map[string]any) (int, gqlResponse) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return postRaw(t, srv, token, body)
}

// postRaw sends a request body as it is, with a bearer token ("" for
// none), and decodes the response.
func postRaw(t testing.TB, srv *httptest.Server, token string, body []byte) (int, gqlResponse) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON (HTTP %d): %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, r
}
