package neo4j_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// connect returns a second DB, with a driver (and bookmark manager) of its
// own, at uri: another process, as far as bookmarks go.
func connect(t *testing.T, uri string) *neo4j.DB {
	t.Helper()
	neo4jtest.Open(t) // migrated
	db := neo4jtest.Config(neo4j.NewDB(uri))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := db.Connect(ctx); err != nil {
		t.Fatalf("connecting to %s: %v", uri, err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}

// committedChange returns a context whose writes report their Change to
// the pointer it returns.
func committedChange(ctx context.Context) (context.Context, **model.Change) {
	var got *model.Change
	return model.WithCommitHook(ctx, func(_ context.Context, c *model.Change) { got = c }), &got
}

// TestRoutingURI writes and reads through a neo4j:// URI (the driver asks
// the server for a routing table, as with a cluster or Aura) and gets the
// write's bookmark in the change its commit hook is told of.
func TestRoutingURI(t *testing.T) {
	uri := neo4jtest.URI()
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || !strings.HasPrefix(scheme, "bolt") {
		t.Fatalf("NEO4J_URI %q is not a bolt URI this test can turn into a routing one", uri)
	}
	db := connect(t, "neo4j"+strings.TrimPrefix(scheme, "bolt")+"://"+rest)
	p := neo4jtest.Prefix(t)
	ctx, change := committedChange(t.Context())
	id := p + "routed"
	if _, err := db.CreateTarget(ctx, "", model.TargetInput{ID: &id, Name: "Routed", Sector: "energy"}); err != nil {
		t.Fatalf("writing through %s: %v", db.URI, err)
	}
	if *change == nil || len((*change).Bookmarks) == 0 || (*change).Bookmarks[0] == "" {
		t.Fatalf("the write's change carries no bookmark: %+v", *change)
	}
	nodes, err := db.Nodes(t.Context(), []string{id})
	if err != nil {
		t.Fatalf("reading through %s: %v", db.URI, err)
	}
	if tg, ok := nodes[id].(*model.Target); !ok || tg.Name != "Routed" {
		t.Errorf("read back %#v", nodes[id])
	}
}

// TestBookmarksAcrossProcesses: a second process follows the first's
// write by its bookmark (FollowBookmarks, as a change event's receiver
// does) and reads after it; a bookmark no server issued is refused with
// EINVALID naming where bookmarks come from, by FollowBookmarks and by a
// read given it through model.WithBookmarks, and leaves the process's
// later reads working.
func TestBookmarksAcrossProcesses(t *testing.T) {
	writer := neo4jtest.Open(t)
	reader := connect(t, neo4jtest.URI())
	p := neo4jtest.Prefix(t)
	ctx, change := committedChange(t.Context())
	id := p + "followed"
	if _, err := writer.CreateTarget(ctx, "", model.TargetInput{ID: &id, Name: "Followed", Sector: "energy"}); err != nil {
		t.Fatal(err)
	}
	b := (*change).Bookmarks
	if len(b) == 0 {
		t.Fatal("the write's change carries no bookmark")
	}
	if err := reader.FollowBookmarks(t.Context(), b); err != nil {
		t.Fatalf("following the writer's bookmarks %v: %v", b, err)
	}
	if nodes, err := reader.Nodes(model.WithBookmarks(t.Context(), b), []string{id}); err != nil || nodes[id] == nil {
		t.Fatalf("reading after the writer's bookmarks: %v, %v", nodes, err)
	}

	bogus := model.Bookmarks{"FB:not-a-bookmark"}
	err := reader.FollowBookmarks(t.Context(), bogus)
	if model.ErrorCode(err) != model.EINVALID || !strings.Contains(model.ErrorMessage(err), model.BookmarkHeader) {
		t.Errorf("following %v: %v, want EINVALID naming %s", bogus, err, model.BookmarkHeader)
	}
	_, err = reader.Nodes(model.WithBookmarks(t.Context(), bogus), []string{id})
	if model.ErrorCode(err) != model.EINVALID {
		t.Errorf("reading after %v: %v, want EINVALID", bogus, err)
	}
	if nodes, err := reader.Nodes(t.Context(), []string{id}); err != nil || nodes[id] == nil {
		t.Errorf("after refusing a bogus bookmark the process reads %v, %v", nodes, err)
	}
}
