package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/metrics"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

func TestServerInfoOverPOSTAndGET(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	wantVersion, wantEdition, err := db.Neo4jVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, resolvers.Options{Store: db, Version: "v-test"})

	status, r := post(t, srv, `{ serverInfo { version neo4jVersion neo4jEdition database } }`, nil)
	if status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("POST: HTTP %d, errors %v", status, r.Errors)
	}
	var got struct{ ServerInfo map[string]string }
	if err := json.Unmarshal(r.Data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"version": "v-test", "neo4jVersion": wantVersion, "neo4jEdition": wantEdition, "database": db.Database()}
	for k, v := range want {
		if got.ServerInfo[k] != v {
			t.Errorf("serverInfo.%s = %q, want %q", k, got.ServerInfo[k], v)
		}
	}

	resp, err := http.Get(srv.URL + "/graphql?query=" + url.QueryEscape(`{ serverInfo { neo4jVersion } }`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(raw), `"neo4jVersion":"`+wantVersion+`"`) {
		t.Errorf("GET: %s", raw)
	}
}

func TestBadRequestsGetCodedErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t, resolvers.Options{MaxBodyBytes: 4096, DepthLimit: 1})
	for _, tt := range []struct {
		name     string
		body     []byte
		status   int
		code     string
		contains string
	}{
		{"SyntaxError", []byte(`{"query":"{ serverInfo { version "}`), http.StatusOK, "GRAPHQL_PARSE_FAILED", "Expected"},
		{"UnknownField", []byte(`{"query":"{ nope }"}`), http.StatusOK, "GRAPHQL_VALIDATION_FAILED", "nope"},
		{"BrokenJSON", []byte(`{"query":`), http.StatusBadRequest, "BAD_REQUEST", "JSON"},
		{"TooLarge", []byte(`{"query":"` + strings.Repeat(" ", 5000) + `{ __typename }"}`), http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "4096"},
		{"TooDeep", []byte(`{"query":"{ serverInfo { version } }"}`), http.StatusOK, "GRAPHQL_VALIDATION_FAILED", "nested 2 levels deep; the limit is 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, r := postRaw(t, srv, "", tt.body)
			if tt.status != 0 && status != tt.status {
				t.Errorf("HTTP %d, want %d", status, tt.status)
			}
			if len(r.Errors) == 0 {
				t.Fatalf("no errors in response")
			}
			if tt.code != "" && r.Errors[0].Extensions["code"] != tt.code {
				t.Errorf("code = %v, want %s", r.Errors[0].Extensions["code"], tt.code)
			}
			if !strings.Contains(r.Errors[0].Message, tt.contains) {
				t.Errorf("message %q does not contain %q", r.Errors[0].Message, tt.contains)
			}
		})
	}
}

func TestHealthReadyGraphiQLAndMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	db := neo4jtest.OpenObserved(t, m)
	srv := newServer(t, resolvers.Options{Store: db, Metrics: m})
	post(t, srv, `query Probe { serverInfo { version } }`, nil)
	post(t, srv, `query Broken { nope }`, nil)

	for _, tt := range []struct{ path, contains string }{
		{"/healthz", `"ok"`},
		{"/readyz", `"ready"`},
		{"/", "graphiql"},
		{"/metrics", `ssfgraph_graphql_requests_total{operation="Probe",outcome="ok",type="query"} 1`},
		{"/metrics", `outcome="GRAPHQL_VALIDATION_FAILED",type="invalid"} 1`},
		{"/metrics", `ssfgraph_graphql_request_duration_seconds_count{operation="Probe",type="query"} 1`},
		{"/metrics", `ssfgraph_neo4j_query_duration_seconds_count{op="neo4j.Neo4jVersion",outcome="ok"}`},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("HTTP %d", resp.StatusCode)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Errorf("%s does not contain %s", tt.path, tt.contains)
			}
		})
	}
}

