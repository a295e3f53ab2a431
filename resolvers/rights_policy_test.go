package resolvers_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// TestInsurancePoliciesArePrivateToTheirHolder checks the rights table's
// policy rows over real HTTP: a policy is read by its holder's members,
// admins, and whoever may read an analysis that relies on it, on the
// insurancePolicies list, node(id), Organization.policies,
// Analysis.policies and insuranceGaps; by nobody else (anonymous callers,
// another organization, curators).
func TestInsurancePoliciesArePrivateToTheirHolder(t *testing.T) {
	t.Parallel()
	s := newPPInsurance(t)
	relied, held := s.prefix+"relied", s.prefix+"held"
	analyst := s.tok[model.RoleAnalyst]
	s.ok(analyst, ppCreatePolicy, map[string]any{"in": s.policy(held, s.org)}, nil)
	s.ok(analyst, ppCreatePolicy, map[string]any{"in": s.policy(relied, s.org)}, nil)
	// A public analysis relies on one policy; a private one on the other;
	// a public one relies on none (insuranceGaps then uses the held ones).
	public, private, bare := s.prefix+"public", s.prefix+"private", s.prefix+"bare"
	for _, a := range []struct {
		id, visibility string
		policies       []string
	}{{public, "PUBLIC", []string{relied}}, {private, "PRIVATE", []string{held}}, {bare, "PUBLIC", nil}} {
		s.ok(analyst, `mutation($id: ID!, $t: ID!, $v: Visibility) { createAnalysis(input: {id: $id, targetId: $t, title: "A", visibility: $v}) { id } }`,
			map[string]any{"id": a.id, "t": s.target, "v": a.visibility}, nil)
		if a.policies != nil {
			s.ok(analyst, `mutation($id: ID!, $ps: [ID!]!) { setAnalysisPolicies(id: $id, policyIds: $ps) { id } }`, map[string]any{"id": a.id, "ps": a.policies}, nil)
		}
	}

	ids := func(r gqlResponse, get func(v map[string]any) []any) []string {
		t.Helper()
		var v map[string]any
		r.decode(t, &v)
		var out []string
		for _, x := range get(v) {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m["id"].(string))
			}
		}
		slices.Sort(out)
		return out
	}
	asList := func(x any) []any { l, _ := x.([]any); return l }
	asMap := func(x any) map[string]any { m, _ := x.(map[string]any); return m }

	both, onlyRelied := []string{held, relied}, []string{relied}
	for _, tt := range []struct {
		name, token string
		want        []string // of held and relied, the ones it reads
		gapsOfBare  []string // the held policies insuranceGaps(bare) shows it: those it may read
	}{
		{"Anonymous", "", onlyRelied, onlyRelied},
		{"HolderViewer", s.tok[model.RoleViewer], both, both},
		{"HolderAnalyst", analyst, both, both},
		{"OtherViewer", s.otok[model.RoleViewer], onlyRelied, onlyRelied},
		{"OtherAnalyst", s.otok[model.RoleAnalyst], onlyRelied, onlyRelied},
		{"OtherCurator", s.otok[model.RoleCurator], onlyRelied, onlyRelied},
		{"Admin", s.otok[model.RoleAdmin], both, both},
	} {
		t.Run(tt.name, func(t *testing.T) {
			list := ids(s.do(tt.token, `query($h: ID) { insurancePolicies(holderId: $h, first: 50) { nodes { id } } }`, map[string]any{"h": s.org}),
				func(v map[string]any) []any { return asList(asMap(v["insurancePolicies"])["nodes"]) })
			if !slices.Equal(list, tt.want) {
				t.Errorf("insurancePolicies = %v, want %v", list, tt.want)
			}
			var byNode []string
			for _, id := range both {
				byNode = append(byNode, ids(s.do(tt.token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}),
					func(v map[string]any) []any { return []any{v["node"]} })...)
			}
			if slices.Sort(byNode); !slices.Equal(byNode, tt.want) {
				t.Errorf("node(id) reads %v, want %v", byNode, tt.want)
			}
			org := ids(s.do(tt.token, `query($id: ID!) { node(id: $id) { ... on Organization { policies { id } } } }`, map[string]any{"id": s.org}),
				func(v map[string]any) []any { return asList(asMap(v["node"])["policies"]) })
			if !slices.Equal(org, tt.want) {
				t.Errorf("Organization.policies = %v, want %v", org, tt.want)
			}
			an := ids(s.do(tt.token, `query($id: ID!) { node(id: $id) { ... on Analysis { policies { id } } } }`, map[string]any{"id": public}),
				func(v map[string]any) []any { return asList(asMap(v["node"])["policies"]) })
			if !slices.Equal(an, onlyRelied) {
				t.Errorf("Analysis.policies of the public analysis = %v, want %v", an, onlyRelied)
			}
			gaps := ids(s.do(tt.token, `query($id: ID!) { insuranceGaps(analysisId: $id) { policies { id } } }`, map[string]any{"id": public}),
				func(v map[string]any) []any { return asList(asMap(v["insuranceGaps"])["policies"]) })
			if !slices.Equal(gaps, onlyRelied) {
				t.Errorf("insuranceGaps(public).policies = %v, want %v", gaps, onlyRelied)
			}
			bareGaps := ids(s.do(tt.token, `query($id: ID!) { insuranceGaps(analysisId: $id) { policies { id } } }`, map[string]any{"id": bare}),
				func(v map[string]any) []any { return asList(asMap(v["insuranceGaps"])["policies"]) })
			if !slices.Equal(bareGaps, tt.gapsOfBare) {
				t.Errorf("insuranceGaps(bare, held policies).policies = %v, want %v", bareGaps, tt.gapsOfBare)
			}
			// The due-care report reads insurance through the same store
			// call: it names the held policy only to those who may read it.
			var rep struct{ DueCareReport struct{ Document string } }
			s.ok(tt.token, `query($a: ID!, $g: [ID!]!) { dueCareReport(analysisId: $a, guidelineIds: $g) { document(format: JSON) } }`,
				map[string]any{"a": bare, "g": []string{s.guideline}}, &rep)
			for _, id := range both {
				if got, want := strings.Contains(rep.DueCareReport.Document, id), slices.Contains(tt.gapsOfBare, id); got != want {
					t.Errorf("dueCareReport(bare) names %s = %v, want %v", id, got, want)
				}
			}
		})
	}
}

