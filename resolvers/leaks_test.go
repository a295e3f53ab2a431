package resolvers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
)

// TestHiddenIDsAnswerAsMissing checks, for every operation that takes the
// id of something private (an analysis, assessment, feedback, opinion,
// insurance policy or token), that a caller who may not read it gets
// exactly the answer a missing id gets: the same code, the same message
// but for the id, the same path and field. Another organization's analyst
// (an org-admin for tokens) asks about organization A's private things.
func TestHiddenIDsAnswerAsMissing(t *testing.T) {
	t.Parallel()
	s := newPPInsurance(t)
	analystA, adminA := s.tok[model.RoleAnalyst], s.tok[model.RoleOrgAdmin]
	analystB, adminB := s.otok[model.RoleAnalyst], s.otok[model.RoleOrgAdmin]
	private, public := s.prefix+"private", s.prefix+"public"
	for id, v := range map[string]string{private: "PRIVATE", public: "PUBLIC"} {
		s.ok(analystA, `mutation($id: ID!, $t: ID!, $v: Visibility) { createAnalysis(input: {id: $id, targetId: $t, title: "A", visibility: $v}) { id } }`,
			map[string]any{"id": id, "t": s.target, "v": v}, nil)
	}
	var as struct{ AssessIncident struct{ ID string } }
	s.ok(analystA, `mutation($a: ID!, $i: ID!) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: 1, axis2: 1}) { id } }`,
		map[string]any{"a": private, "i": s.inc1}, &as)
	assessment := as.AssessIncident.ID
	policy := s.prefix + "policy"
	s.ok(analystA, ppCreatePolicy, map[string]any{"in": s.policy(policy, s.org)}, nil)
	var fb struct{ SubmitFeedback struct{ ID string } }
	s.ok(analystA, `mutation($a: ID!) { submitFeedback(input: {kind: NEW_RISK, text: "t", aboutId: $a}) { id } }`, map[string]any{"a": private}, &fb)
	var op struct{ ExpressOpinion struct{ ID string } }
	s.ok(analystA, `mutation($a: ID!) { expressOpinion(input: {aboutId: $a, stance: AGREE, rationale: "r"}) { id } }`, map[string]any{"a": assessment}, &op)
	var toks struct{ Tokens []struct{ ID string } }
	s.ok(adminA, `{ tokens { id } }`, nil, &toks)
	token := toks.Tokens[0].ID
	privateB := s.prefix + "privateB"
	s.ok(analystB, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "B"}) { id } }`,
		map[string]any{"id": privateB, "t": s.target}, nil)
	missing := s.prefix + "missing"

	for _, tt := range []struct {
		name, caller, query string
		hidden, missing     string // the id given to $id
		vars                map[string]any
	}{
		{"analysis/updateAnalysis", analystB, `mutation($id: ID!) { updateAnalysis(id: $id, input: {title: "x"}) { id } }`, private, missing, nil},
		{"analysis/deleteAnalysis", analystB, `mutation($id: ID!) { deleteAnalysis(id: $id) }`, private, missing, nil},
		{"analysis/submitAnalysis", analystB, `mutation($id: ID!) { submitAnalysis(id: $id) { id } }`, private, missing, nil},
		{"analysis/reviseAnalysis", analystB, `mutation($id: ID!) { reviseAnalysis(id: $id) { id } }`, private, missing, nil},
		{"analysis/setAnalysisPolicies", analystB, `mutation($id: ID!) { setAnalysisPolicies(id: $id, policyIds: []) { id } }`, private, missing, nil},
		{"analysis/assessIncident", analystB, `mutation($id: ID!, $i: ID!) { assessIncident(input: {analysisId: $id, incidentId: $i, axis1: 1, axis2: 1}) { id } }`, private, missing, map[string]any{"i": s.inc2}},
		{"analysis/markClausesNotApplicable", analystB, `mutation($id: ID!, $c: ID!) { markClausesNotApplicable(analysisId: $id, marks: [{clauseId: $c, reason: "r"}]) { id } }`, private, missing, map[string]any{"c": s.clause}},
		{"analysis/clearClausesNotApplicable", analystB, `mutation($id: ID!, $c: ID!) { clearClausesNotApplicable(analysisId: $id, clauseIds: [$c]) { id } }`, private, missing, map[string]any{"c": s.clause}},
		{"analysis/insuranceGaps", analystB, `query($id: ID!) { insuranceGaps(analysisId: $id) { analysis { id } } }`, private, missing, nil},
		{"analysis/guidelineCoverage", analystB, `query($id: ID!, $g: ID!) { guidelineCoverage(analysisId: $id, guidelineId: $g) { __typename } }`, private, missing, map[string]any{"g": s.guideline}},
		{"analysis/diffAnalyses", analystB, `query($id: ID!, $b: ID!) { diffAnalyses(a: $id, b: $b) { __typename } }`, private, missing, map[string]any{"b": public}},
		{"analysis/compareAnalyses", analystB, `query($id: ID!, $t: ID!) { compareAnalyses(targetId: $t, analysisIds: [$id]) { revision } }`, private, missing, map[string]any{"t": s.target}},
		{"analysis/respondToFeedback.answeredById", adminA, `mutation($id: ID!, $f: ID!) { respondToFeedback(input: {id: $f, status: ACCEPTED, answer: "a", answeredById: $id}) { id } }`, privateB, missing, map[string]any{"f": fb.SubmitFeedback.ID}},
		{"assessment/removeAssessment", analystB, `mutation($id: ID!) { removeAssessment(id: $id) }`, assessment, missing, nil},
		{"assessment/submitFeedback", analystB, `mutation($id: ID!) { submitFeedback(input: {kind: NEW_RISK, text: "t", aboutId: $id}) { id } }`, assessment, missing, nil},
		{"assessment/expressOpinion", analystB, `mutation($id: ID!) { expressOpinion(input: {aboutId: $id, stance: AGREE, rationale: "r"}) { id } }`, assessment, missing, nil},
		{"feedback/respondToFeedback", adminB, `mutation($id: ID!) { respondToFeedback(input: {id: $id, status: ACKNOWLEDGED}) { id } }`, fb.SubmitFeedback.ID, missing, nil},
		{"opinion/withdrawOpinion", analystB, `mutation($id: ID!) { withdrawOpinion(id: $id) }`, op.ExpressOpinion.ID, missing, nil},
		{"policy/updateInsurancePolicy", analystB, `mutation($id: ID!, $in: InsurancePolicyInput!) { updateInsurancePolicy(id: $id, input: $in) { id } }`, policy, missing, map[string]any{"in": s.policy("", s.other)}},
		{"policy/deleteInsurancePolicy", analystB, `mutation($id: ID!) { deleteInsurancePolicy(id: $id) }`, policy, missing, nil},
		{"token/revokeToken", adminB, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, token, "0000000000000000", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			answer := func(id string) string {
				vars := map[string]any{"id": id}
				for k, v := range tt.vars {
					vars[k] = v
				}
				r := s.do(tt.caller, tt.query, vars)
				if len(r.Errors) == 0 {
					t.Fatalf("%s succeeded: %s", id, r.Data)
				}
				b, _ := json.Marshal(r.Errors)
				return strings.ReplaceAll(string(b), id, "ID")
			}
			hidden, gone := answer(tt.hidden), answer(tt.missing)
			if hidden != gone {
				t.Errorf("a hidden id is answered\n  %s\na missing one\n  %s", hidden, gone)
			}
		})
	}
	// An import that names A's private analysis is refused as an id in
	// use, as createAnalysis refuses it, without naming its owner.
	doc := func(id string) string {
		return `apiVersion: ssfgraph/v1
