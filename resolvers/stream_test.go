package resolvers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/metrics"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// Accept headers of the two HTTP stream formats, as graphql-sse and
// Apollo Client send them.
const (
	acceptSSE       = "text/event-stream"
	acceptMultipart = `multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json`
)

// streamReader reads the events of a streamed answer: graphql-sse's
// "next" and "complete" events, or Apollo's multipart parts (heartbeats
// skipped, the closing delimiter as "complete").
type streamReader struct {
	resp      *http.Response
	br        *bufio.Reader
	multipart bool
	buf       []byte
}

// streamEvent is one event of a stream.
type streamEvent struct {
	kind string // "next" or "complete"
	data []byte // the result (SSE) or the part (multipart)
}

// openStream sends an operation with the given Accept and returns the
// stream; it is closed when the test ends. GET sends it in the URL.
func (e *testEnv) openStream(ctx context.Context, t *testing.T, method, accept, token, query string, vars map[string]any) *streamReader {
	t.Helper()
	var req *http.Request
	var err error
	if method == http.MethodGet {
		v := url.Values{"query": {query}}
		if vars != nil {
			b, _ := json.Marshal(vars)
			v.Set("variables", string(b))
		}
		req, err = http.NewRequestWithContext(ctx, method, e.srv.URL+"/graphql?"+v.Encode(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, e.srv.URL+"/graphql", strings.NewReader(jsonBody(query, vars)))
		req.Header.Set("Content-Type", "application/json")
	}
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("stream: HTTP %d %s", resp.StatusCode, raw)
	}
	ct := resp.Header.Get("Content-Type")
	s := &streamReader{resp: resp, br: bufio.NewReader(resp.Body), multipart: strings.HasPrefix(ct, "multipart/mixed")}
	if want := strings.SplitN(accept, ";", 2)[0]; !strings.HasPrefix(ct, want) {
		t.Fatalf("Content-Type %q, want %s", ct, want)
	}
	return s
}

// next returns the next event; io.EOF when the stream ended.
func (s *streamReader) next() (streamEvent, error) {
	if s.multipart {
		return s.nextPart()
	}
	var ev streamEvent
	for {
		line, err := s.br.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if ev.kind != "" {
				return ev, nil
			}
		case strings.HasPrefix(line, ":"): // a keep-alive comment
		case strings.HasPrefix(line, "event:"):
			ev.kind = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			ev.data = append(ev.data, strings.TrimSpace(strings.TrimPrefix(line, "data:"))...)
		default:
			return ev, fmt.Errorf("unexpected SSE line %q", line)
		}
	}
}

// nextPart splits the body on the multipart delimiter as Apollo Client
// does, and skips heartbeats.
func (s *streamReader) nextPart() (streamEvent, error) {
	const delim = "\r\n--graphql"
	for {
		if i := bytes.Index(s.buf, []byte(delim)); i >= 0 {
			part := s.buf[:i]
			rest := s.buf[i+len(delim):]
			if len(rest) < 2 {
				goto read // is it the end ("--")? wait for two more bytes
			}
			s.buf = rest
			if bytes.HasPrefix(rest, []byte("--")) && len(bytes.TrimSpace(part)) == 0 {
				return streamEvent{kind: "complete"}, nil
			}
			if len(bytes.TrimSpace(part)) == 0 {
				continue // the preamble
			}
			head, body, ok := bytes.Cut(part, []byte("\r\n\r\n"))
			if !ok || !bytes.Contains(bytes.ToLower(head), []byte("content-type: application/json")) {
				return streamEvent{}, fmt.Errorf("malformed part %q", part)
			}
			if string(bytes.TrimSpace(body)) == "{}" {
				if bytes.HasPrefix(rest, []byte("--")) {
					return streamEvent{kind: "complete"}, nil
				}
				continue // a heartbeat
			}
			if bytes.HasPrefix(rest, []byte("--")) {
				s.buf = append([]byte(delim), rest...) // the complete comes next
			}
			return streamEvent{kind: "next", data: body}, nil
		}
	read:
		chunk := make([]byte, 4096)
		n, err := s.br.Read(chunk)
		s.buf = append(s.buf, chunk[:n]...)
		if err != nil && n == 0 {
			return streamEvent{}, err
		}
	}
}

// result decodes a "next" event into a GraphQL response, unwrapping a
// multipart part's payload (and its transport errors).
func (s *streamReader) result(t *testing.T, ev streamEvent) gqlResponse {
	t.Helper()
	if ev.kind != "next" {
		t.Fatalf("event %q, want next", ev.kind)
	}
	var r gqlResponse
	if s.multipart {
		var part struct{ Payload json.RawMessage }
		if err := json.Unmarshal(ev.data, &part); err != nil {
			t.Fatalf("part %s: %v", ev.data, err)
		}
		if string(part.Payload) != "null" {
			if err := json.Unmarshal(part.Payload, &r); err != nil {
				t.Fatalf("part %s: %v", ev.data, err)
			}
			return r
		}
		// {"payload": null, "errors": […]}: an error that ends the stream.
	}
	if err := json.Unmarshal(ev.data, &r); err != nil {
		t.Fatalf("event %s: %v", ev.data, err)
	}
	return r
}

