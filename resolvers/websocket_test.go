package resolvers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/metrics"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// rawSocket is a websocket to the server spoken to message by message, for
// the tests of the protocol's rules.
type rawSocket struct {
	t *testing.T
	c *websocket.Conn
}

// dialRaw opens a websocket to srv offering protocols (none for nil),
// without connection_init.
func dialRaw(t *testing.T, url string, protocols ...string) *rawSocket {
	t.Helper()
	d := websocket.Dialer{Subprotocols: protocols, HandshakeTimeout: 10 * time.Second}
	c, _, err := d.DialContext(t.Context(), "ws"+strings.TrimPrefix(url, "http")+"/graphql", http.Header{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawSocket{t: t, c: c}
}

// init sends connection_init with payload (nil: none) and waits for
// connection_ack.
func (s *rawSocket) init(payload any) {
	s.t.Helper()
	m := map[string]any{"type": "connection_init"}
	if payload != nil {
		m["payload"] = payload
	}
	s.send(m)
	if m := s.next(); m.Type != "connection_ack" {
		s.t.Fatalf("connection_init: got %+v, want connection_ack", m)
	}
}

// send sends v as JSON, or as it is when it is a string.
func (s *rawSocket) send(v any) {
	s.t.Helper()
	var err error
	if raw, ok := v.(string); ok {
		err = s.c.WriteMessage(websocket.TextMessage, []byte(raw))
	} else {
		err = s.c.WriteJSON(v)
	}
	if err != nil {
		s.t.Fatal(err)
	}
}

// read returns the next message (answering and skipping pings), or the
// error that ended the connection, within 10 s.
func (s *rawSocket) read() (*wsclient.Message, error) {
	ctx, cancel := context.WithTimeout(s.t.Context(), 10*time.Second)
	defer cancel()
	return (&wsclient.Client{Conn: s.c, Protocol: s.c.Subprotocol()}).Next(ctx)
}

// next returns the next message; the connection must not end.
func (s *rawSocket) next() *wsclient.Message {
	s.t.Helper()
	m, err := s.read()
	if err != nil {
		s.t.Fatalf("waiting for a message: %v", err)
	}
	return m
}

// closedWith reads until the server closes the connection, and checks the
// close code and that the reason contains reason. It returns the messages
// read on the way.
func (s *rawSocket) closedWith(code int, reason string) []*wsclient.Message {
	s.t.Helper()
	var got []*wsclient.Message
	for {
		m, err := s.read()
		if err == nil {
			got = append(got, m)
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || !strings.Contains(ce.Text, reason) {
			s.t.Fatalf("the socket ended with %v; want close %d with a reason containing %q", err, code, reason)
		}
		return got
	}
}

// subscribe sends a graphql-transport-ws subscribe message.
func (s *rawSocket) subscribe(id, query string, vars map[string]any) {
	s.t.Helper()
	s.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
}

const slowTicks = `subscription { ticks(every: 60000) { n } }`

// TestTransportWSCloseCodes provokes each close code of graphql-transport-ws
// (and 1009 for a message over the size limit) and checks the code and the
// reason.
func TestTransportWSCloseCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{MaxBodyBytes: 4096})
	t.Run("InitTimeout", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, resolvers.Options{WebsocketInitTimeout: 300 * time.Millisecond})
		dialRaw(t, e.srv.URL, wsclient.TransportWS).closedWith(4408, "Connection initialisation timeout")
	})
	for _, tt := range []struct {
		name   string
		ack    bool  // connection_init (acknowledged) first
		send   []any // then these
		code   int
		reason string
	}{
		{"NotJSON", false, []any{`{"type": "connection_init"`}, 4400, "invalid message: not JSON"},
		{"NotAnObject", false, []any{`["connection_init"]`}, 4400, "not a JSON object"},
		{"NoType", true, []any{`{"id": "1"}`}, 4400, "type must be a non-empty string"},
		{"IDNotAString", true, []any{`{"id": 1, "type": "complete"}`}, 4400, "id must be a string"},
		{"UnknownType", true, []any{`{"type": "hello"}`}, 4400, `unknown message type "hello"`},
		{"ServerMessageFromClient", true, []any{`{"id": "1", "type": "next", "payload": {}}`}, 4400, `unexpected message type "next"`},
		{"LegacyMessage", true, []any{`{"id": "1", "type": "start", "payload": {"query": "{ __typename }"}}`}, 4400, `unexpected message type "start"`},
		{"SubscribeWithoutID", true, []any{`{"type": "subscribe", "payload": {"query": "{ __typename }"}}`}, 4400, "invalid subscribe message: no id"},
		{"SubscribeWithoutPayload", true, []any{`{"id": "1", "type": "subscribe"}`}, 4400, "invalid subscribe message: no payload"},
		{"SubscribeWithoutQuery", true, []any{`{"id": "1", "type": "subscribe", "payload": {"variables": {}}}`}, 4400, "invalid subscribe message: no query"},
		{"QueryNotAString", true, []any{`{"id": "1", "type": "subscribe", "payload": {"query": 7}}`}, 4400, "query must be a string"},
		{"CompleteWithoutID", true, []any{`{"type": "complete"}`}, 4400, "complete message without an id"},
		{"InitPayloadNotAnObject", false, []any{`{"type": "connection_init", "payload": "Bearer x"}`}, 4400, "payload must be an object"},
		{"TooLarge", true, []any{`{"type": "ping", "payload": {"pad": "` + strings.Repeat("x", 5000) + `"}}`}, websocket.CloseMessageTooBig, "larger than the limit of 4096 bytes"},
		{"SubscribeBeforeAck", false, []any{`{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}}`}, 4401, "Unauthorized"},
		{"BadToken", false, []any{`{"type": "connection_init", "payload": {"Authorization": "Bearer ssf_nosuchtoken"}}`}, 4401, "bearer token"},
		{"TokenUnderAnotherKey", false, []any{`{"type": "connection_init", "payload": {"token": "ssf_x"}}`}, 4403, `use {"Authorization":"Bearer …"}`},
		{"SubscriberExists", true, []any{
			map[string]any{"id": "a", "type": "subscribe", "payload": map[string]any{"query": slowTicks}},
			map[string]any{"id": "a", "type": "subscribe", "payload": map[string]any{"query": slowTicks}},
		}, 4409, "Subscriber for a already exists"},
		{"SecondInit", true, []any{`{"type": "connection_init"}`}, 4429, "Too many initialisation requests"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := dialRaw(t, e.srv.URL, wsclient.TransportWS)
			if tt.ack {
				s.init(nil)
			}
			for _, m := range tt.send {
				s.send(m)
			}
			for _, m := range s.closedWith(tt.code, tt.reason) {
				if m.Type == "next" || m.Type == "error" || m.Type == "complete" {
					t.Errorf("got %s %s before the close", m.Type, m.Payload)
				}
			}
		})
	}
}