// TestSharedInsurancePolicies checks that a holder may share a policy as an
// analysis is shared: a SHARED policy is read by the organizations and
// sectors it names, a PUBLIC one by everyone; an update that omits the
// visibility keeps the sharing, one that says PRIVATE withdraws it; and
// sharing a policy does not let another organization rely on it.
func TestSharedInsurancePolicies(t *testing.T) {
	t.Parallel()
	s := newPPInsurance(t)
	analyst := s.tok[model.RoleAnalyst]
	withOther, withSector, public := s.prefix+"with-other", s.prefix+"with-sector", s.prefix+"public"
	for id, sharing := range map[string]map[string]any{
		withOther:  {"visibility": "SHARED", "sharedWithOrganizationIds": []string{s.other}},
		withSector: {"visibility": "SHARED", "sharedWithSectors": []string{s.prefix + "insurance"}},
		public:     {"visibility": "PUBLIC"},
	} {
		in := s.policy(id, s.org)
		maps.Copy(in, sharing)
		s.ok(analyst, ppCreatePolicy, map[string]any{"in": in}, nil)
	}
	reads := func(token string) []string {
		t.Helper()
		var out []string
		for _, id := range []string{withOther, withSector, public} {
			var v struct{ Node *struct{ ID string } }
			s.ok(token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &v)
			if v.Node != nil {
				out = append(out, v.Node.ID)
			}
		}
		return out
	}
	if got, want := reads(""), []string{public}; !slices.Equal(got, want) {
		t.Errorf("anonymous reads %v, want %v", got, want)
	}
	if got, want := reads(s.otok[model.RoleViewer]), []string{withOther, withSector, public}; !slices.Equal(got, want) {
		t.Errorf("the other organization's viewer reads %v, want %v", got, want)
	}
	var shown struct {
		Node struct {
			Visibility              string
			SharedWithOrganizations []struct{ ID string }
			SharedWithSectors       []string
		}
	}
	s.ok(s.otok[model.RoleViewer], `query($id: ID!) { node(id: $id) { ... on InsurancePolicy { visibility sharedWithOrganizations { id } sharedWithSectors } } }`,
		map[string]any{"id": withOther}, &shown)
	if shown.Node.Visibility != "SHARED" || len(shown.Node.SharedWithOrganizations) != 1 || shown.Node.SharedWithOrganizations[0].ID != s.other {
		t.Errorf("the shared policy shows %+v", shown.Node)
	}

	// Sharing is not reliance: the other organization still may not rely on it.
	s.ok(s.otok[model.RoleAnalyst], `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "B"}) { id } }`,
		map[string]any{"id": s.prefix + "b", "t": s.target}, nil)
	ppWant(t, s.do(s.otok[model.RoleAnalyst], `mutation($id: ID!, $ps: [ID!]!) { setAnalysisPolicies(id: $id, policyIds: $ps) { id } }`,
		map[string]any{"id": s.prefix + "b", "ps": []string{withOther}}), "NOT_FOUND", "policyIds.0")

	// An update that omits the visibility keeps it; PRIVATE withdraws it.
	s.ok(analyst, `mutation($id: ID!, $in: InsurancePolicyInput!) { updateInsurancePolicy(id: $id, input: $in) { id } }`,
		map[string]any{"id": withOther, "in": s.policy(withOther, s.org)}, nil)
	if got := reads(s.otok[model.RoleViewer]); !slices.Contains(got, withOther) {
		t.Errorf("after an update without visibility the other organization reads %v; the sharing was lost", got)
	}
	in := s.policy(withOther, s.org)
	in["visibility"] = "PRIVATE"
	s.ok(analyst, `mutation($id: ID!, $in: InsurancePolicyInput!) { updateInsurancePolicy(id: $id, input: $in) { id } }`,
		map[string]any{"id": withOther, "in": in}, nil)
	if got := reads(s.otok[model.RoleViewer]); slices.Contains(got, withOther) {
		t.Errorf("after an update to PRIVATE the other organization still reads %v", got)
	}

	// The sharing rules of analyses, with the same messages.
	for _, tt := range []struct {
		sharing map[string]any
		field   string
	}{
		{map[string]any{"visibility": "SHARED"}, "input.visibility"},
		{map[string]any{"visibility": "PUBLIC", "sharedWithSectors": []string{"home"}}, "input.sharedWithSectors"},
		{map[string]any{"visibility": "SHARED", "sharedWithOrganizationIds": []string{s.prefix + "nobody"}}, "input.sharedWithOrganizationIds.0"},
	} {
		in := s.policy(s.prefix+"bad", s.org)
		maps.Copy(in, tt.sharing)
		r := s.do(analyst, ppCreatePolicy, map[string]any{"in": in})
		if len(r.Errors) != 1 || r.Errors[0].Extensions["field"] != tt.field {
			t.Errorf("%v: errors %+v, want one on %s", tt.sharing, r.Errors, tt.field)
		}
	}
}
