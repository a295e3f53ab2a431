package neo4j_test

import (
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// The resolvers check visibility before calling the store; these tests
// call the store directly, to check that it refuses on its own too, and
// the values GraphQL's enum validation never lets through.
func TestFeedbackStoreChecks(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	neo4jtest.CleanupFeedback(t, p)
	owner := neo4jtest.Org(t, p+"owner", "home")
	other := neo4jtest.Org(t, p+"other", "medical")
	f := neo4jtest.NewFeedbackFixtures(t)
	target := f.Target(p+"target", "home")
	private := f.Analysis(neo4jtest.FixtureAnalysis{ID: p + "private", Org: owner, Target: target})
	incident := f.Incident(p+"incident", target)
	assessment := f.Assessment(p+"assessment", private, incident, "")
	stranger := &model.Principal{UserID: p + "u", OrganizationID: other, Sector: "medical", Role: model.RoleAnalyst}
	ghost := &model.Principal{UserID: p + "g", OrganizationID: p + "gone", Sector: "x", Role: model.RoleAnalyst}
	ownerAnalyst := &model.Principal{UserID: p + "o", OrganizationID: owner, Sector: "home", Role: model.RoleAnalyst}
	before, beforeFB := neo4jtest.Snapshot(t, p), neo4jtest.FeedbackSnapshot(t, p)

	for _, tt := range []struct {
		name, code, field string
		err               error
	}{
		{"FeedbackOnPrivateAnalysis", model.ENOTFOUND, "input.aboutId", fbErr(db.SubmitFeedback(t.Context(), stranger, model.FeedbackInput{Kind: model.FeedbackKindNewRisk, Text: "x", AboutID: private}))},
		{"FeedbackOnPrivateAssessment", model.ENOTFOUND, "input.aboutId", fbErr(db.SubmitFeedback(t.Context(), stranger, model.FeedbackInput{Kind: model.FeedbackKindNewRisk, Text: "x", AboutID: assessment}))},
		{"FeedbackOnOrganization", model.ENOTFOUND, "input.aboutId", fbErr(db.SubmitFeedback(t.Context(), ownerAnalyst, model.FeedbackInput{Kind: model.FeedbackKindNewRisk, Text: "x", AboutID: owner}))},
		{"FeedbackBadKind", model.EINVALID, "input.kind", fbErr(db.SubmitFeedback(t.Context(), ownerAnalyst, model.FeedbackInput{Kind: "PRAISE", Text: "x", AboutID: private}))},
		{"FeedbackAuthorOrgGone", model.ENOTFOUND, "", fbErr(db.SubmitFeedback(t.Context(), ghost, model.FeedbackInput{Kind: model.FeedbackKindNewRisk, Text: "x", AboutID: target}))},
		{"FeedbackNoAuthor", model.EUNAUTHENTICATED, "", fbErr(db.SubmitFeedback(t.Context(), nil, model.FeedbackInput{Kind: model.FeedbackKindNewRisk, Text: "x", AboutID: target}))},
		{"RespondBadStatus", model.EINVALID, "input.status", fbErr(db.RespondToFeedback(t.Context(), model.FeedbackResponseInput{ID: p + "x", Status: "DONE"}))},
		{"RespondUnknown", model.ENOTFOUND, "input.id", fbErr(db.RespondToFeedback(t.Context(), model.FeedbackResponseInput{ID: p + "x", Status: model.FeedbackStatusAcknowledged}))},
		{"OpinionOnPrivateAssessment", model.ENOTFOUND, "input.aboutId", fbErr(db.ExpressOpinion(t.Context(), stranger, model.OpinionInput{AboutID: assessment, Stance: model.StanceAgree, Rationale: "x"}))},
		{"OpinionBadStance", model.EINVALID, "input.stance", fbErr(db.ExpressOpinion(t.Context(), ownerAnalyst, model.OpinionInput{AboutID: assessment, Stance: "MAYBE", Rationale: "x"}))},
		{"OpinionAuthorOrgGone", model.ENOTFOUND, "", fbErr(db.ExpressOpinion(t.Context(), ghost, model.OpinionInput{AboutID: target, Stance: model.StanceAgree, Rationale: "x"}))},
		{"WithdrawUnknown", model.ENOTFOUND, "id", db.WithdrawOpinion(t.Context(), p+"x")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if model.ErrorCode(tt.err) != tt.code || model.ErrorField(tt.err) != tt.field {
				t.Errorf("error %v, want %s on %q", tt.err, tt.code, tt.field)
			}
		})
	}
	if after := neo4jtest.Snapshot(t, p); after != before {
		t.Errorf("the graph changed:\nbefore %s\nafter  %s", before, after)
	}
	if after := neo4jtest.FeedbackSnapshot(t, p); after != beforeFB {
		t.Errorf("feedback changed:\nbefore %s\nafter  %s", beforeFB, after)
	}

	// The owner's own analyst may give feedback on the private assessment;
	// it is routed back to the owner with the analysis's version.
	fb, err := db.SubmitFeedback(t.Context(), ownerAnalyst, model.FeedbackInput{Kind: model.FeedbackKindMeritDemerit, Text: "ok", AboutID: assessment})
	if err != nil {
		t.Fatal(err)
	}
	if fb.RoutedToID == nil || *fb.RoutedToID != owner || fb.AboutVersion == nil || *fb.AboutVersion != 1 || fb.RoutedToDepartmentID != nil || fb.Sector != "home" {
		t.Errorf("feedback %+v", fb)
	}
}

func fbErr[T any](_ T, err error) error { return err }