// TestWebsocketWithoutASupportedSubprotocol: the upgrade succeeds and the
// server closes with 4406, as graphql-ws's reference server does.
func TestWebsocketWithoutASupportedSubprotocol(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{})
	for _, offered := range [][]string{nil, {"graphql-sse"}} {
		s := dialRaw(t, e.srv.URL, offered...)
		if got := s.c.Subprotocol(); got != "" {
			t.Fatalf("offered %q: the server chose %q", offered, got)
		}
		s.closedWith(4406, "Subprotocol not acceptable")
	}
}

// TestTransportWSOperationErrorHasNoComplete: an operation that fails
// validation gets one error message and no complete, after which its id
// is free again.
func TestTransportWSOperationErrorHasNoComplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{})
	s := dialRaw(t, e.srv.URL, wsclient.TransportWS)
	s.init(nil)
	s.subscribe("1", `subscription { noSuchField }`, nil)
	m := s.next()
	var errs []struct {
		Message    string
		Extensions map[string]any
	}
	if m.Type != "error" || m.ID != "1" || json.Unmarshal(m.Payload, &errs) != nil || len(errs) == 0 ||
		errs[0].Extensions["code"] != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("got %+v (%s); want an error message for 1 with a list of GRAPHQL_VALIDATION_FAILED errors", m, m.Payload)
	}
	// The same id again, now valid: a 4409 would say the failed one still
	// counted. Its next and complete must be the only messages.
	s.subscribe("1", `{ __typename }`, nil)
	for _, want := range []string{"next", "complete"} {
		if m := s.next(); m.Type != want || m.ID != "1" {
			t.Fatalf("got %+v (%s), want %s for 1", m, m.Payload, want)
		}
	}
}

