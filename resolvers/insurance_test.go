package resolvers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

const (
	ppPolicyFields = `id insurer product periodStart periodEnd aggregateLimitJPY holder { id }
  lines { id type limitJPY deductibleJPY exclusions coversIncidents { id } coversThreats { id } requiresMeasures { id } requiresClauses { id } }`
	ppCreatePolicy = `mutation($in: InsurancePolicyInput!) { createInsurancePolicy(input: $in) { ` + ppPolicyFields + ` } }`
	ppUpdatePolicy = `mutation($id: ID!, $in: InsurancePolicyInput!) { updateInsurancePolicy(id: $id, input: $in) { ` + ppPolicyFields + ` } }`
	ppDeletePolicy = `mutation($id: ID!, $cascade: Boolean) { deleteInsurancePolicy(id: $id, cascade: $cascade) }`
	ppListPolicies = `query($h: ID) { insurancePolicies(holderId: $h) { totalCount nodes { ` + ppPolicyFields + ` } } }`
)

// ppPolicy is the shape of ppPolicyFields.
type ppPolicy struct {
	ID, Insurer, Product, PeriodStart, PeriodEnd string
	AggregateLimitJPY                            float64
	Holder                                       struct{ ID string }
	Lines                                        []ppLine
}

type ppLine struct {
	ID, Type                string
	LimitJPY, DeductibleJPY float64
	Exclusions              []string
	CoversIncidents         []struct{ ID string }
	CoversThreats           []struct{ ID string }
	RequiresMeasures        []struct{ ID string }
	RequiresClauses         []struct{ ID string }
}

func ppRefIDs(xs []struct{ ID string }) string {
	ids := make([]string, 0, len(xs))
	for _, x := range xs {
		ids = append(ids, x.ID)
	}
	return strings.Join(ids, ",")
}

// ppInsurance is a target with two incidents and a small catalog, for
// policies to refer to.
type ppInsurance struct {
	*ppEnv
	target, inc1, inc2, threat, measure, guideline, clause string
}

func newPPInsurance(t *testing.T) *ppInsurance {
	e := newPPEnv(t)
	p := e.prefix
	s := &ppInsurance{ppEnv: e, target: p + "target", inc1: p + "inc1", inc2: p + "inc2",
		threat: p + "threat", measure: p + "measure", guideline: p + "gl", clause: p + "clause"}
	admin := e.tok[model.RoleAdmin]
	e.ok(admin, ppCreateTarget, map[string]any{"in": map[string]any{"id": s.target, "name": "Boiler", "sector": "home"}}, nil)
	for _, id := range []string{s.inc1, s.inc2} {
		e.ok(admin, ppCreateIncident, map[string]any{"in": map[string]any{"id": id, "targetId": s.target, "name": id, "consequence": "property"}}, nil)
	}
	neo4jtest.PeopleCatalogFixture(t, s.threat, s.measure, s.guideline, s.clause)
	return s
}

// policy returns a valid policy input held by holder, with id when not "".
func (s *ppInsurance) policy(id, holder string) map[string]any {
	in := map[string]any{"insurer": "Tokio Marine", "holderId": holder, "product": "Cyber Protect",
		"periodStart": "2026-04-01", "periodEnd": "2027-03-31", "aggregateLimitJPY": 1e8,
		"lines": []any{
			map[string]any{"id": id + "-bi", "type": "business-interruption", "limitJPY": 5e7, "deductibleJPY": 1e6,
				"exclusions": []string{"war", ppHostile[0]}, "coversIncidentIds": []string{s.inc1, s.inc2, s.inc1},
				"coversThreatIds": []string{s.threat}, "requiresMeasureIds": []string{s.measure}, "requiresClauseIds": []string{s.clause}},
			map[string]any{"id": id + "-ir", "type": "incident-response", "limitJPY": 1e8},
		}}
	if id != "" {
		in["id"] = id
	} else {
		for _, l := range in["lines"].([]any) {
			delete(l.(map[string]any), "id")
		}
	}
	return in
}

