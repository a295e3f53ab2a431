package resolvers_test

import (
	"slices"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

const fsRespondAnswered = `mutation($in: FeedbackResponseInput!) { respondToFeedback(input: $in) { id status answeredBy { id version } } }`

// answeredBy reads feedback id through node(id) as token and returns the
// id of the analysis that answers it ("" for none); it fails when the
// feedback is not visible.
func (w *fbWorld) answeredBy(t *testing.T, token, id string) string {
	t.Helper()
	_, r := postAs(t, w.srv, token, `query($id: ID!) { node(id: $id) { id ... on Feedback { answeredBy { id } } } }`, map[string]any{"id": id})
	var got struct {
		Node *struct {
			ID         string
			AnsweredBy *idJSON
		}
	}
	r.decode(t, &got)
	if got.Node == nil {
		t.Fatalf("feedback %s is not visible", id)
	}
	if got.Node.AnsweredBy == nil {
		return ""
	}
	return got.Node.AnsweredBy.ID
}

func TestFeedbackAnsweredBy(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	author, owner := w.tokens["authorAnalyst"], w.tokens["ownerAnalyst"]
	var revised struct{ ReviseAnalysis struct{ ID string } }
	_, r := postAs(t, w.srv, owner, `mutation($id: ID!) { reviseAnalysis(id: $id) { id } }`, map[string]any{"id": w.analysis})
	r.decode(t, &revised)
	v4 := revised.ReviseAnalysis.ID

	respond := func(token, id, status string, answeredBy string) gqlResponse {
		t.Helper()
		_, r := postAs(t, w.srv, token, fsRespondAnswered, map[string]any{"in": map[string]any{"id": id, "status": status, "answeredById": answeredBy}})
		return r
	}

	t.Run("Refused", func(t *testing.T) {
		onV3 := w.submit(t, author, "REVISION_REQUEST", "Add the fire escape.", w.analysis)
		onV4 := w.submit(t, author, "REVISION_REQUEST", "And the stairs.", v4)
		onTarget := w.submit(t, author, "NEW_RISK", "Smoke.", w.target)
		for _, tt := range []struct {
			name, token, id, status, answeredBy, code string
		}{
			{"SameVersion", owner, onV3.ID, "ACCEPTED", w.analysis, "BAD_USER_INPUT"},
			{"EarlierVersion", owner, onV4.ID, "ACCEPTED", w.analysis, "BAD_USER_INPUT"},
			{"OtherLineage", owner, onV3.ID, "ACCEPTED", w.private, "BAD_USER_INPUT"},
			{"NotAnAnalysis", owner, onV3.ID, "ACCEPTED", w.assessed, "NOT_FOUND"},
			{"Unknown", owner, onV3.ID, "ACCEPTED", w.prefix + "nope", "NOT_FOUND"},
			{"NotAccepted", owner, onV3.ID, "ACKNOWLEDGED", v4, "BAD_USER_INPUT"},
			{"FeedbackNotAboutAnAnalysis", w.tokens["admin"], onTarget.ID, "ACCEPTED", v4, "BAD_USER_INPUT"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := neo4jtest.FeedbackSnapshot(t, w.prefix)
				fbWantError(t, respond(tt.token, tt.id, tt.status, tt.answeredBy), tt.code, "input.answeredById")
				if after := neo4jtest.FeedbackSnapshot(t, w.prefix); after != before {
					t.Errorf("a refused answer changed the feedback:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		if fb := w.node(t, owner, onV3.ID); fb == nil || fb.Status != "OPEN" {
			t.Errorf("after the refusals: %+v, want OPEN", fb)
		}
	})

	t.Run("Accepted", func(t *testing.T) {
		onV3 := w.submit(t, author, "REVISION_REQUEST", "Rename the title.", w.analysis)
		onAssessment := w.submit(t, author, "REVISION_REQUEST", "Rate it higher.", w.assessed)
		for _, fb := range []fbFeedback{onV3, onAssessment} {
			var got struct {
				RespondToFeedback struct {
					ID, Status string
					AnsweredBy *struct {
						ID      string
						Version int
					}
				}
			}
			respond(owner, fb.ID, "ACCEPTED", v4).decode(t, &got)
			if a := got.RespondToFeedback; a.Status != "ACCEPTED" || a.AnsweredBy == nil || a.AnsweredBy.ID != v4 || a.AnsweredBy.Version != 4 {
				t.Errorf("respondToFeedback(%s) = %+v, want ACCEPTED answered by %s (version 4)", fb.ID, a, v4)
			}
			if rel := neo4jtest.PeopleRelated(t, fb.ID, "ANSWERED_BY"); !slices.Equal(rel, []string{v4}) {
				t.Errorf("%s -ANSWERED_BY-> %v, want %s", fb.ID, rel, v4)
			}
		}
		// Read back by the author. A curator of another organization may
		// not read the analysis, so not the feedback about it either.
		for _, fb := range []fbFeedback{onV3, onAssessment} {
			if got := w.answeredBy(t, author, fb.ID); got != v4 {
				t.Errorf("authorViewer reads %s answered by %q, want %q", fb.ID, got, v4)
			}
			if got := w.node(t, w.tokens["curator"], fb.ID); got != nil {
				t.Errorf("curator reads feedback %s about an analysis it may not read: %+v", fb.ID, got)
			}
		}
	})
}