// TestTransportWSDoesNotEchoComplete: the server stops an operation the
// client completes without answering complete, and frees its id.
func TestTransportWSDoesNotEchoComplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{})
	s := dialRaw(t, e.srv.URL, wsclient.TransportWS)
	s.init(nil)
	s.subscribe("t", `subscription { ticks(every: 20) { n } }`, nil)
	if m := s.next(); m.Type != "next" || m.ID != "t" {
		t.Fatalf("got %+v, want a tick", m)
	}
	s.send(map[string]any{"id": "t", "type": "complete"})
	// Messages are handled in order: once the query's complete is here, a
	// complete of t would have come before it.
	s.subscribe("q", `{ __typename }`, nil)
	for {
		m := s.next()
		if m.ID == "t" && m.Type != "next" { // ticks already under way may still arrive
			t.Fatalf("got %s for t after the client completed it", m.Type)
		}
		if m.ID == "q" && m.Type == "complete" {
			break
		}
	}
	// The id is free again.
	s.subscribe("t", `{ __typename }`, nil)
	for _, want := range []string{"next", "complete"} {
		if m := s.next(); m.Type != want || m.ID != "t" {
			t.Fatalf("got %+v (%s), want %s for t", m, m.Payload, want)
		}
	}
}

// TestInitPayloadShapes: both accepted shapes of connection_init carry the
// token, the key in any case; a query over the socket then sees the
// token's organization's PRIVATE analysis, and a mutation over the socket
// writes as it. Without a token the analysis is hidden.
func TestInitPayloadShapes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{})
	org := e.org(t, "org", "home")
	analyst, viewer := e.token(t, org, model.RoleAnalyst), e.token(t, org, model.RoleViewer)
	target, analysis := e.p+"target", e.p+"analysis"
	e.must(t, analyst, `mutation($id: ID!) { createTarget(input: {id: $id, name: "Shutter", sector: "home"}) { id } }`, map[string]any{"id": target}, nil)
	const readAnalysis = `query($id: ID!) { analysis(id: $id) { id } }`

	// query runs q over a socket initialised with payload and returns its
	// one result; the operation must complete after it.
	query := func(t *testing.T, payload any, q string, vars map[string]any) gqlResponse {
		t.Helper()
		s := dialRaw(t, e.srv.URL, wsclient.TransportWS)
		s.init(payload)
		s.subscribe("1", q, vars)
		m := s.next()
		var r gqlResponse
		if m.Type != "next" || json.Unmarshal(m.Payload, &r) != nil {
			t.Fatalf("got %+v (%s), want next", m, m.Payload)
		}
		if m := s.next(); m.Type != "complete" || m.ID != "1" {
			t.Fatalf("got %+v after the result, want complete", m)
		}
		return r
	}

	// A mutation over the socket, the token under headers.
	r := query(t, map[string]any{"headers": map[string]any{"Authorization": "Bearer " + analyst}},
		`mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Mine", visibility: PRIVATE}) { id } }`,
		map[string]any{"id": analysis, "t": target})
	if len(r.Errors) > 0 {
		t.Fatalf("createAnalysis over the socket: %+v", r.Errors)
	}

	bearer := "Bearer " + viewer
	for _, tt := range []struct {
		name    string
		payload any
	}{
		{"Authorization", map[string]any{"Authorization": bearer}},
		{"LowerCase", map[string]any{"authorization": bearer}},
		{"Headers", map[string]any{"headers": map[string]any{"Authorization": bearer}}},
		{"HeadersLowerCase", map[string]any{"headers": map[string]any{"authorization": bearer, "X-Client": "urql"}}},
		{"BothAlike", map[string]any{"Authorization": bearer, "headers": map[string]any{"authorization": bearer}}},
		{"EmptyBesideHeaders", map[string]any{"Authorization": "", "headers": map[string]any{"Authorization": bearer}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ Analysis *struct{ ID string } }
			query(t, tt.payload, readAnalysis, map[string]any{"id": analysis}).decode(t, &got)
			if got.Analysis == nil || got.Analysis.ID != analysis {
				t.Errorf("analysis = %+v, want %s (its organization's token)", got.Analysis, analysis)
			}
		})
	}
	t.Run("Anonymous", func(t *testing.T) {
		for _, payload := range []any{nil, map[string]any{"clientName": "web"}, map[string]any{"headers": map[string]any{"authorization": ""}}} {
			r := query(t, payload, readAnalysis, map[string]any{"id": analysis})
			if strings.Contains(string(r.Data), analysis) {
				t.Errorf("payload %v: anonymous socket sees the PRIVATE analysis: %s", payload, r.Data)
			}
		}
	})
}

