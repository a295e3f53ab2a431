package neo4j_test

import (
	"reflect"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// TestComparisonRefsFollowEveryWrite checks, after each write that changes
// what an assessment's relationships name (assessing, re-assessing,
// removing, cascading deletes of a threat, an asset, a measure and an
// incident, submitting, revising, loading a document), that every
// assessment's stored comparison refs agree with its relationships, and
// what they hold for one assessment followed through the steps.
func TestComparisonRefsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	ctx := t.Context()
	str := func(s string) *string { return &s }
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	org, target, analysis := p+"org", p+"target", p+"analysis"
	must(db.CreateOrganization(ctx, model.OrganizationInput{ID: str(org), Name: "Org", Sector: "home"}))
	must(db.CreateTarget(ctx, "", model.TargetInput{ID: str(target), Name: "Target", Sector: "home"}))
	for _, a := range []string{"a1", "a2"} {
		must(db.CreateAsset(ctx, model.AssetInput{ID: str(p + a), TargetID: target, Name: a, Kind: "component"}))
	}
	for _, i := range []string{"i1", "i2", "i3"} {
		must(db.CreateIncident(ctx, model.IncidentInput{ID: str(p + i), TargetID: target, Name: i, Consequence: "property"}))
	}
	for _, x := range []string{"th1", "th2"} {
		must(db.CreateThreat(ctx, model.ThreatInput{ID: str(p + x), Name: x, Kind: "failure"}))
	}
	must(db.CreateMeasure(ctx, model.MeasureInput{ID: str(p + "m1"), Name: "m1", Perspective: "P1", Kind: "technical"}))
	must(db.CreateMeasure(ctx, model.MeasureInput{ID: str(p + "m2"), Name: "m2", Perspective: "P2", Kind: "technical"}))
	must(db.CreateAnalysis(ctx, org, model.AnalysisInput{ID: str(analysis), TargetID: target, Title: "Analysis"}))
	assess := func(incident string, threats, assets []string, measures ...string) string {
		t.Helper()
		in := model.AssessIncidentInput{AnalysisID: analysis, IncidentID: str(p + incident), Axis1: 2, Axis2: 3}
		for _, x := range threats {
			in.Threats = append(in.Threats, &model.ThreatRefInput{ID: str(p + x)})
		}
		for _, x := range assets {
			in.AssetIds = append(in.AssetIds, p+x)
		}
		for i, m := range measures {
			in.Treatments = append(in.Treatments, &model.TreatmentInput{MeasureID: str(p + m), Status: []model.TreatmentStatus{model.TreatmentStatusVerified, model.TreatmentStatusPlanned}[i%2]})
		}
		s, err := db.AssessIncident(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	// check fails the test when a stored value disagrees with the
	// relationships, and when the refs of assessment id (if any) are not
	// want (ids without the prefix).
	check := func(step, id string, want ...string) {
		t.Helper()
		stale, err := db.StaleComparisonRefs(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(stale) > 0 {
			t.Errorf("after %s, stale comparison refs: %v", step, stale)
		}
		if id == "" {
			return
		}
		var got []string
		raw, _ := neo4jtest.PeopleProperty(t, id, "comparisonRefs").([]any)
		for _, v := range raw {
			s, _ := v.(string)
			if len(s) > len(p) && s[:len(p)] == p {
				s = s[len(p):]
			}
			got = append(got, s)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after %s, comparison refs of %s = %q, want %q", step, id, got, want)
		}
	}

	s1 := assess("i1", []string{"th2", "th1"}, []string{"a2", "a1"}, "m2", "m1")
	check("assessIncident", s1, "th1", "th2", "", "a1", "a2", "", "m1", "P1", "PLANNED", "m2", "P2", "VERIFIED")
	s1 = assess("i1", []string{"th2"}, []string{"a1"}, "m1")
	check("assessIncident again", s1, "th2", "", "a1", "", "m1", "P1", "VERIFIED")
	s1 = assess("i1", []string{"th1", "th2"}, []string{"a1", "a2"}, "m1", "m2")
	s2 := assess("i2", []string{"th1"}, nil, "m1")
	s3 := assess("i3", []string{"th2"}, []string{"a2"}, "m2")
	check("more assessments", s2, "th1", "", "", "m1", "P1", "VERIFIED")
	if err := db.RemoveAssessment(ctx, s3); err != nil {
		t.Fatal(err)
	}
	check("removeAssessment", "")
	if err := db.DeleteThreat(ctx, p+"th2", true); err != nil {
		t.Fatal(err)
	}
	check("deleteThreat (cascade)", s1, "th1", "", "a1", "a2", "", "m1", "P1", "VERIFIED", "m2", "P2", "PLANNED")
	if err := db.DeleteAsset(ctx, p+"a2", true); err != nil {
		t.Fatal(err)
	}
	check("deleteAsset (cascade)", s1, "th1", "", "a1", "", "m1", "P1", "VERIFIED", "m2", "P2", "PLANNED")
	if err := db.DeleteMeasure(ctx, p+"m2", true); err != nil {
		t.Fatal(err)
	}
	check("deleteMeasure (cascade)", s1, "th1", "", "a1", "", "m1", "P1", "VERIFIED")
	if err := db.DeleteIncident(ctx, p+"i2", true); err != nil {
		t.Fatal(err)
	}
	check("deleteIncident (cascade)", s1, "th1", "", "a1", "", "m1", "P1", "VERIFIED")
	must(db.SubmitAnalysis(ctx, analysis))
	check("submitAnalysis", s1, "th1", "", "a1", "", "m1", "P1", "VERIFIED")
	next, err := db.ReviseAnalysis(ctx, analysis)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := db.AnalysisSnapshots(ctx, []string{next.ID})
	if err != nil || len(snaps) != 1 || len(snaps[0].Assessments) != 1 {
		t.Fatalf("AnalysisSnapshots(%s) = %v, %v", next.ID, snaps, err)
	}
	copied := snaps[0].Assessments[0].ID
	if got, want := snaps[0].Assessments[0], (model.AssessmentSnapshot{ThreatIDs: []string{p + "th1"}, AssetIDs: []string{p + "a1"},
		Treatments: []model.TreatmentRef{{MeasureID: p + "m1", Perspective: "P1", Status: model.TreatmentStatusVerified}}}); !reflect.DeepEqual(got.ThreatIDs, want.ThreatIDs) ||
		!reflect.DeepEqual(got.AssetIDs, want.AssetIDs) || !reflect.DeepEqual(got.Treatments, want.Treatments) || got.Submitted != nil {
		t.Errorf("the revised analysis's snapshot = %+v, want the refs of %+v and nothing submitted", got, want)
	}
	check("reviseAnalysis", copied, "th1", "", "a1", "", "m1", "P1", "VERIFIED")

	must(db.CreateThreat(ctx, model.ThreatInput{ID: str(p + "th3"), Name: "th3", Kind: "failure"}))
	treatments := neo4jtest.PeopleRelated(t, copied, model.RelTreatedBy)
	if len(treatments) != 1 {
		t.Fatalf("treatments of %s = %v", copied, treatments)
	}
	must(db.LoadBatch(ctx, &ingest.Batch{Source: "test", Format: ingest.FormatNative,
		Nodes: []ingest.Node{{Label: model.LabelTreatment, ID: treatments[0], Props: map[string]any{"status": "PLANNED"}}},
		Rels:  []ingest.Rel{{Type: model.RelCausedBy, FromLabel: model.LabelAssessment, From: copied, ToLabel: model.LabelThreat, To: p + "th3"}},
	}, false))
	check("a load", copied, "th1", "th3", "", "a1", "", "m1", "P1", "PLANNED")
	check("a load, the submitted version", s1, "th1", "", "a1", "", "m1", "P1", "VERIFIED")
}