func (s *ppInsurance) list(holder string) []ppPolicy {
	s.t.Helper()
	var got struct {
		InsurancePolicies struct {
			TotalCount int
			Nodes      []ppPolicy
		}
	}
	// As an admin: policies are private to their holder, and some tests
	// move a policy to another holder.
	s.ok(s.tok[model.RoleAdmin], ppListPolicies, map[string]any{"h": holder}, &got)
	if got.InsurancePolicies.TotalCount != len(got.InsurancePolicies.Nodes) {
		s.t.Errorf("totalCount %d, %d nodes", got.InsurancePolicies.TotalCount, len(got.InsurancePolicies.Nodes))
	}
	return got.InsurancePolicies.Nodes
}

func TestInsurancePolicyCreateReadUpdateDelete(t *testing.T) {
	t.Parallel()
	s := newPPInsurance(t)
	analyst := s.tok[model.RoleAnalyst]
	id := s.prefix + "policy"

	in := s.policy(id, s.org)
	in["insurer"] = ppHostile[1]
	var created struct{ CreateInsurancePolicy ppPolicy }
	s.ok(analyst, ppCreatePolicy, map[string]any{"in": in}, &created)
	c := created.CreateInsurancePolicy
	if c.ID != id || c.Insurer != ppHostile[1] || c.Holder.ID != s.org || c.PeriodStart != "2026-04-01" || c.PeriodEnd != "2027-03-31" ||
		c.AggregateLimitJPY != 1e8 || len(c.Lines) != 2 {
		t.Fatalf("createInsurancePolicy = %+v", c)
	}

	got := s.list(s.org)
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("insurancePolicies(holderId: %s) = %+v", s.org, got)
	}
	if other := s.list(s.other); len(other) != 0 {
		t.Errorf("insurancePolicies(holderId: %s) = %+v, want none", s.other, other)
	}
	bi, ir := got[0].Lines[0], got[0].Lines[1]
	if bi.ID != id+"-bi" || bi.Type != "business-interruption" || bi.LimitJPY != 5e7 || bi.DeductibleJPY != 1e6 ||
		strings.Join(bi.Exclusions, "|") != "war|"+ppHostile[0] ||
		ppRefIDs(bi.CoversIncidents) != s.inc1+","+s.inc2 || ppRefIDs(bi.CoversThreats) != s.threat ||
		ppRefIDs(bi.RequiresMeasures) != s.measure || ppRefIDs(bi.RequiresClauses) != s.clause {
		t.Errorf("line bi = %+v", bi)
	}
	if ir.ID != id+"-ir" || ir.DeductibleJPY != 0 || len(ir.Exclusions) != 0 || len(ir.CoversIncidents) != 0 || ir.LimitJPY != 1e8 {
		t.Errorf("line ir = %+v", ir)
	}
	// The organization lists it, with what its lines cover.
	org := s.readOrg(s.org)
	if len(org.Node.Policies) != 1 || org.Node.Policies[0].ID != id || len(org.Node.Policies[0].Lines) != 2 ||
		ppRefIDs(org.Node.Policies[0].Lines[0].CoversIncidents) != s.inc1+","+s.inc2 {
		t.Errorf("organization policies = %+v", org.Node.Policies)
	}

	// Update: new terms; the bi line keeps its id with new terms, the ir line
	// goes, a new line comes.
	up := map[string]any{"insurer": "Sompo", "holderId": s.org, "product": ppHostile[3], "periodStart": "2027-04-01", "periodEnd": "2027-04-01",
		"aggregateLimitJPY": 2e8, "lines": []any{
			map[string]any{"id": id + "-bi", "type": "business-interruption", "limitJPY": 2e8, "coversIncidentIds": []string{s.inc2}},
			map[string]any{"id": id + "-tp", "type": "third-party-liability", "limitJPY": 0, "deductibleJPY": 0, "coversThreatIds": []string{s.threat}},
		}}
	var updated struct{ UpdateInsurancePolicy ppPolicy }
	s.ok(s.tok[model.RoleOrgAdmin], ppUpdatePolicy, map[string]any{"id": id, "in": up}, &updated)
	if u := updated.UpdateInsurancePolicy; u.Insurer != "Sompo" || u.Product != ppHostile[3] || u.AggregateLimitJPY != 2e8 || len(u.Lines) != 2 {
		t.Errorf("updateInsurancePolicy = %+v", u)
	}
	got = s.list(s.org)
	if len(got) != 1 || len(got[0].Lines) != 2 {
		t.Fatalf("after update: %+v", got)
	}
	if l := got[0].Lines[0]; l.ID != id+"-bi" || l.LimitJPY != 2e8 || l.DeductibleJPY != 0 || len(l.Exclusions) != 0 ||
		ppRefIDs(l.CoversIncidents) != s.inc2 || len(l.CoversThreats) != 0 || len(l.RequiresMeasures) != 0 || len(l.RequiresClauses) != 0 {
		t.Errorf("after update, line bi = %+v", l)
	}
	if l := got[0].Lines[1]; l.ID != id+"-tp" || ppRefIDs(l.CoversThreats) != s.threat {
		t.Errorf("after update, line tp = %+v", l)
	}
	if neo4jtest.PeopleExists(t, id+"-ir") {
		t.Errorf("the replaced line %s-ir still exists", id)
	}

	var deleted struct{ DeleteInsurancePolicy string }
	s.ok(analyst, ppDeletePolicy, map[string]any{"id": id}, &deleted)
	if deleted.DeleteInsurancePolicy != id {
		t.Errorf("deleteInsurancePolicy = %q", deleted.DeleteInsurancePolicy)
	}
	if got := s.list(s.org); len(got) != 0 {
		t.Errorf("after delete: %+v", got)
	}
	for _, l := range []string{id, id + "-bi", id + "-tp"} {
		if neo4jtest.PeopleExists(t, l) {
			t.Errorf("%s survived the delete", l)
		}
	}
	for _, kept := range []string{s.inc1, s.threat, s.measure, s.clause} {
		if !neo4jtest.PeopleExists(t, kept) {
			t.Errorf("%s was deleted with the policy", kept)
		}
	}
}

