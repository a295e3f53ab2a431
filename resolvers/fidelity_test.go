package resolvers_test

import (
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// Catalog fidelity through the API: real files loaded under the test's
// prefix (neo4jtest.PrefixBatch), then read as a client reads them.

// TestWithdrawnClausesThroughTheAPI reads the real SP 800-53 catalog: lists
// and counts leave its 182 withdrawn controls out unless asked, and a
// withdrawn control says where it went.
func TestWithdrawnClausesThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t, resolvers.Options{})
	b := neo4jtest.RealBatch(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	neo4jtest.Load(t, neo4jtest.PrefixBatch(b, env.p))
	// AC-2's enhancements in the file: 13, of which AC-2(10) is withdrawn.
	all, inForce := 0, 0
	for _, n := range b.Nodes {
		if n.Label == model.LabelClause && n.Props["parentId"] == "nist-sp800-53r5:ac-2" {
			all++
			if n.Props["withdrawn"] == false {
				inForce++
			}
		}
	}
	if all != 13 || inForce != 12 {
		t.Fatalf("AC-2 has %d enhancements, %d in force; want 13 and 12", all, inForce)
	}
	var got struct {
		Guideline struct {
			Count, All   int
			Clauses, Top []struct{ ID string }
		}
		AC2 struct {
			Withdrawn         bool
			Children, AllKids []struct {
				ID        string
				Withdrawn bool
			}
		}
		AC36 struct {
			Withdrawn        bool
			IncorporatedInto []struct{ Ref string }
		}
	}
	env.must(t, "", `query($g: ID!, $ac2: ID!, $ac36: ID!) {
  guideline(id: $g) { count: clauseCount all: clauseCount(includeWithdrawn: true) clauses { id } top: clauses(includeWithdrawn: true) { id } }
  ac2: node(id: $ac2) { ... on Clause { withdrawn children { id withdrawn } allKids: children(includeWithdrawn: true) { id withdrawn } } }
  ac36: node(id: $ac36) { ... on Clause { withdrawn incorporatedInto { ref } } }
}`, map[string]any{"g": env.p + "nist-sp800-53r5", "ac2": env.p + "nist-sp800-53r5:ac-2", "ac36": env.p + "nist-sp800-53r5:ac-3.6"}, &got)
	if g := got.Guideline; g.Count != 1209-182 || g.All != 1209 || len(g.Clauses) != 20 || len(g.Top) != 20 {
		t.Errorf("guideline: %d clauses in force of %d, %d and %d top-level; want 1,027 of 1,209 (182 withdrawn, SOURCE.md) and the 20 families", g.Count, g.All, len(g.Clauses), len(g.Top))
	}
	if len(got.AC2.Children) != inForce || len(got.AC2.AllKids) != all || got.AC2.Withdrawn {
		t.Errorf("AC-2: %d children in force, %d in all, withdrawn %v; want %d and %d, false", len(got.AC2.Children), len(got.AC2.AllKids), got.AC2.Withdrawn, inForce, all)
	}
	for _, c := range got.AC2.Children {
		if c.Withdrawn {
			t.Errorf("children lists the withdrawn %s", c.ID)
		}
	}
	var refs []string
	for _, c := range got.AC36.IncorporatedInto {
		refs = append(refs, c.Ref)
	}
	if !got.AC36.Withdrawn || strings.Join(refs, " ") != "MP-4 SC-28" {
		t.Errorf("AC-3(6): withdrawn %v, incorporated into %v; want true, MP-4 and SC-28", got.AC36.Withdrawn, refs)
	}
}

// TestMappingGroupsThroughTheAPI reads the groups of the real CSF 2.0 →
// SP 800-53 mapping collection: DE.AE-02's four mappings share one group
// with its counts, a single-pair map's mapping has none.
func TestMappingGroupsThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t, resolvers.Options{})
	const folder = "nist-csf2-to-sp800-53r5-oscal-mapping"
	for _, f := range [][2]string{
		{"nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json"},
		{folder, "NIST_CSF_v2.0.catalog.json"},
		{folder, "NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json"},
	} {
		neo4jtest.Load(t, neo4jtest.PrefixBatch(neo4jtest.RealBatch(t, f[0], f[1]), env.p))
	}
	type mapping struct {
		Target                     struct{ Ref string }
		Relationship               string
		Group                      *string
		GroupSources, GroupTargets *int
	}
	var got struct {
		DEAE02, GVOC01 struct{ Mappings []mapping }
		AU6            struct{ MappedFrom []mapping }
	}
	env.must(t, "", `query($a: ID!, $b: ID!, $c: ID!) {
  deae02: node(id: $a) { ... on Clause { mappings { target { ref } relationship group groupSources groupTargets } } }
  gvoc01: node(id: $b) { ... on Clause { mappings { target { ref } relationship group groupSources groupTargets } } }
  au6: node(id: $c) { ... on Clause { mappedFrom { target { ref } relationship group groupSources groupTargets } } }
}`, map[string]any{"a": env.p + "nist-csf-2.0:de.ae-02", "b": env.p + "nist-csf-2.0:gv.oc-01", "c": env.p + "nist-sp800-53r5:au-6"}, &got)
	var refs []string
	for _, m := range got.DEAE02.Mappings {
		refs = append(refs, m.Target.Ref)
		if m.Group == nil || *m.Group != "f472e83e-e0df-465a-8a2a-8147aecf43ac" || m.GroupSources == nil || *m.GroupSources != 1 ||
			m.GroupTargets == nil || *m.GroupTargets != 4 || m.Relationship != "SUPERSET_OF" {
			t.Errorf("DE.AE-02 → %s: %+v", m.Target.Ref, m)
		}
	}
	if strings.Join(refs, " ") != "AU-6 CA-7 IR-4 SI-4" {
		t.Errorf("DE.AE-02 maps to %v", refs)
	}
	// GV.OC-01 superset-of PM-11 alone: one of the 11 single-pair maps.
	if m := got.GVOC01.Mappings; len(m) != 1 || m[0].Group != nil || m[0].GroupSources != nil || m[0].GroupTargets != nil {
		t.Errorf("GV.OC-01's mappings: %+v, want one without a group", m)
	}
	if len(got.AU6.MappedFrom) == 0 {
		t.Error("nothing maps to AU-6")
	}
}
