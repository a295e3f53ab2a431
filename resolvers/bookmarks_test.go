package resolvers_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// TestBookmarkHeader: a mutation's answer carries the bookmark of its
// write (extensions.bookmark), a query's none; a request to another
// server with that bookmark in the Ssfgraph-Bookmark header reads the
// write; a header that is not a bookmark is refused with 400 BAD_REQUEST
// naming the header, and one that decodes but that Neo4j never issued
// with an error saying so. None quotes the header's value back.
func TestBookmarkHeader(t *testing.T) {
	a := newEnv(t, resolvers.Options{})
	b := &testEnv{db: a.db, srv: newServer(t, resolvers.Options{Store: a.db}), p: a.p}
	org := a.org(t, "org", "energy")
	admin := a.token(t, org, model.RoleAdmin)
	auth := func(bookmark string) map[string]string {
		h := map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + admin}
		if bookmark != "" {
			h[model.BookmarkHeader] = bookmark
		}
		return h
	}
	type answer struct {
		Data       map[string]any
		Errors     []struct{ Message string }
		Extensions map[string]any
	}
	decode := func(h httpAnswer) answer {
		t.Helper()
		var v answer
		if err := json.Unmarshal(h.body, &v); err != nil {
			t.Fatalf("HTTP %d: %s", h.status, h.body)
		}
		return v
	}

	id := a.p + "target"
	w := a.send(t, "POST", "/graphql", auth(""), jsonBody(`mutation($id: ID!) { createTarget(input: {id: $id, name: "Pump", sector: "energy"}) { id } }`, map[string]any{"id": id}))
	wrote := decode(w)
	bookmark, _ := wrote.Extensions["bookmark"].(string)
	if w.status != 200 || len(wrote.Errors) > 0 || bookmark == "" {
		t.Fatalf("createTarget: HTTP %d, %s: want data and a bookmark extension", w.status, w.body)
	}
	read := `query($id: ID!) { target(id: $id) { name } }`
	r := b.send(t, "POST", "/graphql", auth(bookmark), jsonBody(read, map[string]any{"id": id}))
	got := decode(r)
	if r.status != 200 || len(got.Errors) > 0 || got.Data["target"] == nil {
		t.Fatalf("reading on the other server after the bookmark: HTTP %d, %s", r.status, r.body)
	}
	if _, ok := got.Extensions["bookmark"]; ok {
		t.Errorf("a query that wrote nothing answered a bookmark: %s", r.body)
	}

	bogus, _ := json.Marshal([]string{"FB:not-a-bookmark"})
	for _, c := range []struct {
		name, header string
		status       int
		code, says   string
	}{
		{"not base64url", "<script>{{", 400, "BAD_REQUEST", "not base64url"},
		{"not a list", base64.RawURLEncoding.EncodeToString([]byte(`{"a":1}`)), 400, "BAD_REQUEST", "list of bookmarks"},
		{"too long", strings.Repeat("A", 5000), 400, "BAD_REQUEST", "5000 bytes"},
		{"never issued", base64.RawURLEncoding.EncodeToString(bogus), 200, "BAD_USER_INPUT", "not one this database issued"},
	} {
		h := b.send(t, "POST", "/graphql", auth(c.header), jsonBody(read, map[string]any{"id": id}))
		codes := h.codes(t)
		if h.status != c.status || len(codes) != 1 || codes[0] != c.code || !strings.Contains(string(h.body), c.says) || !strings.Contains(string(h.body), model.BookmarkHeader) {
			t.Errorf("%s: HTTP %d, %s: want %d, %s, naming %s and saying %q", c.name, h.status, h.body, c.status, c.code, model.BookmarkHeader, c.says)
		}
		if strings.Contains(string(h.body), "script") {
			t.Errorf("%s: the answer quotes the header: %s", c.name, h.body)
		}
	}
}