func TestInsurancePolicyGeneratesIDsAndBatchesLines(t *testing.T) {
	t.Parallel()
	s := newPPInsurance(t)
	in := s.policy("", s.org)
	lines := make([]any, 0, 150)
	for i := range 150 {
		lines = append(lines, map[string]any{"id": fmt.Sprintf("%sl%03d", s.prefix, i), "type": "all-cyber", "limitJPY": float64(i),
			"coversIncidentIds": []string{s.inc1, s.inc2}, "requiresMeasureIds": []string{s.measure}})
	}
	in["lines"] = lines
	var created struct{ CreateInsurancePolicy ppPolicy }
	s.ok(s.tok[model.RoleAnalyst], ppCreatePolicy, map[string]any{"in": in}, &created)
	id := created.CreateInsurancePolicy.ID
	t.Cleanup(func() { _ = s.db.DeleteInsurancePolicy(context.Background(), id, true) }) // its generated id has no test prefix
	if !strings.HasPrefix(id, "policy-") {
		t.Errorf("generated id %q, want policy-…", id)
	}
	got := s.list(s.org)
	if len(got) != 1 || len(got[0].Lines) != 150 {
		t.Fatalf("policies = %d, lines = %v", len(got), len(got[0].Lines))
	}
	for i, l := range got[0].Lines {
		if l.ID != fmt.Sprintf("%sl%03d", s.prefix, i) || l.LimitJPY != float64(i) || len(l.CoversIncidents) != 2 || len(l.RequiresMeasures) != 1 {
			t.Fatalf("line %d = %+v", i, l)
		}
	}
	// Lines without an id get one.
	in = s.policy("", s.org)
	created.CreateInsurancePolicy = ppPolicy{}
	s.ok(s.tok[model.RoleAnalyst], ppCreatePolicy, map[string]any{"in": in}, &created)
	id2 := created.CreateInsurancePolicy.ID
	t.Cleanup(func() { _ = s.db.DeleteInsurancePolicy(context.Background(), id2, true) })
	for _, l := range created.CreateInsurancePolicy.Lines {
		if !strings.HasPrefix(l.ID, "line-") {
			t.Errorf("generated line id %q, want line-…", l.ID)
		}
	}
}