func TestSchemaIsDocumented(t *testing.T) {
	t.Parallel()
	srv := newServer(t, resolvers.Options{})
	_, r := post(t, srv, `{ __schema { types { name kind description fields { name description args { name description } } } } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	var got struct {
		Schema struct {
			Types []struct {
				Name, Kind, Description string
				Fields                  []struct {
					Name, Description string
					Args              []struct{ Name, Description string }
				}
			}
		} `json:"__schema"`
	}
	if err := json.Unmarshal(r.Data, &got); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ty := range got.Schema.Types {
		if strings.HasPrefix(ty.Name, "__") || ty.Kind == "SCALAR" && ty.Description == "" && isBuiltin(ty.Name) {
			continue
		}
		checked++
		if ty.Description == "" {
			t.Errorf("type %s has no description", ty.Name)
		}
		for _, f := range ty.Fields {
			if f.Description == "" {
				t.Errorf("field %s.%s has no description", ty.Name, f.Name)
			}
			for _, a := range f.Args {
				if a.Description == "" {
					t.Errorf("argument %s.%s(%s) has no description", ty.Name, f.Name, a.Name)
				}
			}
		}
	}
	if checked < 4 {
		t.Errorf("checked only %d types", checked)
	}
}

func isBuiltin(name string) bool {
	switch name {
	case "String", "Int", "Float", "Boolean", "ID":
		return true
	}
	return false
}

func TestTicksOverBothSubprotocols(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	srv := newServer(t, resolvers.Options{Metrics: m})
	for _, proto := range []string{wsclient.TransportWS, wsclient.LegacyWS} {
		t.Run(proto, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			c, err := wsclient.Dial(ctx, srv.URL+"/graphql", proto, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Subscribe("1", `subscription($n: Int) { ticks(every: 20, count: $n) { n at } }`, map[string]any{"n": 3}); err != nil {
				t.Fatal(err)
			}
			var last time.Time
			for want := 1; want <= 3; want++ {
				id, payload, err := c.NextData(ctx)
				if err != nil {
					t.Fatalf("tick %d: %v", want, err)
				}
				var ev struct {
					Data struct {
						Ticks struct {
							N  int
							At time.Time
						}
					}
				}
				if err := json.Unmarshal(payload, &ev); err != nil {
					t.Fatal(err)
				}
				if id != "1" || ev.Data.Ticks.N != want {
					t.Fatalf("event %s %s, want tick %d of operation 1", id, payload, want)
				}
				if !ev.Data.Ticks.At.After(last) {
					t.Errorf("tick %d at %v, not after %v", want, ev.Data.Ticks.At, last)
				}
				last = ev.Data.Ticks.At
			}
			if _, _, err := c.NextData(ctx); err != wsclient.ErrComplete {
				t.Fatalf("after 3 ticks: %v, want complete", err)
			}
		})
	}
}

func TestTicksRejectsBadArguments(t *testing.T) {
	t.Parallel()
	srv := newServer(t, resolvers.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := wsclient.Dial(ctx, srv.URL+"/graphql", wsclient.TransportWS, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, q := range []string{`subscription { ticks(every: 5) { n } }`, `subscription { ticks(count: 0) { n } }`} {
		id := fmt.Sprint(i)
		if err := c.Subscribe(id, q, nil); err != nil {
			t.Fatal(err)
		}
		_, payload, err := c.NextData(ctx)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var r gqlResponse
		if err := json.Unmarshal(payload, &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] == nil {
			t.Errorf("%s: %s, want one BAD_USER_INPUT error naming the field", q, payload)
		}
		if _, _, err := c.NextData(ctx); err != wsclient.ErrComplete {
			t.Errorf("%s: after the error: %v, want complete", q, err)
		}
	}
}

func TestEnumValueInWrongCaseIsBadUserInput(t *testing.T) {
	t.Parallel()
	srv := newServer(t, resolvers.Options{})
	_, r := post(t, srv, `query($s: AnalysisStatus) { analyses(status: $s) { totalCount } }`, map[string]any{"s": "draft"})
	if code := r.code(); code != "BAD_USER_INPUT" && code != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("status \"draft\": errors %+v, want BAD_USER_INPUT or GRAPHQL_VALIDATION_FAILED", r.Errors)
	}
}