kind: AnalysisDocument
organization: {id: ` + s.other + `, name: ` + s.other + `, sector: ` + s.prefix + `insurance}
target: {id: ` + s.target + `, name: Boiler, sector: home}
analysis: {id: ` + id + `, title: Mine, status: DRAFT, version: 1, visibility: PRIVATE}
`
	}
	const importDoc = `mutation($c: String!) { importDocument(format: NATIVE, content: $c) { __typename } }`
	for _, tt := range []struct{ name, query string }{
		{"importDocument", importDoc},
		{"createAnalysis", `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "B"}) { id } }`},
	} {
		r := s.do(analystB, tt.query, map[string]any{"c": doc(private), "id": private, "t": s.target})
		if len(r.Errors) != 1 || r.code() != "CONFLICT" || r.Errors[0].Message != fmt.Sprintf("analysis %s already exists", private) {
			t.Errorf("%s of A's private analysis id: %+v, want CONFLICT \"analysis %s already exists\"", tt.name, r.Errors, private)
		}
	}

	// Those who may read the things still learn that they may not change
	// them.
	for _, tt := range []struct{ name, caller, query, id string }{
		{"PublicAnalysis", analystB, `mutation($id: ID!) { deleteAnalysis(id: $id) }`, public},
		{"OwnPolicy", s.tok[model.RoleViewer], `mutation($id: ID!) { deleteInsurancePolicy(id: $id) }`, policy},
	} {
		if r := s.do(tt.caller, tt.query, map[string]any{"id": tt.id}); r.code() != "FORBIDDEN" {
			t.Errorf("%s: %s, want FORBIDDEN", tt.name, fmt.Sprint(r.Errors))
		}
	}
}

// TestComparisonUpdatedOnlyForVisibleChanges checks that a comparisonUpdated
// subscriber of organization B gets an event when a PUBLIC analysis of the
// target changes and none when organization A's PRIVATE one does (though
// A's own subscriber gets one): an event with a new revision and the same
// content would tell B that something it may not see changed.
func TestComparisonUpdatedOnlyForVisibleChanges(t *testing.T) {
	t.Parallel()
	e := newComparisonEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	const sub = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { ` + comparisonFields + ` } }`
	subA := e.subscribe(ctx, t, wsclient.TransportWS, e.analystA, sub, map[string]any{"t": e.target})
	subB := e.subscribe(ctx, t, wsclient.TransportWS, e.analystB, sub, map[string]any{"t": e.target})
	nextComparison(ctx, t, subA)
	first := nextComparison(ctx, t, subB)
	ids := func(ev comparisonEvent) []string {
		var out []string
		for _, a := range ev.Analyses {
			out = append(out, a.Analysis.ID)
		}
		return out
	}
	// waitA reads A's events until one newer than after shows id.
	waitA := func(after int, id string) int {
		t.Helper()
		for {
			ev := nextComparison(ctx, t, subA)
			if ev.Revision > after && slices.Contains(ids(ev), id) {
				return ev.Revision
			}
		}
	}

	private := e.draft(t, e.analystA, e.prefix+"private")
	rev := waitA(first.Revision, private)
	public := e.prefix + "public"
	e.mustDo(t, e.analystA, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Open", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": public, "t": e.target})
	ev := nextComparison(ctx, t, subB)
	if got := ids(ev); !slices.Equal(got, []string{public}) || ev.Revision <= rev {
		t.Fatalf("B's next event: revision %d with %v, want one newer than %d with only %s (none for A's private analysis)", ev.Revision, got, rev, public)
	}

	e.mustDo(t, e.analystA, `mutation($id: ID!) { updateAnalysis(id: $id, input: {title: "Renamed"}) { id } }`, map[string]any{"id": private})
	waitA(ev.Revision, private)
	quiet, stop := context.WithTimeout(ctx, time.Second)
	defer stop()
	if _, payload, err := subB.NextData(quiet); err == nil {
		t.Errorf("B got an event when only A's private analysis changed: %s", payload)
	}
}

