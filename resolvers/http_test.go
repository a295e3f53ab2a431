package resolvers_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// httpAnswer is an answer to a raw HTTP request.
type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

// send sends a request to srv's path with the given headers.
func (e *testEnv) send(t *testing.T, method, path string, header map[string]string, body string) httpAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return httpAnswer{resp.StatusCode, resp.Header, raw}
}

// object decodes the answer as a JSON object of raw members.
func (a httpAnswer) object(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("HTTP %d: answer is not a JSON object: %s", a.status, a.body)
	}
	return m
}

// codes returns the extensions.code of each error of a JSON answer; it
// fails when an error has none.
func (a httpAnswer) codes(t *testing.T) []string {
	t.Helper()
	var r struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(a.body, &r); err != nil {
		t.Fatalf("HTTP %d: %s", a.status, a.body)
	}
	var codes []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		if c == "" {
			t.Errorf("error %q has no extensions.code", e.Message)
		}
		codes = append(codes, c)
	}
	return codes
}

func jsonBody(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

// TestGraphQLOverHTTPStatusCodes checks the GraphQL over HTTP spec's
// status rules for each Accept: request errors answer 200 with
// application/json (also for no Accept and */*) and 4xx without data with
// application/graphql-response+json; execution errors answer 200 with
// data for both.
func TestGraphQLOverHTTPStatusCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{DepthLimit: 4})
	requestErrors := []struct{ name, body, code string }{
		{"parse", jsonBody(`{ serverInfo { version `, nil), "GRAPHQL_PARSE_FAILED"},
		{"validation", jsonBody(`{ nope }`, nil), "GRAPHQL_VALIDATION_FAILED"},
		{"variable coercion", jsonBody(`query($id: ID!) { target(id: $id) { id } }`, map[string]any{"id": []int{1}}), "GRAPHQL_VALIDATION_FAILED"},
		{"missing variable", jsonBody(`query($id: ID!) { target(id: $id) { id } }`, nil), "GRAPHQL_VALIDATION_FAILED"},
		{"unknown operation", `{"query":"query A { serverInfo { version } }","operationName":"B"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"depth limit", jsonBody(`{ targets { nodes { analyses { nodes { target { id } } } } } }`, nil), "GRAPHQL_VALIDATION_FAILED"},
		{"unknown enum", jsonBody(`{ analyses(status: SHINY) { nodes { id } } }`, nil), "GRAPHQL_VALIDATION_FAILED"},
		{"unknown enum in variables", jsonBody(`query($s: AnalysisStatus) { analyses(status: $s) { nodes { id } } }`, map[string]any{"s": "SHINY"}), "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, accept := range []struct {
		header, media string
		status        int
	}{
		{"", "application/json", http.StatusOK},
		{"application/json", "application/json", http.StatusOK},
		{"*/*", "application/json", http.StatusOK},
		{"application/graphql-response+json", "application/graphql-response+json", http.StatusBadRequest},
		{"application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json", http.StatusBadRequest},
		{"application/graphql-response+json;q=0.5, application/json", "application/json", http.StatusOK},
	} {
		h := map[string]string{"Content-Type": "application/json"}
		if accept.header != "" {
			h["Accept"] = accept.header
		}
		for _, tt := range requestErrors {
			t.Run(accept.header+"/"+tt.name, func(t *testing.T) {
				a := e.send(t, http.MethodPost, "/graphql", h, tt.body)
				if a.status != accept.status {
					t.Errorf("HTTP %d, want %d: %s", a.status, accept.status, a.body)
				}
				if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, accept.media) {
					t.Errorf("Content-Type %q, want %s", ct, accept.media)
				}
				if _, ok := a.object(t)["data"]; ok {
					t.Errorf("a request error carries data: %s", a.body)
				}
				if codes := a.codes(t); len(codes) == 0 || codes[0] != tt.code {
					t.Errorf("codes %v, want %s", codes, tt.code)
				}
			})
		}
		t.Run(accept.header+"/execution error", func(t *testing.T) {
			a := e.send(t, http.MethodPost, "/graphql", h, jsonBody(`mutation { deleteTarget(id: "no-such-target") }`, nil))
			if a.status != http.StatusOK {
				t.Errorf("HTTP %d, want 200: %s", a.status, a.body)
			}
			if _, ok := a.object(t)["data"]; !ok {
				t.Errorf("an execution error lost data: %s", a.body)
			}
			if codes := a.codes(t); len(codes) != 1 {
				t.Errorf("codes %v, want one", codes)
			}
		})
	}
}

// TestHTTPRefusals checks what is refused before the executor, each with a
// coded error: bodies that are not a GraphQL request (without echoing
// them), methods, media types and Accept values.
func TestHTTPRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{})
	const secret = "SECRET-BODY-MARKER"
	js := map[string]string{"Content-Type": "application/json"}
	for _, tt := range []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		code, contains     string
		allow              string
	}{
		{"broken JSON", "POST", "/graphql", js, `{"query": "` + secret, 400, "BAD_REQUEST", "JSON", ""},
		{"not an object", "POST", "/graphql", js, `"` + secret + `"`, 400, "BAD_REQUEST", "JSON object", ""},
		{"query of the wrong type", "POST", "/graphql", js, `{"query": 3, "x": "` + secret + `"}`, 400, "BAD_REQUEST", "query must be a string", ""},
		{"empty body", "POST", "/graphql", js, ``, 400, "BAD_REQUEST", "empty", ""},
		{"trailing garbage", "POST", "/graphql", js, `{"query":"{ __typename }"} {}`, 400, "BAD_REQUEST", "more than one", ""},
		{"broken batch", "POST", "/graphql", js, `[{"query":"{ __typename }"}, ` + secret, 400, "BAD_REQUEST", "array", ""},
		{"empty batch", "POST", "/graphql", js, `[]`, 400, "BAD_REQUEST", "empty", ""},
		{"batch too large", "POST", "/graphql", js, "[" + strings.Repeat(`{"query":"{ __typename }"},`, 10) + `{"query":"{ __typename }"}]`, 400, "BAD_REQUEST", "limit is 10", ""},
		{"no content type", "POST", "/graphql", nil, jsonBody(`{ __typename }`, nil), 415, "UNSUPPORTED_MEDIA_TYPE", "application/json", ""},
		{"text/plain (CSRF)", "POST", "/graphql", map[string]string{"Content-Type": "text/plain"}, jsonBody(`mutation { deleteTarget(id: "x") }`, nil), 415, "UNSUPPORTED_MEDIA_TYPE", "CSRF", ""},
		{"form (CSRF)", "POST", "/graphql", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, `query=mutation{deleteTarget(id:"x")}`, 415, "UNSUPPORTED_MEDIA_TYPE", "CSRF", ""},
		{"multipart form (CSRF)", "POST", "/graphql", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, "--x--", 415, "UNSUPPORTED_MEDIA_TYPE", "CSRF", ""},
		{"xml", "POST", "/graphql", map[string]string{"Content-Type": "application/xml"}, "<q/>", 415, "UNSUPPORTED_MEDIA_TYPE", "application/xml", ""},
		{"latin-1", "POST", "/graphql", map[string]string{"Content-Type": "application/json; charset=latin1"}, jsonBody(`{ __typename }`, nil), 415, "UNSUPPORTED_MEDIA_TYPE", "UTF-8", ""},
		{"mutation over GET", "GET", "/graphql?query=" + url.QueryEscape(`mutation { deleteTarget(id: "x") }`), nil, "", 405, "METHOD_NOT_ALLOWED", "POST", "POST"},
		{"PUT", "PUT", "/graphql", js, jsonBody(`{ __typename }`, nil), 405, "METHOD_NOT_ALLOWED", "PUT", "GET, HEAD, POST, OPTIONS"},
		{"DELETE", "DELETE", "/graphql", nil, "", 405, "METHOD_NOT_ALLOWED", "DELETE", "GET, HEAD, POST, OPTIONS"},
		{"GET variables not JSON", "GET", "/graphql?query=" + url.QueryEscape(`{ __typename }`) + "&variables=%7Bx", nil, "", 400, "BAD_REQUEST", "variables", ""},
		{"Accept html only", "POST", "/graphql", map[string]string{"Content-Type": "application/json", "Accept": "text/html"}, jsonBody(`{ __typename }`, nil), 406, "NOT_ACCEPTABLE", "text/html", ""},
		{"subscription as one JSON result", "POST", "/graphql", js, jsonBody(`subscription { comparisonUpdated(targetId: "x") { revision } }`, nil), 406, "NOT_ACCEPTABLE", "text/event-stream", ""},
		{"schema by POST", "POST", "/schema.graphql", js, "", 405, "METHOD_NOT_ALLOWED", "GET", "GET, HEAD, OPTIONS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := e.send(t, tt.method, tt.path, tt.header, tt.body)
			if a.status != tt.status {
				t.Errorf("HTTP %d, want %d: %s", a.status, tt.status, a.body)
			}
			if bytes.Contains(a.body, []byte(secret)) {
				t.Errorf("the answer echoes the body: %s", a.body)
			}
			if codes := a.codes(t); len(codes) != 1 || codes[0] != tt.code {
				t.Errorf("codes %v, want [%s]", codes, tt.code)
			}
			if !bytes.Contains(a.body, []byte(tt.contains)) {
				t.Errorf("the answer does not say %q: %s", tt.contains, a.body)
			}
			if got := a.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow: %q, want %q", got, tt.allow)
			}
		})
	}
	// Nothing was written by the refused mutations.
	if got := e.send(t, http.MethodPost, "/graphql", js, jsonBody(`{ target(id: "x") { id } }`, nil)); !bytes.Contains(got.body, []byte(`"target":null`)) {
		t.Errorf("after the refusals: %s", got.body)
	}
}

