package resolvers_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

const igQuery = `query($id: ID!) { insuranceGaps(analysisId: $id) {
  analysis { id } policySource policies { id }
  entries {
    assessment { id } incident { id } category estimatedLossJPY lossJPY lossBasis status irreversible treated
    achievedMeasures { id }
    lines { policy { id } line { id } coversIncident matchedThreats { id } formulaJPY paysJPY cappedByAggregate }
    unmetConditions { policy { id } line { id } measure { id } clause { id } measureStatus reason }
    paidJPY residualJPY uncoveredJPY reason
  }
  summary { assessments counts { status count } irreversible withoutLoss totalLossJPY totalPaidJPY totalResidualJPY }
} }`

// igReport is what igQuery returns.
type igReport struct {
	Analysis     idJSON
	PolicySource string
	Policies     []idJSON
	Entries      []igEntry
	Summary      struct {
		Assessments, Irreversible, WithoutLoss int
		Counts                                 []struct {
			Status string
			Count  int
		}
		TotalLossJPY, TotalPaidJPY, TotalResidualJPY float64
	}
}

type igEntry struct {
	Assessment, Incident      idJSON
	Category                  int
	EstimatedLossJPY, LossJPY *float64
	LossBasis, Status         string
	Irreversible, Treated     bool
	AchievedMeasures          []idJSON
	Lines                     []igLine
	UnmetConditions           []igUnmet
	PaidJPY, ResidualJPY      *float64
	UncoveredJPY              *float64
	Reason                    string
}

type igLine struct {
	Policy, Line        idJSON
	CoversIncident      bool
	MatchedThreats      []idJSON
	FormulaJPY, PaysJPY *float64
	CappedByAggregate   bool
}

type igUnmet struct {
	Policy, Line  idJSON
	Measure       *idJSON
	Clause        *idJSON
	MeasureStatus *string
	Reason        string
}

// igWorld is one organization's analysis of a target with an incident for
// each thing insurance can do, and the policies its organization holds:
//
//	policy p1 (aggregate 1e9): line ok covers inc-insured, requires measure
//	  m-impl and clause c-met; line small (limit 5e7, deductible 2e6)
//	  covers inc-under and inc-noest; line planned covers inc-planned and
//	  requires m-planned and m-absent; line clause covers inc-clause and
//	  requires c-met, c-subset, c-planned and c-partial
//	policy p2 (aggregate 6e7): line big (limit 5e7) covers inc-aggregate;
//	  line threat (limit 4e7) covers threat th1, a cause of inc-aggregate
//	policy p3: line spare covers inc-residual; held but not relied on
//
// The analysis relies on p1 and p2; a second analysis of the same
// organization names no policy.
type igWorld struct {
	*ppEnv
	analysis, bare string
}

// igIncidents are the incidents of igWorld with their ratings: axis-1
// rank, axis-2 rank, estimated loss (0 for none).
var igIncidents = []struct {
	name         string
	axis1, axis2 int
	loss         float64
}{
	{"inc-residual", 4, 2, 5e6}, // not 4×1: TestSetCategoryRuleRoundTrip changes that rule
	{"inc-noest", 1, 4, 0},
	{"inc-under", 1, 3, 2e8},
	{"inc-aggregate", 3, 3, 2e8},
	{"inc-insured", 2, 2, 3e7},
	{"inc-planned", 2, 2, 1e7},
	{"inc-clause", 2, 2, 1e7},
	{"inc-band", 1, 2, 0},
}

