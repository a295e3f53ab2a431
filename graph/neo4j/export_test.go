package neo4j

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// ConstraintNames returns the names of the constraints in db's database.
func ConstraintNames(ctx context.Context, db *DB) (map[string]bool, error) {
	res, err := db.read(ctx, "test", "", "SHOW CONSTRAINTS YIELD name RETURN name", nil)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, r := range res {
		names[r.Values[0].(string)] = true
	}
	return names, nil
}

// exportObserver counts the queries of each operation.
type exportObserver struct {
	mu  sync.Mutex
	ops map[string]int
}

func (o *exportObserver) ObserveQuery(op string, _ time.Duration, _ error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ops[op]++
}

// TestExportAnalysis reads back, in one round trip, an analysis written
// through the store's mutations. It runs inside the package (to count the
// round trips), so it connects to the test database itself: NEO4J_URI, or
// the local instance of `make neo4j-start`, migrating it only if no test
// has yet; it uses ids with a unique prefix and deletes them afterwards.
func TestExportAnalysis(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		uri = "bolt://127.0.0.1:7687"
	}
	db := NewDB(uri)
	db.Username, db.Password = os.Getenv("NEO4J_USERNAME"), os.Getenv("NEO4J_PASSWORD")
	if err := db.Connect(ctx); err != nil {
		t.Fatalf("Neo4j unreachable at %s: %v\nstart it with: make neo4j-start", uri, err)
	}
	if db.Ready(ctx) != nil {
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) }) // after the clean-up below
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	p := "x" + hex.EncodeToString(buf) + "-"
	t.Cleanup(func() {
		_, err := db.write(context.Background(), "test", "", `MATCH (n) WHERE n.id STARTS WITH $p DETACH DELETE n`, map[string]any{"p": p})
		if err != nil {
			t.Logf("cleaning up %s: %v", p, err)
		}
	})
	str := func(s string) *string { return &s }
	num := func(f float64) *float64 { return &f }
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	org, other := p+"org", p+"other"
	must(db.CreateOrganization(ctx, model.OrganizationInput{ID: str(org), Name: "Org", Sector: "home"}))
	must(db.CreateOrganization(ctx, model.OrganizationInput{ID: str(other), Name: "Other", Sector: "home"}))
	must(db.CreateDepartment(ctx, model.DepartmentInput{ID: str(p + "dept"), OrganizationID: org, Name: "Ops"}))
	must(db.CreateDepartment(ctx, model.DepartmentInput{ID: str(p + "dept-other"), OrganizationID: other, Name: "Not ours"}))
	must(db.CreateTarget(ctx, "", model.TargetInput{ID: str(p + "target"), Name: "Target", Sector: "home"}))
	must(db.CreateTarget(ctx, "", model.TargetInput{ID: str(p + "target2"), Name: "Another target", Sector: "home"}))
	for _, a := range []string{"a1", "a2", "a3"} {
		must(db.CreateAsset(ctx, model.AssetInput{ID: str(p + a), TargetID: p + "target", Name: a, Kind: "component"}))
	}
	must(db.CreateAsset(ctx, model.AssetInput{ID: str(p + "elsewhere"), TargetID: p + "target2", Name: "x", Kind: "component"}))
	must(db.ConnectAssets(ctx, p+"a1", p+"a2"))
	must(db.CreateIncident(ctx, model.IncidentInput{ID: str(p + "inc"), TargetID: p + "target", Name: "Incident", Consequence: "property"}))
	must(db.CreateIncident(ctx, model.IncidentInput{ID: str(p + "inc-unassessed"), TargetID: p + "target", Name: "Unassessed", Consequence: "other"}))
	must(db.CreateThreat(ctx, model.ThreatInput{ID: str(p + "threat"), Name: "Threat", Kind: "cyber-attack", ExternalID: str("T0866")}))
	must(db.CreateThreat(ctx, model.ThreatInput{ID: str(p + "covered"), Name: "Covered only", Kind: "failure"}))
	must(db.CreateThreat(ctx, model.ThreatInput{ID: str(p + "unused"), Name: "Unused", Kind: "failure"}))
	must(db.CreateMeasure(ctx, model.MeasureInput{ID: str(p + "measure"), Name: "Measure", Perspective: "P1", Kind: "technical"}))
	must(db.CreateMeasure(ctx, model.MeasureInput{ID: str(p + "required"), Name: "Required only", Perspective: "P4", Kind: "contractual"}))
	must(db.CreateGuideline(ctx, model.GuidelineInput{ID: str(p + "g"), Title: "G", Publisher: "P", Version: "1"}))
	must(db.CreateClause(ctx, model.ClauseInput{ID: str(p + "g:1"), GuidelineID: p + "g", Ref: "1", Title: "One"}))
	rel := model.MappingRelationshipSubsetOf
	must(db.LinkMeasureToClause(ctx, model.MeasureClauseInput{MeasureID: p + "measure", ClauseID: p + "g:1", Relationship: &rel, Coverage: num(0.5)}))
	vis := model.VisibilityShared
	must(db.CreateAnalysis(ctx, org, model.AnalysisInput{ID: str(p + "analysis"), TargetID: p + "target", Title: "Analysis", Visibility: &vis,
		SharedWithOrganizationIds: []string{other}}))
	must(db.AssessIncident(ctx, model.AssessIncidentInput{AnalysisID: p + "analysis", IncidentID: str(p + "inc"), Axis1: 2, Axis2: 3,
		EstimatedLossJpy: num(1e6), OwnerDepartmentID: str(p + "dept"), Threats: []*model.ThreatRefInput{{ID: str(p + "threat")}},
		AssetIds: []string{p + "a1", p + "a3"}, Treatments: []*model.TreatmentInput{{MeasureID: str(p + "measure"), Status: model.TreatmentStatusVerified}}}))
	must(db.CreateInsurancePolicy(ctx, model.InsurancePolicyInput{ID: str(p + "policy"), Insurer: "I", HolderID: org, Product: "P",
		PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31", AggregateLimitJpy: 100, Lines: []*model.CoverageLineInput{{ID: str(p + "line"),
			Type: "t", LimitJpy: 50, CoversIncidentIds: []string{p + "inc"}, CoversThreatIds: []string{p + "covered"},
			RequiresMeasureIds: []string{p + "required"}, RequiresClauseIds: []string{p + "g:1"}}}}))
	must(db.SetAnalysisPolicies(ctx, p+"analysis", []string{p + "policy"}))
	must(db.MarkClausesNotApplicable(ctx, p+"analysis", []*model.NotApplicableInput{{ClauseID: p + "g:1", Reason: "No such part."}}))

	obs := &exportObserver{ops: map[string]int{}}
	db.Observer = obs
	doc, err := db.ExportAnalysis(ctx, p+"analysis")
	if err != nil {
		t.Fatal(err)
	}
	if n := obs.ops["neo4j.ExportAnalysis"]; n != 1 {
		t.Errorf("ExportAnalysis made %d round trips, want 1", n)
	}
	ids := func(n int, id func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.TrimPrefix(id(i), p)
		}
		slices.Sort(out)
		return out
	}
	for _, tt := range []struct {
		what      string
		got, want any
	}{
		{"organization", doc.Organization.ID, org},
		{"departments", ids(len(doc.Organization.Departments), func(i int) string { return doc.Organization.Departments[i].ID }), []string{"dept"}},
		{"assets", ids(len(doc.Target.Assets), func(i int) string { return doc.Target.Assets[i].ID }), []string{"a1", "a2", "a3"}},
		{"incidents", ids(len(doc.Target.Incidents), func(i int) string { return doc.Target.Incidents[i].ID }), []string{"inc", "inc-unassessed"}},
		{"threats", ids(len(doc.Threats), func(i int) string { return doc.Threats[i].ID }), []string{"covered", "threat"}},
		{"measures", ids(len(doc.Measures), func(i int) string { return doc.Measures[i].ID }), []string{"measure", "required"}},
		{"shared with", doc.Analysis.SharedWithOrganizationIDs, []string{other}},
		{"policies", doc.Analysis.Policies, []string{p + "policy"}},
		{"assessments", len(doc.Analysis.Assessments), 1},
		{"not applicable", doc.Analysis.NotApplicable, []ingest.DocNotApplicable{{Clause: p + "g:1", Reason: "No such part."}}},
		{"created", doc.Analysis.CreatedAt != nil, true},
		{"submitted", doc.Analysis.SubmittedAt == nil, true},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	s := doc.Analysis.Assessments[0]
	if s.Incident != p+"inc" || s.Axis1 != 2 || s.Axis2 != 3 || s.Category == nil || *s.Category != 3 || s.EstimatedLossJPY == nil || *s.EstimatedLossJPY != 1e6 ||
		s.OwnerDepartment != p+"dept" || len(s.Assets) != 2 || len(s.Threats) != 1 || len(s.Treatments) != 1 ||
		s.Treatments[0].Measure != p+"measure" || s.Treatments[0].Perspective != "P1" || s.Treatments[0].Status != "VERIFIED" || s.Treatments[0].ID == "" {
		t.Errorf("assessment = %+v", s)
	}
	for _, m := range doc.Measures {
		if m.ID == p+"measure" && (len(m.Clauses) != 1 || m.Clauses[0].Relationship != "SUBSET_OF" || m.Clauses[0].Coverage == nil || m.Clauses[0].Rationale != nil) {
			t.Errorf("measure clauses = %+v", m.Clauses)
		}
	}
	if l := doc.Policies[0].Lines; len(l) != 1 || len(l[0].CoversIncidentIDs) != 1 || len(l[0].RequiresClauseIDs) != 1 || l[0].DeductibleJPY != 0 || doc.Policies[0].HolderID != org {
		t.Errorf("policy = %+v", doc.Policies[0])
	}

	for _, tt := range []struct{ id, code string }{{p + "nothing", model.ENOTFOUND}, {"bad id!", model.EINVALID}} {
		if _, err := db.ExportAnalysis(ctx, tt.id); model.ErrorCode(err) != tt.code {
			t.Errorf("ExportAnalysis(%q) = %v, want %s", tt.id, err, tt.code)
		}
	}
}