// TestInitPayloadTokenLikeShapesAreRefused: a token anywhere but the two
// accepted places is refused with a reason that names them, never taken
// as anonymous.
func TestInitPayloadTokenLikeShapesAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{})
	token := e.token(t, e.org(t, "org", "home"), model.RoleViewer)
	const shapes = `use {"Authorization":"Bearer …"} or {"headers":{"Authorization":"Bearer …"}}`
	for _, tt := range []struct {
		name    string
		payload map[string]any
		code    int
		reason  string
	}{
		{"Token", map[string]any{"token": token}, 4403, shapes},
		{"AuthToken", map[string]any{"authToken": "Bearer " + token}, 4403, shapes},
		{"AccessToken", map[string]any{"accessToken": token}, 4403, shapes},
		{"HeadersToken", map[string]any{"headers": map[string]any{"X-Auth-Token": token}}, 4403, shapes},
		{"NotAString", map[string]any{"Authorization": map[string]any{"Bearer": token}}, 4403, shapes},
		{"HeadersNotAnObject", map[string]any{"headers": "Authorization: Bearer " + token}, 4403, shapes},
		{"TwoValues", map[string]any{"Authorization": "Bearer " + token, "headers": map[string]any{"Authorization": "Bearer other"}}, 4403, shapes},
		{"NoBearer", map[string]any{"Authorization": token}, 4401, "'Bearer <token>'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, proto := range []string{wsclient.TransportWS, wsclient.LegacyWS} {
				s := dialRaw(t, e.srv.URL, proto)
				s.send(map[string]any{"type": "connection_init", "payload": tt.payload})
				for _, m := range s.closedWith(tt.code, tt.reason) {
					if m.Type == "connection_ack" {
						t.Errorf("%s: acknowledged before the close", proto)
					}
				}
			}
		})
	}
}

// TestLegacyWSDuplicateIDReplaces: on the legacy subprotocol a start with
// the id of a running operation replaces it, as subscriptions-transport-ws
// does; stop is answered with complete.
func TestLegacyWSDuplicateIDReplaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{})
	s := dialRaw(t, e.srv.URL, wsclient.LegacyWS)
	s.init(nil)
	start := func(q string) {
		s.send(map[string]any{"id": "a", "type": "start", "payload": map[string]any{"query": q}})
	}
	start(slowTicks)
	start(`subscription { ticks(every: 20, count: 1) { n } }`)
	for _, want := range []string{"data", "complete"} {
		m := s.next()
		for m.Type == "ka" {
			m = s.next()
		}
		if m.Type != want || m.ID != "a" {
			t.Fatalf("got %+v (%s), want %s for a", m, m.Payload, want)
		}
	}
	start(slowTicks)
	s.send(map[string]any{"id": "a", "type": "stop"})
	m := s.next()
	for m.Type == "ka" {
		m = s.next()
	}
	if m.Type != "complete" || m.ID != "a" {
		t.Fatalf("after stop: %+v, want complete", m)
	}
}