func TestInsurancePolicyMutationsValidate(t *testing.T) {
	t.Parallel()
	s := newPPInsurance(t)
	existing := s.prefix + "existing"
	s.ok(s.tok[model.RoleAnalyst], ppCreatePolicy, map[string]any{"in": s.policy(existing, s.org)}, nil)
	// with returns a valid input for a new policy changed by f.
	n := 0
	with := func(f func(in map[string]any, lines []map[string]any)) map[string]any {
		n++
		in := s.policy(fmt.Sprintf("%snew%d", s.prefix, n), s.org)
		var lines []map[string]any
		for _, l := range in["lines"].([]any) {
			lines = append(lines, l.(map[string]any))
		}
		f(in, lines)
		return map[string]any{"in": in}
	}
	a := model.RoleAnalyst
	nope := s.prefix + "nope"
	cases := []ppCase{
		{"EmptyInsurer", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["insurer"] = "" }), "BAD_USER_INPUT", "input.insurer"},
		{"LongProduct", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["product"] = strings.Repeat("p", 501) }), "BAD_USER_INPUT", "input.product"},
		{"BadMonth", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["periodStart"] = "2026-13-01" }), "BAD_USER_INPUT", "input.periodStart"},
		{"ShortDate", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["periodStart"] = "2026-4-1" }), "BAD_USER_INPUT", "input.periodStart"},
		{"DateTime", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["periodEnd"] = "2027-03-31T00:00:00Z" }), "BAD_USER_INPUT", "input.periodEnd"},
		{"HostileDate", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["periodEnd"] = ppHostile[0] }), "BAD_USER_INPUT", "input.periodEnd"},
		{"EndBeforeStart", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["periodEnd"] = "2026-03-31" }), "BAD_USER_INPUT", "input.periodEnd"},
		{"NegativeAggregate", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["aggregateLimitJPY"] = -1 }), "BAD_USER_INPUT", "input.aggregateLimitJPY"},
		{"AggregateNotANumber", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["aggregateLimitJPY"] = "lots" }), "GRAPHQL_VALIDATION_FAILED", "-"},
		{"NoLines", a, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["lines"] = []any{} }), "BAD_USER_INPUT", "input.lines"},
		{"LineAboveAggregate", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[1]["limitJPY"] = 1e8 + 1 }), "BAD_USER_INPUT", "input.lines.1.limitJPY"},
		{"NegativeLineLimit", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[0]["limitJPY"] = -5 }), "BAD_USER_INPUT", "input.lines.0.limitJPY"},
		{"NegativeDeductible", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[1]["deductibleJPY"] = -0.5 }), "BAD_USER_INPUT", "input.lines.1.deductibleJPY"},
		{"EmptyType", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[0]["type"] = "" }), "BAD_USER_INPUT", "input.lines.0.type"},
		{"LongType", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[1]["type"] = strings.Repeat("t", 101) }), "BAD_USER_INPUT", "input.lines.1.type"},
		{"EmptyExclusion", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[0]["exclusions"] = []string{"war", ""} }), "BAD_USER_INPUT", "input.lines.0.exclusions.1"},
		{"DuplicateLineIDs", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[1]["id"] = l[0]["id"] }), "BAD_USER_INPUT", "input.lines.1.id"},
		{"BadLineID", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[0]["id"] = "x y" }), "BAD_USER_INPUT", "input.lines.0.id"},
		{"TakenLineID", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[1]["id"] = existing + "-bi" }), "CONFLICT", "input.lines.1.id"},
		{"TakenPolicyID", a, false, ppCreatePolicy, map[string]any{"in": s.policy(s.inc1, s.org)}, "CONFLICT", "input.id"},
		{"UnknownIncident", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[0]["coversIncidentIds"] = []string{s.inc1, nope} }), "NOT_FOUND", "input.lines.0.coversIncidentIds.1"},
		{"ThreatIsAnIncident", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[1]["coversThreatIds"] = []string{s.inc1} }), "NOT_FOUND", "input.lines.1.coversThreatIds.0"},
		{"UnknownMeasure", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[0]["requiresMeasureIds"] = []string{nope} }), "NOT_FOUND", "input.lines.0.requiresMeasureIds.0"},
		{"ClauseIsAGuideline", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[0]["requiresClauseIds"] = []string{s.guideline} }), "NOT_FOUND", "input.lines.0.requiresClauseIds.0"},
		{"HostileRefID", a, false, ppCreatePolicy, with(func(_ map[string]any, l []map[string]any) { l[0]["coversIncidentIds"] = []string{ppHostile[0]} }), "BAD_USER_INPUT", "input.lines.0.coversIncidentIds.0"},
		{"UnknownHolder", model.RoleAdmin, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["holderId"] = nope }), "NOT_FOUND", "input.holderId"},
		{"HolderIsATarget", model.RoleAdmin, false, ppCreatePolicy, with(func(in map[string]any, _ []map[string]any) { in["holderId"] = s.target }), "NOT_FOUND", "input.holderId"},
		{"UpdateUnknown", model.RoleAdmin, false, ppUpdatePolicy, map[string]any{"id": nope, "in": s.policy("", s.org)}, "NOT_FOUND", "id"},
		{"UpdateOtherID", a, false, ppUpdatePolicy, map[string]any{"id": existing, "in": s.policy(s.prefix+"renamed", s.org)}, "BAD_USER_INPUT", "input.id"},
		{"UpdateUnknownClause", a, false, ppUpdatePolicy, map[string]any{"id": existing, "in": with(func(in map[string]any, l []map[string]any) {
			delete(in, "id")
			l[0]["requiresClauseIds"] = []string{nope}
		})["in"]}, "NOT_FOUND", "input.lines.0.requiresClauseIds.0"},
		{"UpdateEndBeforeStart", a, false, ppUpdatePolicy, map[string]any{"id": existing, "in": with(func(in map[string]any, _ []map[string]any) {
			delete(in, "id")
			in["periodStart"], in["periodEnd"] = "2030-01-02", "2030-01-01"
		})["in"]}, "BAD_USER_INPUT", "input.periodEnd"},
		{"DeleteUnknown", model.RoleAdmin, false, ppDeletePolicy, map[string]any{"id": nope}, "NOT_FOUND", "id"},
	}
	before := neo4jtest.Snapshot(t, s.prefix)
	s.run(cases)
	if after := neo4jtest.Snapshot(t, s.prefix); after != before {
		t.Errorf("failed policy mutations changed the graph:\nbefore %s\nafter  %s", before, after)
	}
	got := s.list(s.org)
	if len(got) != 1 || got[0].ID != existing || len(got[0].Lines) != 2 || len(got[0].Lines[0].CoversIncidents) != 2 {
		t.Errorf("after the failures: %+v", got)
	}
}