// TestOpinionIDsAreRandom checks that an opinion's id cannot be computed
// from the organization and the node it is about (it was a hash of the
// two), and that a second opinion of the organization keeps the first's.
func TestOpinionIDsAreRandom(t *testing.T) {
	t.Parallel()
	s := newPPInsurance(t)
	analyst := s.tok[model.RoleAnalyst]
	express := func(stance string) string {
		var op struct{ ExpressOpinion struct{ ID string } }
		s.ok(analyst, `mutation($a: ID!, $s: Stance!) { expressOpinion(input: {aboutId: $a, stance: $s, rationale: "r"}) { id } }`,
			map[string]any{"a": s.threat, "s": stance}, &op)
		return op.ExpressOpinion.ID
	}
	id := express("AGREE")
	sum := sha256.Sum256([]byte(s.org + "\x00" + s.threat))
	if derived := "opinion-" + hex.EncodeToString(sum[:16]); id == derived {
		t.Errorf("opinion id %s is the hash of the organization and the node", id)
	}
	if !regexp.MustCompile(`^opinion-[0-9a-f]{32}$`).MatchString(id) {
		t.Errorf("opinion id %q, want opinion- and 128 random bits in hex", id)
	}
	if again := express("DISAGREE"); again != id {
		t.Errorf("a second opinion got id %s, want the first's %s", again, id)
	}
}

// TestImportedAssessmentIDsAreRandom checks that an assessment a native
// document leaves without an id is stored under a random id, not the one
// derived from the analysis and incident ids (which stays its natural key),
// and that loading the document again updates it instead of adding one.
func TestImportedAssessmentIDsAreRandom(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst := e.tokens[model.RoleAnalyst]
	natural := e.p + "analysis:as:" + e.p + "inc"
	ids := func() []string {
		t.Helper()
		var out struct {
			Analysis struct {
				Assessments []struct{ ID, Rationale string }
			}
		}
		e.must(t, analyst, `query($id: ID!) { analysis(id: $id) { assessments { id rationale } } }`, map[string]any{"id": e.p + "analysis"}, &out)
		var got []string
		for _, s := range out.Analysis.Assessments {
			got = append(got, s.ID+" "+s.Rationale)
		}
		return got
	}
	e.mustImport(t, analyst, "NATIVE", e.native(e.org, "DRAFT", "first"), "doc", false)
	first := ids()
	if len(first) != 1 || strings.HasPrefix(first[0], natural+" ") ||
		!regexp.MustCompile(`^`+regexp.QuoteMeta(e.p)+`analysis:as-[0-9a-f]{32} first$`).MatchString(first[0]) {
		t.Fatalf("assessments after the first load: %v, want one with a random id (not %s)", first, natural)
	}
	e.mustImport(t, analyst, "NATIVE", e.native(e.org, "DRAFT", "second"), "doc", false)
	id := strings.Fields(first[0])[0]
	if again := ids(); !slices.Equal(again, []string{id + " second"}) {
		t.Errorf("assessments after loading again: %v, want [%s second]", again, id)
	}
}