// TestWebsocketKeepAlive: the server sends ka (graphql-ws) or ping
// (graphql-transport-ws) every KeepAlive, answers a client's ping with
// pong and its payload, and drops a graphql-transport-ws client that
// never answers its pings. The open-websockets gauge follows.
func TestWebsocketKeepAlive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{KeepAlive: 100 * time.Millisecond, Metrics: metrics.New()})
	// wantGauge waits for the open-websockets gauge of /metrics to read want.
	wantGauge := func(want string) {
		t.Helper()
		tstest.WaitFor(t, 5*time.Second, func() error {
			resp, err := http.Get(e.srv.URL + "/metrics")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			for line := range strings.SplitSeq(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "ssfgraph_websocket_connections_open "); ok && v != want {
					return fmt.Errorf("open websockets: %s, want %s", v, want)
				} else if ok {
					return nil
				}
			}
			return errors.New("no ssfgraph_websocket_connections_open in /metrics")
		})
	}
	// readRaw reads the next message without answering pings.
	readRaw := func(s *rawSocket) (*wsclient.Message, error) {
		_ = s.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var m wsclient.Message
		err := s.c.ReadJSON(&m)
		return &m, err
	}

	l := dialRaw(t, e.srv.URL, wsclient.LegacyWS)
	l.init(nil)
	for range 3 {
		if m, err := readRaw(l); err != nil || m.Type != "ka" {
			t.Fatalf("graphql-ws: %+v %v, want ka", m, err)
		}
	}
	wantGauge("1")
	l.c.Close()
	wantGauge("0")

	s := dialRaw(t, e.srv.URL, wsclient.TransportWS)
	s.init(nil)
	s.send(map[string]any{"type": "ping", "payload": map[string]any{"n": 1}})
	var pong, ping bool
	for {
		m, err := readRaw(s)
		if err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway || !strings.Contains(ce.Text, "no pong") {
				t.Fatalf("graphql-transport-ws: the socket ended with %v, want 1001 for no pong", err)
			}
			break
		}
		switch m.Type {
		case "pong":
			pong = pong || string(m.Payload) == `{"n":1}`
		case "ping":
			ping = true
		default:
			t.Errorf("graphql-transport-ws: got %+v", m)
		}
	}
	if !pong || !ping {
		t.Errorf("graphql-transport-ws: pong with the payload %v, ping from the server %v; want both", pong, ping)
	}
	wantGauge("0")
}

// TestWebsocketEndingsLeaveNoGoroutines ends websockets every way (closed
// by the server for a protocol error with operations running, by the
// client with and without a close frame, by the init timeout) and checks
// that no goroutine stays behind. It must not run in parallel.
func TestWebsocketEndingsLeaveNoGoroutines(t *testing.T) {
	e := newEnv(t, resolvers.Options{WebsocketInitTimeout: 200 * time.Millisecond})
	runtime.GC()
	before := runtime.NumGoroutine()
	for _, proto := range []string{wsclient.TransportWS, wsclient.LegacyWS} {
		// Closed by the server with two subscriptions running.
		s := dialRaw(t, e.srv.URL, proto)
		s.init(nil)
		for _, id := range []string{"1", "2"} {
			s.send(map[string]any{"id": id, "type": map[string]string{wsclient.TransportWS: "subscribe", wsclient.LegacyWS: "start"}[proto],
				"payload": map[string]any{"query": `subscription { ticks(every: 20) { n } }`}})
		}
		s.next()
		s.send(`{"type": "connection_init"}`)
		s.closedWith(4429, "Too many initialisation requests")

		// Closed by the client, with and without a close frame.
		for _, frame := range []bool{true, false} {
			c := e.subscribe(t.Context(), t, proto, "", `subscription { ticks(every: 20) { n } }`, nil)
			if _, _, err := c.NextData(t.Context()); err != nil {
				t.Fatal(err)
			}
			if frame {
				c.Close()
			} else {
				c.Conn.NetConn().Close()
			}
		}

		// Never initialised.
		dialRaw(t, e.srv.URL, proto).closedWith(4408, "Connection initialisation timeout")
	}
	tstest.WaitGoroutines(t, 10*time.Second, before+2)
}

// TestWebsocketOrigins: a page of the server's own origin or of an allowed
// one may open a websocket, a client without Origin too; another origin is
// refused with 403 before the upgrade.
func TestWebsocketOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{AllowedOrigins: []string{"https://app.example"}})
	for _, tt := range []struct {
		origin string
		ok     bool
	}{{"", true}, {e.srv.URL, true}, {"https://app.example", true}, {"https://evil.example", false}} {
		d := websocket.Dialer{Subprotocols: []string{wsclient.TransportWS}, HandshakeTimeout: 10 * time.Second}
		h := http.Header{}
		if tt.origin != "" {
			h.Set("Origin", tt.origin)
		}
		c, resp, err := d.DialContext(t.Context(), "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/graphql", h)
		if tt.ok != (err == nil) || !tt.ok && (resp == nil || resp.StatusCode != http.StatusForbidden) {
			t.Errorf("origin %q: %v (response %+v); want allowed %v, else 403", tt.origin, err, resp, tt.ok)
		}
		if c != nil {
			c.Close()
		}
	}
}