// nextComparisonOver reads the stream's next comparison.
func (s *streamReader) nextComparison(t *testing.T) comparisonEvent {
	t.Helper()
	ev, err := s.next()
	if err != nil {
		t.Fatalf("waiting for a comparison: %v", err)
	}
	r := s.result(t, ev)
	var d struct{ ComparisonUpdated comparisonEvent }
	r.decode(t, &d)
	return d.ComparisonUpdated
}

// TestSubscriptionsOverSSEAndMultipart subscribes to comparisonUpdated
// over graphql-sse (POST and GET, as EventSource does) and over Apollo's
// multipart protocol, and checks that each stream gets the live update of
// an analysis submitted through the API, with a growing revision.
func TestSubscriptionsOverSSEAndMultipart(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	sub := `subscription($t: ID!) { comparisonUpdated(targetId: $t) { ` + comparisonFields + ` } }`
	streams := map[string]*streamReader{
		"SSE over POST":       e.openStream(ctx, t, http.MethodPost, acceptSSE, e.vw, sub, map[string]any{"t": e.target}),
		"SSE over GET":        e.openStream(ctx, t, http.MethodGet, acceptSSE, e.vw, sub, map[string]any{"t": e.target}),
		"multipart over POST": e.openStream(ctx, t, http.MethodPost, acceptMultipart, e.vw, sub, map[string]any{"t": e.target}),
	}
	first := map[string]int{}
	for name, s := range streams {
		ev := s.nextComparison(t)
		if len(ev.Analyses) != 0 {
			t.Fatalf("%s: first event compares %d analyses", name, len(ev.Analyses))
		}
		first[name] = ev.Revision
	}
	e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{2, 2, 4, 1})
	for name, s := range streams {
		last := first[name]
		var ev comparisonEvent
		for len(ev.Analyses) < 1 {
			ev = s.nextComparison(t)
			if ev.Revision <= last {
				t.Fatalf("%s: revision %d after %d", name, ev.Revision, last)
			}
			last = ev.Revision
		}
		if ev.Analyses[0].Analysis.ID != e.prefix+"analysis-a" || ev.Analyses[0].Incidents != 4 {
			t.Errorf("%s: %+v", name, ev.Analyses)
		}
	}
}

// TestStreamsOfOneResult checks the streams of operations that are not
// subscriptions and of request errors: graphql-sse's distinct-connections
// mode sends one next event and complete (errors included, with 200), and
// the multipart stream sends the error as {"payload": null, "errors"}.
func TestStreamsOfOneResult(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{Version: "v-sse"})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for _, tt := range []struct {
		name, accept, query, code, contains string
	}{
		{"query over SSE", acceptSSE, `{ serverInfo { version } }`, "", "v-sse"},
		{"validation error over SSE", acceptSSE, `{ nope }`, "GRAPHQL_VALIDATION_FAILED", "nope"},
		{"validation error of a subscription over SSE", acceptSSE, `subscription { comparisonUpdated { revision } }`, "GRAPHQL_VALIDATION_FAILED", "targetId"},
		{"validation error over multipart only", "multipart/mixed;subscriptionSpec=1.0", `subscription { nope }`, "GRAPHQL_VALIDATION_FAILED", "nope"},
		{"subscription to a missing target over SSE", acceptSSE, `subscription { comparisonUpdated(targetId: "no-such-target") { revision } }`, "NOT_FOUND", "no-such-target"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := e.openStream(ctx, t, http.MethodPost, tt.accept, "", tt.query, nil)
			ev, err := s.next()
			if err != nil {
				t.Fatal(err)
			}
			r := s.result(t, ev)
			if tt.code == "" && (len(r.Errors) > 0 || !bytes.Contains(r.Data, []byte(tt.contains))) {
				t.Errorf("result %s %v", r.Data, r.Errors)
			}
			if tt.code != "" && (r.code() != tt.code || !strings.Contains(r.Errors[0].Message, tt.contains)) {
				t.Errorf("errors %+v, want %s about %q", r.Errors, tt.code, tt.contains)
			}
			if end, err := s.next(); err != nil || end.kind != "complete" {
				t.Errorf("after the result: %q %v, want complete", end.kind, err)
			}
		})
	}
}