func TestInsurancePolicyMutationsAuthorize(t *testing.T) {
	t.Parallel()
	s := newPPInsurance(t)
	id := s.prefix + "policy"
	s.ok(s.tok[model.RoleAnalyst], ppCreatePolicy, map[string]any{"in": s.policy(id, s.org)}, nil)
	upd := map[string]any{"id": id, "in": s.policy("", s.org)}
	move := map[string]any{"id": id, "in": s.policy("", s.other)}
	before := neo4jtest.Snapshot(t, s.prefix)
	s.run([]ppCase{
		{"CreateAnonymous", "", false, ppCreatePolicy, map[string]any{"in": s.policy(s.prefix+"p2", s.org)}, "UNAUTHENTICATED", "-"},
		{"CreateViewer", model.RoleViewer, false, ppCreatePolicy, map[string]any{"in": s.policy(s.prefix+"p2", s.org)}, "FORBIDDEN", "-"},
		{"CreateCurator", model.RoleCurator, false, ppCreatePolicy, map[string]any{"in": s.policy(s.prefix+"p2", s.org)}, "FORBIDDEN", "-"},
		{"CreateForAnotherOrg", model.RoleAnalyst, true, ppCreatePolicy, map[string]any{"in": s.policy(s.prefix+"p2", s.org)}, "FORBIDDEN", "-"},
		{"UpdateAnonymous", "", false, ppUpdatePolicy, upd, "UNAUTHENTICATED", "-"},
		{"UpdateViewer", model.RoleViewer, false, ppUpdatePolicy, upd, "FORBIDDEN", "-"},
		{"UpdateByAnotherOrg", model.RoleAnalyst, true, ppUpdatePolicy, upd, "NOT_FOUND", "id"}, // may not read it: as a missing id
		{"UpdateTakeOver", model.RoleOrgAdmin, true, ppUpdatePolicy, move, "NOT_FOUND", "id"},
		{"UpdateGiveAway", model.RoleAnalyst, false, ppUpdatePolicy, move, "FORBIDDEN", "-"},
		{"DeleteAnonymous", "", false, ppDeletePolicy, map[string]any{"id": id}, "UNAUTHENTICATED", "-"},
		{"DeleteByAnotherOrg", model.RoleOrgAdmin, true, ppDeletePolicy, map[string]any{"id": id}, "NOT_FOUND", "id"},
		{"DeleteCurator", model.RoleCurator, false, ppDeletePolicy, map[string]any{"id": id}, "FORBIDDEN", "-"},
	})
	if after := neo4jtest.Snapshot(t, s.prefix); after != before {
		t.Errorf("refused mutations changed the graph:\nbefore %s\nafter  %s", before, after)
	}
	// An admin may move it to another holder.
	s.ok(s.tok[model.RoleAdmin], ppUpdatePolicy, move, nil)
	if got := s.list(s.other); len(got) != 1 || got[0].ID != id || got[0].Holder.ID != s.other {
		t.Errorf("after the move, %s holds %+v", s.other, got)
	}
	if got := s.list(s.org); len(got) != 0 {
		t.Errorf("after the move, %s still holds %+v", s.org, got)
	}
}

