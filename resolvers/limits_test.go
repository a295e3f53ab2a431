package resolvers_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// repeat returns n copies of s joined by spaces.
func repeat(s string, n int) string { return strings.TrimSpace(strings.Repeat(s+" ", n)) }

// aliased returns n aliased copies (a0: …, a1: …) of a selection.
func aliased(sel string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, sel)
	}
	return b.String()
}

// TestAbuseDocumentsAreRefusedBeforeTheWork sends each abuse document of
// issue 10 over real HTTP and asserts its code, HTTP 200 and a loose time
// bound (BenchmarkAbuseRefusal has the figures).
func TestAbuseDocumentsAreRefusedBeforeTheWork(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	wide := newEnv(t, resolvers.Options{MaxTokens: 1 << 20})
	wideAliases := newEnv(t, resolvers.Options{MaxAliases: 100})
	sectors := make([]string, 50000)
	for i := range sectors {
		sectors[i] = fmt.Sprintf("s%d", i)
	}
	for _, tt := range []struct {
		name  string
		env   *testEnv
		query string
		vars  map[string]any
		code  string
	}{
		{"RepeatedFields", e, "{ " + repeat("viewer { role }", 10000) + " }", nil, resolvers.CodeTooManyTokens},
		{"AliasedSchema", e, "{ " + aliased("__schema { types { name fields { name } } }", 1000) + " }", nil, resolvers.CodeTooManyTokens},
		{"AliasedSchemaUnderAWideTokenLimit", wide, "{ " + aliased("__schema { types { name fields { name } } }", 1000) + " }", nil, resolvers.CodeTooManyAliases},
		{"SixteenAliases", e, "{ " + aliased("__typename", 16) + " }", nil, resolvers.CodeTooManyAliases},
		{"Directives", e, "{ " + repeat("__typename @include(if: true)", 51) + " }", nil, resolvers.CodeTooManyDirectives},
		{"IntrospectionUnderAWideAliasLimit", wideAliases, "{ " + aliased("__schema { queryType { name } }", 21) + " }", nil, resolvers.CodeCostLimit},
		{"PageSizes", e, "{ " + aliased(`targets(first: 500) { nodes { id name sector description assets { id name } incidents { id name } analyses { id title } } }`, 3) + " }", nil, resolvers.CodeCostLimit},
		{"HugeInputList", e, `mutation($in: AnalysisInput!) { createAnalysis(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"targetId": "t", "title": "x", "visibility": "SHARED", "sharedWithSectors": sectors}}, "BAD_USER_INPUT"},
		{"InlineThreats", e, `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"analysisId": "a", "incidentId": "i", "axis1": 1, "axis2": 1, "threats": inlineThreats(5000)}}, "BAD_USER_INPUT"},
		{"InlineThreatsOverTheirCap", e, `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"analysisId": "a", "incidentId": "i", "axis1": 1, "axis2": 1, "threats": inlineThreats(201)}}, "BAD_USER_INPUT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			status, r := post(t, tt.env.srv, tt.query, tt.vars)
			took := time.Since(start)
			if status != http.StatusOK || r.code() != tt.code {
				t.Fatalf("HTTP %d, %+v; want 200 and %s", status, r.Errors, tt.code)
			}
			if f := map[string]string{"HugeInputList": "$in.sharedWithSectors", "InlineThreats": "$in.threats", "InlineThreatsOverTheirCap": "input.threats"}[tt.name]; f != "" && r.Errors[0].Extensions["field"] != f {
				t.Errorf("field %v, want %s", r.Errors[0].Extensions["field"], f)
			}
			if took > time.Second {
				t.Errorf("refusal took %s", took)
			}
			t.Logf("refused with %s in %s: %s", tt.code, took, r.Errors[0].Message)
		})
	}
}

// inlineThreats returns n inline threat references of assessIncident.
func inlineThreats(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"new": map[string]any{"name": fmt.Sprintf("t%d", i), "kind": "k"}}
	}
	return out
}

// TestDocumentLimitsCoverWebsockets: a subscribe message goes through the
// same check before parsing as a POST.
func TestDocumentLimitsCoverWebsockets(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, proto := range []string{wsclient.TransportWS, wsclient.LegacyWS} {
		c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", proto, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Subscribe("1", "subscription { "+aliased("ticks(every: 60000) { n }", 16)+" }", nil); err != nil {
			t.Fatal(err)
		}
		m, err := c.Next(ctx)
		for err == nil && m.Type == "ka" { // the legacy protocol's keep-alive
			m, err = c.Next(ctx)
		}
		if err != nil || !strings.Contains(string(m.Payload), resolvers.CodeTooManyAliases) {
			t.Errorf("%s: %+v %v; want %s", proto, m, err, resolvers.CodeTooManyAliases)
		}
	}
}

// TestLimitsAllowWhatTheServerNeeds runs legitimate queries at the
// defaults: GraphiQL's introspection, fifteen aliased __schema (the alias
// limit), a full page of a wide read, the nested read of
// BenchmarkNestedRead at its full page, and a commented query.
func TestLimitsAllowWhatTheServerNeeds(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	for _, q := range []string{
		graphiQLIntrospection,
		"{ " + aliased("__schema { queryType { name } }", 15) + " }",
		`{ targets(first: 500) { nodes { id name sector description assets { id name } incidents { id name } analyses { id title } } } }`,
		"# a comment\n{ serverInfo { version } }",
	} {
		e.must(t, "", q, nil, nil)
	}
	e.must(t, "", nestedReadDoc, map[string]any{"text": "nothing-matches-this", "first": 500}, nil)
}

// TestLongTextFilterIsRefused: a filter of more words than Lucene takes
// clauses is the client's mistake, said before Neo4j is asked.
func TestLongTextFilterIsRefused(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	long := repeat("w", 101)
	for _, q := range []string{`query($w: String!) { targets(text: $w) { nodes { id } } }`, `query($w: String!) { search(text: $w) { __typename } }`} {
		r := e.do(t, "", q, map[string]any{"w": long})
		if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "text" {
			t.Errorf("%s: %+v; want BAD_USER_INPUT on field text", q, r.Errors)
		}
	}
}

func TestIntrospectionCanBeOffForAnonymousCallers(t *testing.T) {
	e := newEnv(t, resolvers.Options{NoAnonymousIntrospection: true})
	org := e.org(t, "o", "energy")
	tok := e.token(t, org, model.RoleViewer)
	if r := e.do(t, "", `{ __schema { queryType { name } } }`, nil); r.code() != resolvers.CodeIntrospectionDisabled {
		t.Errorf("anonymous: %+v, want %s", r.Errors, resolvers.CodeIntrospectionDisabled)
	}
	e.must(t, "", `{ serverInfo { version } __typename }`, nil, nil)
	e.must(t, tok, `{ __schema { queryType { name } } }`, nil, nil)
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	e := newEnv(t, resolvers.Options{Limits: resolvers.RateLimits{PerIP: 1, PerIPBurst: 3}})
	body := strings.NewReader(`{"query":"{ __typename }"}`)
	var last *http.Response
	for range 4 {
		body.Seek(0, 0)
		resp, err := http.Post(e.srv.URL+"/graphql", "application/json", body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") != "1" {
		t.Fatalf("4th request: HTTP %d, Retry-After %q; want 429 and 1", last.StatusCode, last.Header.Get("Retry-After"))
	}
	_, r := post(t, e.srv, `{ __typename }`, nil)
	if r.code() != resolvers.CodeRateLimited {
		t.Errorf("code %q, want %s", r.code(), resolvers.CodeRateLimited)
	}
}

// TestBatchCountsEachOperation: a batch of n operations takes n requests
// of the client's bucket, so batching does not multiply the rate.
func TestBatchCountsEachOperation(t *testing.T) {
	e := newEnv(t, resolvers.Options{Limits: resolvers.RateLimits{PerIP: 0.001, PerIPBurst: 7}})
	batch := func(n int) int {
		resp, err := http.Post(e.srv.URL+"/graphql", "application/json", strings.NewReader("["+strings.Repeat(`{"query":"{ __typename }"},`, n-1)+`{"query":"{ __typename }"}]`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := batch(4); got != http.StatusOK {
		t.Fatalf("a batch of 4 of a burst of 7: HTTP %d", got)
	}
	if got := batch(4); got != http.StatusTooManyRequests {
		t.Errorf("a batch of 4 with 3 requests left: HTTP %d, want 429", got)
	}
	// The refused batch took one request, as every refused request does.
	if got := batch(2); got != http.StatusOK {
		t.Errorf("a batch of 2 with 2 requests left: HTTP %d", got)
	}
	if _, r := post(t, e.srv, `{ __typename }`, nil); r.code() != resolvers.CodeRateLimited {
		t.Errorf("a request after the burst was spent: %v, want %s", r.Errors, resolvers.CodeRateLimited)
	}
}

// TestWrongTokenGuessesAreRateLimited: each guess is a new token, so the
// per-address bucket is what stops them.
func TestWrongTokenGuessesAreRateLimited(t *testing.T) {
	e := newEnv(t, resolvers.Options{Limits: resolvers.RateLimits{PerIP: 1, PerIPBurst: 5, PerToken: 100, PerTokenBurst: 100}})
	codes := map[string]int{}
	for i := range 20 {
		_, r := postAs(t, e.srv, fmt.Sprintf("guess-%d", i), `{ __typename }`, nil)
		codes[r.code()]++
	}
	if codes["UNAUTHENTICATED"] != 5 || codes[resolvers.CodeRateLimited] != 15 {
		t.Errorf("codes %v, want 5 UNAUTHENTICATED (Neo4j reads) and 15 RATE_LIMITED", codes)
	}
}

func TestSlowBodyIsCut(t *testing.T) {
	e := newEnv(t, resolvers.Options{BodyReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	n, _ := conn.Read(buf)
	if !strings.Contains(string(buf[:n]), "408") || !strings.Contains(string(buf[:n]), "REQUEST_TIMEOUT") {
		t.Fatalf("got %q, want HTTP 408 with REQUEST_TIMEOUT", buf[:n])
	}
}

func TestWebsocketCaps(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	const tick = `subscription { ticks(every: 60000) { n } }`

	t.Run("SubscriptionsPerConnection", func(t *testing.T) {
		e := newEnv(t, resolvers.Options{Limits: resolvers.RateLimits{SubscriptionsPerConnection: 2}})
		c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", wsclient.TransportWS, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, id := range []string{"1", "2", "3"} {
			if err := c.Subscribe(id, tick, nil); err != nil {
				t.Fatal(err)
			}
		}
		// The three start concurrently: any one of them is the third.
		id, payload, err := c.NextData(ctx)
		if err != nil || !strings.Contains(string(payload), resolvers.CodeTooManySubscriptions) {
			t.Fatalf("got %s %s %v; want one subscription refused with %s", id, payload, err, resolvers.CodeTooManySubscriptions)
		}
		running := map[string]bool{"1": true, "2": true, "3": true}
		delete(running, id)
		// Stopping one frees its place.
		for id := range running {
			c.Stop(id)
			break
		}
		waitFor(t, func() bool {
			c.Subscribe("4", tick, nil)
			sub, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			_, p, err := c.NextData(sub)
			return err != nil || !strings.Contains(string(p), resolvers.CodeTooManySubscriptions)
		})
	})

	t.Run("PerAddressAndServer", func(t *testing.T) {
		for _, l := range []resolvers.RateLimits{{WebsocketsPerIP: 3}, {Websockets: 3}} {
			e := newEnv(t, resolvers.Options{Limits: l})
			var open []*wsclient.Client
			for range 3 {
				c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", wsclient.TransportWS, nil)
				if err != nil {
					t.Fatal(err)
				}
				open = append(open, c)
			}
			_, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", wsclient.TransportWS, nil)
			if err == nil || !(strings.Contains(err.Error(), "HTTP 429") || strings.Contains(err.Error(), "HTTP 503")) {
				t.Errorf("%+v: 4th websocket: %v, want HTTP 429 or 503", l, err)
			}
			open[0].Close()
			waitFor(t, func() bool {
				c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", wsclient.TransportWS, nil)
				if err == nil {
					open = append(open, c)
				}
				return err == nil
			})
			for _, c := range open {
				c.Close()
			}
		}
	})

	t.Run("PerToken", func(t *testing.T) {
		e := newEnv(t, resolvers.Options{Limits: resolvers.RateLimits{WebsocketsPerToken: 2}})
		tok := e.token(t, e.org(t, "o", "energy"), model.RoleViewer)
		auth := map[string]any{"Authorization": "Bearer " + tok}
		for range 2 {
			c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", wsclient.TransportWS, auth)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
		}
		_, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", wsclient.TransportWS, auth)
		if err == nil || !strings.Contains(err.Error(), resolvers.CodeTooManyConnections) {
			t.Errorf("3rd websocket of the token: %v, want %s", err, resolvers.CodeTooManyConnections)
		}
		c, err := wsclient.Dial(ctx, e.srv.URL+"/graphql", wsclient.TransportWS, nil) // anonymous: not this token's
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	})
}

// waitFor polls cond for up to 5 s (tstest.WaitFor with a boolean).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	tstest.WaitFor(t, 5*time.Second, func() error {
		if !cond() {
			return errors.New("not yet")
		}
		return nil
	})
}

// graphiQLIntrospection is the introspection query GraphiQL sends.
const graphiQLIntrospection = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