// TestStreamsFollowTokensAndLimits checks that an HTTP stream is a
// connection like a websocket: it counts against the per-token cap,
// shows in the open-streams gauge, and ends with UNAUTHENTICATED when its
// token is revoked.
func TestStreamsFollowTokensAndLimits(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	e := newEnv(t, resolvers.Options{Metrics: m, Limits: resolvers.RateLimits{WebsocketsPerToken: 1}})
	org := e.org(t, "org", "home")
	admin := e.token(t, org, model.RoleOrgAdmin)
	analyst := e.token(t, org, model.RoleAnalyst)
	target := e.p + "t"
	e.must(t, analyst, `mutation($id: ID!) { createTarget(input: {id: $id, name: "T", sector: "home"}) { id } }`, map[string]any{"id": target}, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	sub := `subscription($t: ID!) { comparisonUpdated(targetId: $t) { revision } }`

	s := e.openStream(ctx, t, http.MethodPost, acceptSSE, analyst, sub, map[string]any{"t": target})
	s.nextComparison(t)
	gauge := func() string {
		a := e.send(t, http.MethodGet, "/metrics", nil, "")
		for line := range strings.SplitSeq(string(a.body), "\n") {
			if strings.HasPrefix(line, "ssfgraph_http_streams_open ") {
				return strings.TrimPrefix(line, "ssfgraph_http_streams_open ")
			}
		}
		return "missing"
	}
	if g := gauge(); g != "1" {
		t.Errorf("open streams gauge = %s, want 1", g)
	}

	second := e.openStream(ctx, t, http.MethodPost, acceptMultipart, analyst, sub, map[string]any{"t": target})
	ev, err := second.next()
	if err != nil {
		t.Fatal(err)
	}
	if r := second.result(t, ev); r.code() != resolvers.CodeTooManyConnections {
		t.Errorf("a second stream of the token: %+v, want %s", r.Errors, resolvers.CodeTooManyConnections)
	}

	e.must(t, admin, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": tokenID(analyst)}, nil)
	ev, err = s.next()
	if err != nil {
		t.Fatal(err)
	}
	if r := s.result(t, ev); r.code() != "UNAUTHENTICATED" || !strings.Contains(r.Errors[0].Message, "revoked") {
		t.Errorf("after the revocation: %+v", r.Errors)
	}
	if end, err := s.next(); err != nil || end.kind != "complete" {
		t.Errorf("after the revocation error: %q %v, want complete", end.kind, err)
	}
	tstest.WaitFor(t, 5*time.Second, func() error {
		if g := gauge(); g != "0" {
			return fmt.Errorf("open streams gauge = %s, want 0", g)
		}
		return nil
	})
}

// TestDeferredComparison defers the heavy parts of a comparison: Apollo
// Client's Accept gets the incremental delivery parts (first the revision,
// then the agreement at its path), and a client that takes only JSON gets
// one result with everything, in the order it asked.
func TestDeferredComparison(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{2, 2, 4, 1})
	e.analyse(t, e.analystB, e.prefix+"analysis-b", []int{1, 3, 3, 2}, []int{2, 1, 4, 1})
	q := `query($t: ID!) { compareAnalyses(targetId: $t) { revision ... @defer(label: "stats") { agreement { axis1 { value } } pairs { a b } } analyses { analysis { id } } } }`
	vars := map[string]any{"t": e.target}

	var plain struct {
		CompareAnalyses struct {
			Revision  int
			Agreement struct{ Axis1 struct{ Value *float64 } }
			Pairs     []struct{ A, B string }
			Analyses  []any
		}
	}
	a := e.send(t, http.MethodPost, "/graphql", map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + e.vw}, jsonBody(q, vars))
	var r gqlResponse
	if err := json.Unmarshal(a.body, &r); err != nil || a.status != 200 {
		t.Fatalf("JSON: HTTP %d %s", a.status, a.body)
	}
	r.decode(t, &plain)
	if c := plain.CompareAnalyses; c.Agreement.Axis1.Value == nil || len(c.Pairs) != 1 || len(c.Analyses) != 2 {
		t.Errorf("the merged result lacks the deferred part: %s", a.body)
	}
	if i, j := bytes.Index(a.body, []byte(`"revision"`)), bytes.Index(a.body, []byte(`"analyses"`)); i < 0 || j < i {
		t.Errorf("keys out of order: %s", a.body)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	s := e.openStream(ctx, t, http.MethodPost, `multipart/mixed;deferSpec=20220824,application/json`, e.vw, q, vars)
	if ct := s.resp.Header.Get("Content-Type"); !strings.Contains(ct, "deferSpec=20220824") {
		t.Errorf("Content-Type %q", ct)
	}
	var parts []map[string]json.RawMessage
	for {
		ev, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.kind == "complete" {
			break
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(ev.data, &m); err != nil {
			t.Fatalf("part %s", ev.data)
		}
		parts = append(parts, m)
	}
	// gqlgen's first part holds the deferred fields as null.
	if len(parts) != 2 || string(parts[0]["hasNext"]) != "true" || !bytes.Contains(parts[0]["data"], []byte(`"agreement":null`)) ||
		!bytes.Contains(parts[1]["incremental"], []byte(`"agreement":{"axis1":{"value":`)) ||
		!bytes.Contains(parts[1]["incremental"], []byte(`"label":"stats"`)) || !bytes.Contains(parts[1]["incremental"], []byte(`"path":["compareAnalyses"]`)) ||
		string(parts[1]["hasNext"]) != "false" {
		for _, p := range parts {
			for k, v := range p {
				t.Logf("%s: %s", k, v)
			}
		}
		t.Errorf("%d parts, want the first and one incremental", len(parts))
	}
}