func TestDeleteInsurancePolicyCascades(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "p-", "DRAFT")
	analyst := e.tok[model.RoleAnalyst]
	before := neo4jtest.Snapshot(t, e.prefix)
	r := e.do(analyst, ppDeletePolicy, map[string]any{"id": w.policy})
	ppWant(t, r, "CONFLICT", "id")
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Fatalf("the refused delete changed the graph")
	}
	e.ok(analyst, ppDeletePolicy, map[string]any{"id": w.policy, "cascade": true}, nil)
	for _, id := range []string{w.policy, w.line} {
		if neo4jtest.PeopleExists(t, id) {
			t.Errorf("%s survived", id)
		}
	}
	if !neo4jtest.PeopleExists(t, w.analysis) || !neo4jtest.PeopleExists(t, w.incident) {
		t.Fatalf("the cascade deleted the analysis or the incident")
	}
	if got := neo4jtest.PeopleRelated(t, w.analysis, "RELIES_ON"); len(got) != 0 {
		t.Errorf("the draft analysis still RELIES_ON %v", got)
	}
}

func TestDeleteInsurancePolicyRefusesWithSubmittedAnalysis(t *testing.T) {
	t.Parallel()
	e := newPPEnv(t)
	w := newPPWorld(e, e.org, "ps-", "SUBMITTED")
	before := neo4jtest.Snapshot(t, e.prefix)
	r := e.do(e.tok[model.RoleAnalyst], ppDeletePolicy, map[string]any{"id": w.policy, "cascade": true})
	ppWant(t, r, "CONFLICT", "id")
	if len(r.Errors) > 0 && !strings.Contains(r.Errors[0].Message, "submitted") {
		t.Errorf("message %q does not say why", r.Errors[0].Message)
	}
	if after := neo4jtest.Snapshot(t, e.prefix); after != before {
		t.Errorf("the refused cascade changed the graph:\nbefore %s\nafter  %s", before, after)
	}
}