func newIGWorld(t *testing.T, o resolvers.Options) *igWorld {
	t.Helper()
	env := newEnv(t, o)
	w := &igWorld{ppEnv: &ppEnv{testEnv: env, t: t, prefix: env.p, org: env.org(t, "org", env.p+"home"), other: env.org(t, "other", env.p+"insurance")}}
	w.tok, w.otok = env.tokensOf(t, w.org), env.tokensOf(t, w.other)
	p := w.prefix
	admin, analyst := w.tok[model.RoleAdmin], w.tok[model.RoleAnalyst]
	w.ok(admin, ppCreateTarget, map[string]any{"in": map[string]any{"id": p + "target", "name": "Boiler", "sector": "home"}}, nil)
	for _, inc := range igIncidents {
		w.ok(admin, ppCreateIncident, map[string]any{"in": map[string]any{"id": p + inc.name, "targetId": p + "target", "name": inc.name, "consequence": "property"}}, nil)
	}
	w.ok(admin, `mutation($in: ThreatInput!) { createThreat(input: $in) { id } }`, map[string]any{"in": map[string]any{"id": p + "th1", "name": "Tampering", "kind": "cyber-attack"}}, nil)
	for _, m := range []string{"m-impl", "m-planned", "m-absent"} {
		w.ok(admin, `mutation($in: MeasureInput!) { createMeasure(input: $in) { id } }`, map[string]any{"in": map[string]any{"id": p + m, "name": m, "perspective": "P1", "kind": "technical"}}, nil)
	}
	w.ok(admin, `mutation($in: GuidelineInput!) { createGuideline(input: $in) { id } }`, map[string]any{"in": map[string]any{"id": p + "gl", "title": "Guide", "publisher": "METI", "version": "1"}}, nil)
	for i, c := range []string{"c-met", "c-subset", "c-planned", "c-partial", "c-mapped", "c-mapped-sub"} {
		w.ok(admin, `mutation($in: ClauseInput!) { createClause(input: $in) { id } }`, map[string]any{"in": map[string]any{"id": p + c, "guidelineId": p + "gl", "ref": string(rune('1' + i)), "title": c}}, nil)
	}
	link := func(measure, clause, rel string, coverage any) {
		w.ok(admin, `mutation($in: MeasureClauseInput!) { linkMeasureToClause(input: $in) { measure { id } } }`,
			map[string]any{"in": map[string]any{"measureId": p + measure, "clauseId": p + clause, "relationship": rel, "coverage": coverage}}, nil)
	}
	link("m-impl", "c-met", "EQUIVALENT_TO", nil)
	link("m-impl", "c-subset", "SUBSET_OF", nil)
	link("m-planned", "c-planned", "EQUAL_TO", 1)
	link("m-impl", "c-partial", "EQUIVALENT_TO", 0.5)
	// Met through a crosswalk: c-met holds all of c-mapped; but only part of c-mapped-sub.
	for _, m := range [][2]string{{"c-mapped", "SUPERSET_OF"}, {"c-mapped-sub", "SUBSET_OF"}} {
		w.ok(admin, `mutation($in: ClauseMappingInput!) { mapClauses(input: $in) { relationship } }`,
			map[string]any{"in": map[string]any{"sourceId": p + "c-met", "targetId": p + m[0], "relationship": m[1]}}, nil)
	}

	line := func(id string, limit, deductible float64, incidents, threats, measures, clauses []string) map[string]any {
		pre := func(ids []string) []string {
			out := make([]string, 0, len(ids))
			for _, x := range ids {
				out = append(out, p+x)
			}
			return out
		}
		return map[string]any{"id": p + id, "type": "all-cyber", "limitJPY": limit, "deductibleJPY": deductible,
			"coversIncidentIds": pre(incidents), "coversThreatIds": pre(threats), "requiresMeasureIds": pre(measures), "requiresClauseIds": pre(clauses)}
	}
	policy := func(id string, aggregate float64, lines ...any) {
		w.ok(analyst, ppCreatePolicy, map[string]any{"in": map[string]any{"id": p + id, "insurer": "Example Mutual", "holderId": w.org, "product": "Cyber",
			"periodStart": "2026-04-01", "periodEnd": "2027-03-31", "aggregateLimitJPY": aggregate, "lines": lines}}, nil)
	}
	ok := line("ok", 5e7, 1e6, []string{"inc-insured"}, nil, []string{"m-impl"}, []string{"c-met"})
	ok["exclusions"] = []string{"war"}
	policy("p1", 1e9, ok,
		line("small", 5e7, 2e6, []string{"inc-under", "inc-noest"}, nil, nil, nil),
		line("planned", 5e7, 0, []string{"inc-planned"}, nil, []string{"m-planned", "m-absent"}, nil),
		line("clause", 5e7, 0, []string{"inc-clause"}, nil, nil, []string{"c-met", "c-subset", "c-planned", "c-partial", "c-mapped", "c-mapped-sub"}))
	policy("p2", 6e7,
		line("big", 5e7, 0, []string{"inc-aggregate"}, nil, nil, nil),
		line("threat", 4e7, 0, nil, []string{"th1"}, nil, nil))
	policy("p3", 1e9, line("spare", 1e9, 0, []string{"inc-residual"}, nil, nil, nil))

	create := func(id string) string {
		w.ok(analyst, `mutation($in: AnalysisInput!) { createAnalysis(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": p + id, "targetId": p + "target", "title": id}}, nil)
		return p + id
	}
	assess := func(analysis, incident string, axis1, axis2 int, loss float64, threats []string, treatments map[string]string) {
		in := map[string]any{"analysisId": analysis, "incidentId": p + incident, "axis1": axis1, "axis2": axis2, "rationale": "r"}
		if loss > 0 {
			in["estimatedLossJPY"] = loss
		}
		var ths []any
		for _, th := range threats {
			ths = append(ths, map[string]any{"id": p + th})
		}
		in["threats"] = ths
		var trs []any
		for m, st := range treatments {
			trs = append(trs, map[string]any{"measureId": p + m, "status": st})
		}
		in["treatments"] = trs
		w.ok(analyst, `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`, map[string]any{"in": in}, nil)
	}
	w.analysis = create("analysis")
	for _, inc := range igIncidents {
		var threats []string
		treatments := map[string]string{}
		switch inc.name {
		case "inc-aggregate":
			threats = []string{"th1"}
		case "inc-insured":
			treatments["m-impl"] = "IMPLEMENTED"
		case "inc-planned":
			treatments["m-planned"] = "PLANNED"
		}
		assess(w.analysis, inc.name, inc.axis1, inc.axis2, inc.loss, threats, treatments)
	}
	w.ok(analyst, `mutation($id: ID!, $ps: [ID!]!) { setAnalysisPolicies(id: $id, policyIds: $ps) { id } }`,
		map[string]any{"id": w.analysis, "ps": []string{p + "p2", p + "p1"}}, nil)
	w.bare = create("bare")
	assess(w.bare, "inc-residual", 4, 2, 5e6, nil, nil)
	return w
}

func (w *igWorld) report(token, analysis string) igReport {
	w.t.Helper()
	var got struct{ InsuranceGaps igReport }
	w.ok(token, igQuery, map[string]any{"id": analysis}, &got)
	return got.InsuranceGaps
}

// entry returns the report's entry of incident name.
func (w *igWorld) entry(r igReport, name string) igEntry {
	w.t.Helper()
	for _, e := range r.Entries {
		if e.Incident.ID == w.prefix+name {
			return e
		}
	}
	w.t.Fatalf("no entry for %s in %+v", name, r.Entries)
	return igEntry{}
}

func igAmount(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// igWantAmounts checks an entry's paid, residual and uncovered amounts (nil for null).
func igWantAmounts(t *testing.T, e igEntry, paid, residual, uncovered any) {
	t.Helper()
	if igAmount(e.PaidJPY) != paid || igAmount(e.ResidualJPY) != residual || igAmount(e.UncoveredJPY) != uncovered {
		t.Errorf("%s: paid %v residual %v uncovered %v, want %v %v %v (%s)", e.Incident.ID,
			igAmount(e.PaidJPY), igAmount(e.ResidualJPY), igAmount(e.UncoveredJPY), paid, residual, uncovered, e.Reason)
	}
}

func (w *igWorld) ids(xs []idJSON) string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, strings.TrimPrefix(x.ID, w.prefix))
	}
	return strings.Join(out, ",")
}

func TestInsuranceGaps(t *testing.T) {
	t.Parallel()
	w := newIGWorld(t, resolvers.Options{})
	r := w.report(w.tok[model.RoleViewer], w.analysis)
	p := w.prefix

	if r.Analysis.ID != w.analysis || r.PolicySource != "RELIED_ON" || w.ids(r.Policies) != "p1,p2" {
		t.Errorf("analysis %s, policySource %s, policies %s; want the relied-on p1,p2", r.Analysis.ID, r.PolicySource, w.ids(r.Policies))
	}

	t.Run("Order", func(t *testing.T) {
		// Category 4, then 3, then 2; within one, the larger loss first
		// (none last), then the incident id.
		var got []string
		for _, e := range r.Entries {
			got = append(got, strings.TrimPrefix(e.Incident.ID, p))
		}
		want := []string{"inc-residual", "inc-noest", "inc-aggregate", "inc-under", "inc-band", "inc-insured", "inc-clause", "inc-planned"}
		if !slices.Equal(got, want) {
			t.Errorf("order %v, want %v", got, want)
		}
	})

	t.Run("Insured", func(t *testing.T) {
		e := w.entry(r, "inc-insured")
		if e.Status != "INSURED" || e.Category != 2 || e.LossBasis != "ESTIMATE" || igAmount(e.EstimatedLossJPY) != 3e7 || !e.Treated || w.ids(e.AchievedMeasures) != "m-impl" {
			t.Errorf("entry %+v", e)
		}
		if len(e.Lines) != 1 || e.Lines[0].Line.ID != p+"ok" || e.Lines[0].Policy.ID != p+"p1" || !e.Lines[0].CoversIncident ||
			igAmount(e.Lines[0].FormulaJPY) != 2.9e7 || igAmount(e.Lines[0].PaysJPY) != 2.9e7 || len(e.UnmetConditions) != 0 {
			t.Errorf("lines %+v, unmet %+v", e.Lines, e.UnmetConditions)
		}
		igWantAmounts(t, e, 2.9e7, 1e6, 0.0)
		if !strings.Contains(e.Reason, "¥29,000,000") || !strings.Contains(e.Reason, "not checked") {
			t.Errorf("reason %q names neither the payment nor the unchecked exclusions", e.Reason)
		}
	})

	t.Run("ConditionUnmetMeasure", func(t *testing.T) {
		e := w.entry(r, "inc-planned")
		if e.Status != "CONDITION_UNMET" || len(e.Lines) != 0 || e.Treated {
			t.Fatalf("entry %+v", e)
		}
		if len(e.UnmetConditions) != 2 {
			t.Fatalf("unmet %+v, want m-absent and m-planned", e.UnmetConditions)
		}
		absent, planned := e.UnmetConditions[0], e.UnmetConditions[1]
		if absent.Measure == nil || absent.Measure.ID != p+"m-absent" || absent.MeasureStatus != nil || absent.Line.ID != p+"planned" || absent.Clause != nil {
			t.Errorf("first unmet %+v, want m-absent with no status", absent)
		}
		if planned.Measure == nil || planned.Measure.ID != p+"m-planned" || planned.MeasureStatus == nil || *planned.MeasureStatus != "PLANNED" {
			t.Errorf("second unmet %+v, want m-planned, PLANNED", planned)
		}
		igWantAmounts(t, e, 0.0, 1e7, nil)
		if !strings.Contains(e.Reason, p+"m-planned") || !strings.Contains(e.Reason, p+"m-absent") {
			t.Errorf("reason %q does not name both measures", e.Reason)
		}
	})

	t.Run("ConditionUnmetClause", func(t *testing.T) {
		// c-met is met (EQUIVALENT_TO by an implemented measure); c-subset
		// only SUBSET_OF, c-planned only by a planned measure, c-partial
		// only with coverage 0.5.
		e := w.entry(r, "inc-clause")
		if e.Status != "CONDITION_UNMET" {
			t.Fatalf("entry %+v", e)
		}
		var clauses []string
		for _, c := range e.UnmetConditions {
			if c.Clause == nil || c.Measure != nil || c.Line.ID != p+"clause" {
				t.Errorf("unmet %+v, want a clause of line clause", c)
				continue
			}
			clauses = append(clauses, strings.TrimPrefix(c.Clause.ID, p))
		}
		// c-met and c-mapped (through the crosswalk) are met; the coverage engine decides.
		if want := []string{"c-mapped-sub", "c-partial", "c-planned", "c-subset"}; !slices.Equal(clauses, want) {
			t.Errorf("unmet clauses %v, want %v", clauses, want)
		}
		igWantAmounts(t, e, 0.0, 1e7, nil)
	})

	t.Run("UnderInsured", func(t *testing.T) {
		// L 2e8, deductible 2e6, limit 5e7: pays min(max(2e8 − 2e6, 0), 5e7)
		// = 5e7; residual 1.5e8, of which 1.48e8 above the deductible.
		e := w.entry(r, "inc-under")
		if e.Status != "UNDER_INSURED" || e.Category != 3 || len(e.Lines) != 1 || e.Lines[0].Line.ID != p+"small" {
			t.Fatalf("entry %+v", e)
		}
		if l := e.Lines[0]; igAmount(l.FormulaJPY) != 5e7 || igAmount(l.PaysJPY) != 5e7 || l.CappedByAggregate {
			t.Errorf("line %+v", l)
		}
		igWantAmounts(t, e, 5e7, 1.5e8, 1.48e8)
		if !strings.Contains(e.Reason, "¥148,000,000") {
			t.Errorf("reason %q does not give the uncovered amount", e.Reason)
		}
	})

	t.Run("AggregateCap", func(t *testing.T) {
		// Policy p2's lines both respond to L 2e8: big through the incident
		// (5e7), threat through th1 (formula 4e7, cut to the 1e7 left of
		// the 6e7 aggregate).
		e := w.entry(r, "inc-aggregate")
		if e.Status != "UNDER_INSURED" || len(e.Lines) != 2 {
			t.Fatalf("entry %+v", e)
		}
		big, threat := e.Lines[0], e.Lines[1]
		if big.Line.ID != p+"big" || !big.CoversIncident || igAmount(big.PaysJPY) != 5e7 || big.CappedByAggregate {
			t.Errorf("line big %+v", big)
		}
		if threat.Line.ID != p+"threat" || threat.CoversIncident || w.ids(threat.MatchedThreats) != "th1" ||
			igAmount(threat.FormulaJPY) != 4e7 || igAmount(threat.PaysJPY) != 1e7 || !threat.CappedByAggregate {
			t.Errorf("line threat %+v", threat)
		}
		igWantAmounts(t, e, 6e7, 1.4e8, 1.4e8)
	})

	t.Run("Residual", func(t *testing.T) {
		// p3 covers it, but the analysis relies on p1 and p2 only.
		e := w.entry(r, "inc-residual")
		if e.Status != "RESIDUAL" || len(e.Lines) != 0 || len(e.UnmetConditions) != 0 || !e.Irreversible || e.Category != 4 {
			t.Errorf("entry %+v", e)
		}
		igWantAmounts(t, e, 0.0, 5e6, nil)
		if !strings.Contains(e.Reason, "relies on") || !strings.Contains(e.Reason, "money does not undo") {
			t.Errorf("reason %q", e.Reason)
		}
	})

	t.Run("LossFromTheAxis2Band", func(t *testing.T) {
		e := w.entry(r, "inc-band")
		if e.Status != "RESIDUAL" || e.EstimatedLossJPY != nil || e.LossBasis != "AXIS2_UPPER_BOUND" || igAmount(e.LossJPY) != 1e8 {
			t.Errorf("entry %+v", e)
		}
		igWantAmounts(t, e, 0.0, 1e8, nil)
	})

	t.Run("NoEstimate", func(t *testing.T) {
		e := w.entry(r, "inc-noest")
		if e.Status != "NO_ESTIMATE" || e.LossBasis != "NONE" || e.LossJPY != nil || len(e.Lines) != 1 || e.Lines[0].PaysJPY != nil {
			t.Errorf("entry %+v", e)
		}
		igWantAmounts(t, e, nil, nil, nil)
	})

	t.Run("Summary", func(t *testing.T) {
		s := r.Summary
		counts := map[string]int{}
		var order []string
		for _, c := range s.Counts {
			counts[c.Status] = c.Count
			order = append(order, c.Status)
		}
		if want := []string{"INSURED", "CONDITION_UNMET", "UNDER_INSURED", "RESIDUAL", "NO_ESTIMATE"}; !slices.Equal(order, want) {
			t.Errorf("counts in order %v, want %v", order, want)
		}
		want := map[string]int{"INSURED": 1, "CONDITION_UNMET": 2, "UNDER_INSURED": 2, "RESIDUAL": 2, "NO_ESTIMATE": 1}
		for st, n := range want {
			if counts[st] != n {
				t.Errorf("%s: %d, want %d", st, counts[st], n)
			}
		}
		// Losses: 5e6 + 2e8 + 2e8 + 1e8 + 3e7 + 1e7 + 1e7 (inc-noest has none).
		// Paid: 6e7 + 5e7 + 2.9e7.
		if s.Assessments != 8 || s.Irreversible != 1 || s.WithoutLoss != 1 || s.TotalLossJPY != 5.55e8 || s.TotalPaidJPY != 1.39e8 || s.TotalResidualJPY != 4.16e8 {
			t.Errorf("summary %+v", s)
		}
	})

	t.Run("HeldPoliciesWhenTheAnalysisNamesNone", func(t *testing.T) {
		b := w.report(w.tok[model.RoleAnalyst], w.bare)
		if b.PolicySource != "HELD" || w.ids(b.Policies) != "p1,p2,p3" || len(b.Entries) != 1 {
			t.Fatalf("report %+v", b)
		}
		e := b.Entries[0]
		if e.Status != "INSURED" || len(e.Lines) != 1 || e.Lines[0].Line.ID != p+"spare" {
			t.Errorf("entry %+v", e)
		}
		igWantAmounts(t, e, 5e6, 0.0, 0.0)
	})
}

func TestInsuranceGapsRefusesUnreadableAnalyses(t *testing.T) {
	t.Parallel()
	w := newIGWorld(t, resolvers.Options{})
	for _, tt := range []struct{ name, token, id string }{
		{"OtherOrganization", w.otok[model.RoleAnalyst], w.analysis},
		{"Anonymous", "", w.analysis},
		{"Unknown", w.tok[model.RoleAdmin], w.prefix + "nope"},
		{"NotAnAnalysis", w.tok[model.RoleAdmin], w.prefix + "inc-insured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := w.do(tt.token, igQuery, map[string]any{"id": tt.id})
			wantError(t, r, "NOT_FOUND", "analysisId")
			if string(r.Data) != "null" {
				t.Errorf("data %s, want null", r.Data)
			}
		})
	}
	// Shared with the other organization, the same query answers it.
	w.ok(w.tok[model.RoleAnalyst], `mutation($id: ID!, $in: AnalysisUpdateInput!) { updateAnalysis(id: $id, input: $in) { id } }`,
		map[string]any{"id": w.analysis, "in": map[string]any{"visibility": "SHARED", "sharedWithOrganizationIds": []string{w.other}}}, nil)
	if r := w.report(w.otok[model.RoleViewer], w.analysis); len(r.Entries) != len(igIncidents) {
		t.Errorf("shared: %d entries, want %d", len(r.Entries), len(igIncidents))
	}
}

func TestInsuranceGapsRoundTrips(t *testing.T) {
	t.Parallel()
	w := newIGWorld(t, resolvers.Options{})
	// A second server over an observed store: the writes above and the
	// comparisons they trigger run through the first one.
	var c neo4jtest.Counter
	srv := newServer(t, resolvers.Options{Store: neo4jtest.OpenObserved(t, &c)})
	tok := w.tok[model.RoleViewer]
	read := func() {
		t.Helper()
		_, r := postAs(t, srv, tok, igQuery, map[string]any{"id": w.analysis})
		var got struct{ InsuranceGaps igReport }
		r.decode(t, &got)
		if len(got.InsuranceGaps.Entries) != len(igIncidents) {
			t.Fatalf("%d entries, want %d", len(got.InsuranceGaps.Entries), len(igIncidents))
		}
	}
	read()
	c.Take()
	read()
	// The analysis (node loader), the facts, and the coverage engine's read
	// of the required clauses (the clauses, the claims, and one statement
	// per level of crosswalk edges: two levels here, at most
	// coverage.DefaultMaxHops): whatever the number of assessments, lines
	// and conditions. The token's check is not the query's: it is cached
	// for only half a second, which a slow run may outlast.
	auth := c.Queries("neo4j.Authenticate")
	if n, by := c.Take(); n-auth != 6 {
		t.Errorf("%d statements (%s), want 6", n, by)
	}
}