// AnalysisReadable evaluates analysisReadable, as Neo4j does, on each of
// the analyses (maps with the stored properties) for viewer p, by id.
func AnalysisReadable(ctx context.Context, db *DB, p *model.Principal, analyses []map[string]any) (map[string]bool, error) {
	return evalPredicate(ctx, db, p, `UNWIND $rows AS a RETURN a.id, coalesce(`+analysisReadable("a")+`, false)`, analyses)
}

// FeedbackReadable evaluates feedbackReadable, as Neo4j does, on the
// stored feedback with the given ids for viewer p, by id.
func FeedbackReadable(ctx context.Context, db *DB, p *model.Principal, ids []string) (map[string]bool, error) {
	return evalPredicate(ctx, db, p, `UNWIND $rows AS id MATCH (n:`+model.LabelFeedback+` {id: id}) RETURN id, coalesce(`+feedbackReadable("n")+`, false)`, ids)
}

// PolicyReadable evaluates policyReadable, as Neo4j does, on the stored
// insurance policies with the given ids for viewer p, by id.
func PolicyReadable(ctx context.Context, db *DB, p *model.Principal, ids []string) (map[string]bool, error) {
	return evalPredicate(ctx, db, p, `UNWIND $rows AS id MATCH (n:`+model.LabelInsurancePolicy+` {id: id}) RETURN id, coalesce(`+policyReadable("n")+`, false)`, ids)
}

// InlineReadable evaluates inlineReadable, as Neo4j does, on each of the
// nodes (maps with id and privateTo) for viewer p, by id.
func InlineReadable(ctx context.Context, db *DB, p *model.Principal, nodes []map[string]any) (map[string]bool, error) {
	return evalPredicate(ctx, db, p, `UNWIND $rows AS n RETURN n.id, coalesce(`+inlineReadable("n")+`, false)`, nodes)
}

// evalPredicate runs cypher over rows for viewer p and returns its answers
// (id, bool) by id.
func evalPredicate[R any](ctx context.Context, db *DB, p *model.Principal, cypher string, rows []R) (map[string]bool, error) {
	params := viewerParams(p)
	params["rows"] = rows
	recs, err := db.read(ctx, "test", "", cypher, params)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range recs {
		out[r.Values[0].(string)] = r.Values[1].(bool)
	}
	return out, nil
}