// TestHTTPMethodsBatchesAndSchema checks GET, HEAD and OPTIONS, batches,
// persisted queries, the schema download and the way a browser opening
// /graphql is sent to GraphiQL.
func TestHTTPMethodsBatchesAndSchema(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{NoAnonymousIntrospection: true, Version: "v-http"})
	tok := e.token(t, e.org(t, "org", "home"), model.RoleViewer)
	q := url.QueryEscape(`{ serverInfo { version } }`)

	get := e.send(t, http.MethodGet, "/graphql?query="+q, map[string]string{"Upgrade": "h2c", "Connection": "Upgrade"}, "")
	if get.status != 200 || !bytes.Contains(get.body, []byte(`"version":"v-http"`)) {
		t.Errorf("GET: HTTP %d %s", get.status, get.body)
	}
	head := e.send(t, http.MethodHead, "/graphql?query="+q, nil, "")
	if head.status != 200 || len(head.body) != 0 || !strings.HasPrefix(head.header.Get("Content-Type"), "application/json") {
		t.Errorf("HEAD: HTTP %d, %q, body %q", head.status, head.header.Get("Content-Type"), head.body)
	}
	opts := e.send(t, http.MethodOptions, "/graphql", nil, "")
	if opts.status != 204 || opts.header.Get("Allow") != "GET, HEAD, POST, OPTIONS" {
		t.Errorf("OPTIONS: HTTP %d, Allow %q", opts.status, opts.header.Get("Allow"))
	}
	browser := e.send(t, http.MethodGet, "/graphql", map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, "")
	if browser.status != http.StatusFound || browser.header.Get("Location") != "/" {
		t.Errorf("a browser on /graphql: HTTP %d to %q", browser.status, browser.header.Get("Location"))
	}

	// A batch (Apollo's BatchHttpLink) answers an array in order; one
	// operation's error is its own; an array of one is still an array.
	batch := e.send(t, http.MethodPost, "/graphql", map[string]string{"Content-Type": "application/json"},
		`[{"query":"{ serverInfo { version } }"}, {"query":"{ nope }"}, {"query":"query($id: ID!) { target(id: $id) { id } }","variables":{"id":"none"}}, {"query":"subscription { comparisonUpdated(targetId: \"x\") { revision } }"}]`)
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(batch.body, &items); err != nil || batch.status != 200 || len(items) != 4 {
		t.Fatalf("batch: HTTP %d %s", batch.status, batch.body)
	}
	if !bytes.Contains(items[0]["data"], []byte("v-http")) || items[1]["errors"] == nil || items[1]["data"] != nil ||
		string(items[2]["data"]) != `{"target":null}` || !bytes.Contains(items[3]["errors"], []byte("subscription")) {
		t.Errorf("batch items: %s", batch.body)
	}
	one := e.send(t, http.MethodPost, "/graphql", map[string]string{"Content-Type": "application/json"}, `[{"query":"{ serverInfo { version } }"}]`)
	if !bytes.HasPrefix(one.body, []byte(`[{`)) {
		t.Errorf("a batch of one: %s", one.body)
	}

	// Automatic persisted queries, over POST then GET.
	const apqQuery = `{ serverInfo { version } }`
	const apqHash = "ae2ed1d65b4fbcee57e8b8e48a3ac0c5fbee1e3e1e4dc4a4b6e5e2b1bd5ae6e0" // not the hash: refused
	miss := e.send(t, http.MethodGet, "/graphql?extensions="+url.QueryEscape(`{"persistedQuery":{"version":1,"sha256Hash":"`+apqHash+`"}}`), nil, "")
	if codes := miss.codes(t); miss.status != 200 || len(codes) != 1 || codes[0] != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("unknown persisted query: HTTP %d %s", miss.status, miss.body)
	}
	hash := sha256Hex(apqQuery)
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`
	reg := e.send(t, http.MethodPost, "/graphql", map[string]string{"Content-Type": "application/json"}, `{"query":"`+apqQuery+`","extensions":`+ext+`}`)
	hit := e.send(t, http.MethodGet, "/graphql?extensions="+url.QueryEscape(ext), nil, "")
	if !bytes.Contains(reg.body, []byte("v-http")) || !bytes.Contains(hit.body, []byte("v-http")) {
		t.Errorf("persisted query: register %s, then GET %s", reg.body, hit.body)
	}

	// The schema as SDL, under the introspection rule.
	anon := e.send(t, http.MethodGet, "/schema.graphql", nil, "")
	if codes := anon.codes(t); anon.status != 401 || len(codes) != 1 || codes[0] != "INTROSPECTION_DISABLED" {
		t.Errorf("anonymous schema download: HTTP %d %s", anon.status, anon.body)
	}
	sdl := e.send(t, http.MethodGet, "/schema.graphql", map[string]string{"Authorization": "Bearer " + tok}, "")
	for _, want := range []string{"type Query {", "interface Node {", "type Subscription {", "comparisonUpdated("} {
		if !bytes.Contains(sdl.body, []byte(want)) {
			t.Errorf("SDL (HTTP %d) lacks %q", sdl.status, want)
		}
	}
	if ct := sdl.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/graphql") {
		t.Errorf("SDL Content-Type %q", ct)
	}
}

// TestCORSAndOrigins checks the origin allow-list on preflights, answers
// and websocket upgrades.
func TestCORSAndOrigins(t *testing.T) {
	t.Parallel()
	listed := newEnv(t, resolvers.Options{AllowedOrigins: []string{"https://app.example"}})
	anyOrigin := newEnv(t, resolvers.Options{AllowedOrigins: []string{"*"}})
	preflight := map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}

	pf := listed.send(t, http.MethodOptions, "/graphql", preflight, "")
	if pf.status != 204 || pf.header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		pf.header.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(pf.header.Get("Access-Control-Allow-Methods"), "POST") ||
		pf.header.Get("Access-Control-Allow-Headers") != "authorization, content-type" {
		t.Errorf("preflight of a listed origin: HTTP %d %v", pf.status, pf.header)
	}
	post := listed.send(t, http.MethodPost, "/graphql", map[string]string{"Origin": "https://app.example", "Content-Type": "application/json"}, jsonBody(`{ __typename }`, nil))
	if post.status != 200 || post.header.Get("Access-Control-Allow-Origin") != "https://app.example" || !strings.Contains(post.header.Get("Vary"), "Origin") {
		t.Errorf("POST from a listed origin: HTTP %d %v", post.status, post.header)
	}
	for _, h := range []map[string]string{
		{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
		{"Origin": "https://evil.example", "Content-Type": "application/json"},
	} {
		method := http.MethodPost
		if h["Access-Control-Request-Method"] != "" {
			method = http.MethodOptions
		}
		a := listed.send(t, method, "/graphql", h, jsonBody(`{ __typename }`, nil))
		if codes := a.codes(t); a.status != 403 || len(codes) != 1 || codes[0] != resolvers.CodeForbiddenOrigin || a.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s from an unlisted origin: HTTP %d %v %s", method, a.status, a.header, a.body)
		}
	}
	ws := listed.send(t, http.MethodGet, "/graphql", map[string]string{"Origin": "https://evil.example", "Connection": "Upgrade", "Upgrade": "websocket",
		"Sec-Websocket-Version": "13", "Sec-Websocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-Websocket-Protocol": "graphql-transport-ws"}, "")
	if ws.status != 403 {
		t.Errorf("websocket from an unlisted origin: HTTP %d", ws.status)
	}
	// The server's own origin needs no listing.
	u, _ := url.Parse(listed.srv.URL)
	own := listed.send(t, http.MethodPost, "/graphql", map[string]string{"Origin": "http://" + u.Host, "Content-Type": "application/json"}, jsonBody(`{ __typename }`, nil))
	if own.status != 200 {
		t.Errorf("same origin: HTTP %d %s", own.status, own.body)
	}
	// "*" answers "*" and never credentials.
	star := anyOrigin.send(t, http.MethodOptions, "/graphql", map[string]string{"Origin": "https://anywhere.example", "Access-Control-Request-Method": "POST"}, "")
	if star.status != 204 || star.header.Get("Access-Control-Allow-Origin") != "*" || star.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight with *: HTTP %d %v", star.status, star.header)
	}
	// A page can read the errors of the middlewares too.
	bad := listed.send(t, http.MethodPost, "/graphql", map[string]string{"Origin": "https://app.example", "Content-Type": "application/json", "Authorization": "Bearer nope"}, jsonBody(`{ __typename }`, nil))
	if bad.status != 401 || bad.header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("401 for a listed origin: HTTP %d %v", bad.status, bad.header)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
