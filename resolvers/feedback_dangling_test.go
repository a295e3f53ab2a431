package resolvers_test

import (
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// TestFeedbackOutlivesWhatItIsAbout deletes a draft analysis that has
// feedback: the feedback stays readable, with `about` null, and the list
// that holds it does not fail.
func TestFeedbackOutlivesWhatItIsAbout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, resolvers.Options{})
	p := e.p
	author := e.token(t, e.org(t, "author", "home"), model.RoleAnalyst)
	reader := e.token(t, e.org(t, "reader", "medical"), model.RoleViewer)
	neo4jtest.CleanupFeedback(t, p)
	do := func(token, q string, vars map[string]any) gqlResponse {
		t.Helper()
		r := e.do(t, token, q, vars)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", q, r.Errors)
		}
		return r
	}
	do(author, `mutation($id: ID!) { createTarget(input: {id: $id, name: "T", sector: "home"}) { id } }`, map[string]any{"id": p + "target"})
	do(author, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Draft", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": p + "analysis", "t": p + "target"})
	var fb struct{ SubmitFeedback struct{ ID string } }
	do(reader, `mutation($a: ID!) { submitFeedback(input: {kind: MERIT_DEMERIT, text: "Clear rationale", aboutId: $a}) { id } }`,
		map[string]any{"a": p + "analysis"}).decode(t, &fb)
	do(author, `mutation($id: ID!) { deleteAnalysis(id: $id) }`, map[string]any{"id": p + "analysis"})

	var got struct {
		Feedback struct {
			Nodes []struct {
				ID    string
				Text  string
				About *struct{ ID string }
			}
		}
	}
	do(reader, `query($o: ID) { feedback(routedToId: $o) { nodes { id text about { id } } } }`, map[string]any{"o": p + "author"}).decode(t, &got)
	if len(got.Feedback.Nodes) != 1 || got.Feedback.Nodes[0].ID != fb.SubmitFeedback.ID || got.Feedback.Nodes[0].About != nil {
		t.Fatalf("feedback after its analysis was deleted = %+v, want it with about null", got.Feedback.Nodes)
	}
}
