package resolvers_test

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/browsertest"
)

// TestPagesCarryBookmarks: the pages' one request function (common.js
// gql) keeps the bookmark extension of a write in the tab's session
// storage and sends it with the next requests (read-your-writes behind a
// load balancer over replicas on a cluster); a bookmark the database never
// issued (a database restored meanwhile) is dropped and the request made
// again, so the page works on.
func TestPagesCarryBookmarks(t *testing.T) {
	w := newPPEnv(t)
	ctx := pageBrowser(t)
	browsertest.SignIn(t, ctx, w.srv.URL+"/targets?sector="+w.prefix+"home", w.tok[model.RoleAdmin])
	pollJS[bool](t, ctx, "the target list", `!!document.getElementById('count').textContent`)
	if got := evalJS[string](t, ctx, `sessionStorage.getItem('ssfgraph.bookmark') || ''`); got != "" {
		t.Fatalf("a bookmark before any write: %q", got)
	}
	// A write through the pages' request function.
	write := fmt.Sprintf(`(window.answer = '', import('/static/app/common.js').then(m => m.gql('mutation($id: ID!) { createTarget(input: {id: $id, name: "Kiln", sector: %q}) { id } }', {id: %q})).then(() => window.answer = 'done', e => window.answer = 'error: ' + e.message), true)`,
		w.prefix+"home", w.prefix+"kiln")
	evalJS[bool](t, ctx, write)
	if got := pollJS[string](t, ctx, "the write", `window.answer`); got != "done" {
		t.Fatalf("the write through gql: %s", got)
	}
	bookmark := pollJS[string](t, ctx, "the write's bookmark", `sessionStorage.getItem('ssfgraph.bookmark')`)
	if _, err := base64.RawURLEncoding.DecodeString(bookmark); err != nil {
		t.Errorf("the kept bookmark %q is not the extension's token: %v", bookmark, err)
	}
	// A bookmark of another database: the next request still answers.
	bogus := base64.RawURLEncoding.EncodeToString([]byte(`["FB:not-a-bookmark"]`))
	read := fmt.Sprintf(`(window.answer = '', sessionStorage.setItem('ssfgraph.bookmark', %q), import('/static/app/common.js').then(m => m.gql('query($id: ID!) { target(id: $id) { name } }', {id: %q})).then(d => window.answer = d.target.name, e => window.answer = 'error: ' + e.message), true)`,
		bogus, w.prefix+"kiln")
	evalJS[bool](t, ctx, read)
	if got := pollJS[string](t, ctx, "a read with a bogus bookmark", `window.answer`); got != "Kiln" {
		t.Errorf("with a bookmark the database never issued the page read %q, want Kiln", got)
	}
	if got := evalJS[string](t, ctx, `sessionStorage.getItem('ssfgraph.bookmark') || ''`); got == bogus {
		t.Error("the bogus bookmark is kept")
	}
}
