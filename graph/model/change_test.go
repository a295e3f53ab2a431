package model_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// TestChangeEventCarriesBookmarks: the event of a change carries its
// targets, feedback, tokens and bookmarks over the bus's JSON, copies that
// do not change with the change; a change of nodes alone makes no event.
func TestChangeEventCarriesBookmarks(t *testing.T) {
	c := &model.Change{Targets: []string{"t1"}, Tokens: []string{"k1"}, Feedback: []*model.Feedback{{ID: "f1"}}, Bookmarks: model.Bookmarks{"FB:one"}}
	ev := model.NewChangeEvent("replica-a", c)
	c.Bookmarks[0], c.Targets[0] = "changed", "changed"
	raw, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var got model.ChangeEvent
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Origin != "replica-a" || !slices.Equal(got.Targets, []string{"t1"}) || !slices.Equal(got.Tokens, []string{"k1"}) ||
		!slices.Equal(got.Feedback, []string{"f1"}) || !slices.Equal(got.Bookmarks, model.Bookmarks{"FB:one"}) || got.Published.IsZero() {
		t.Errorf("over JSON the event is %+v (%s)", got, raw)
	}
	if ev := model.NewChangeEvent("replica-a", &model.Change{Nodes: []string{"n1"}, Bookmarks: model.Bookmarks{"FB:two"}}); ev != nil {
		t.Errorf("a change of nodes alone makes the event %+v", ev)
	}
}

// TestWithBookmarks: bookmarks added to a context add to those it has,
// and none leave it as it is.
func TestWithBookmarks(t *testing.T) {
	ctx := model.WithBookmarks(t.Context(), model.Bookmarks{"a"})
	ctx = model.WithBookmarks(ctx, nil)
	ctx = model.WithBookmarks(ctx, model.Bookmarks{"b"})
	if got := model.BookmarksFrom(ctx); !slices.Equal(got, model.Bookmarks{"a", "b"}) {
		t.Errorf("bookmarks %v, want [a b]", got)
	}
	if got := model.BookmarksFrom(t.Context()); got != nil {
		t.Errorf("a context without bookmarks has %v", got)
	}
}
