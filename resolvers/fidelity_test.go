package resolvers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
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

// stixBatch returns a STIX batch under the test's prefix whose threats and
// measures carry word in their names, so that a full-text list finds only
// this test's copy.
func stixBatch(t *testing.T, b *ingest.Batch, p, word string) *ingest.Batch {
	t.Helper()
	b = neo4jtest.PrefixBatch(b, p)
	for _, n := range b.Nodes {
		if n.Label == model.LabelThreat || n.Label == model.LabelMeasure {
			n.Props["name"] = word + " " + n.Props["name"].(string)
		}
	}
	return b
}

// TestRevokedAndDeprecatedThroughTheAPI reads ATT&CK for ICS 18.1 (95
// techniques, 12 of them deprecated and none revoked; 52 mitigations, none
// flagged: SOURCE.md) and a tiny bundle with a sub-technique and
// revocations: lists leave revoked and deprecated entries out unless
// asked, and each entry says what it refines and what replaces it, in a
// number of round trips that does not grow with the entries.
func TestRevokedAndDeprecatedThroughTheAPI(t *testing.T) {
	t.Parallel()
	counter := &neo4jtest.Counter{}
	db := neo4jtest.OpenObserved(t, counter)
	env := newEnv(t, resolvers.Options{Store: db})
	word := strings.TrimSuffix(env.p, "-")
	neo4jtest.Load(t, stixBatch(t, neo4jtest.RealBatch(t, "mitre-attack-ics", "ics-attack-18.1.json"), env.p, word))
	lineage, err := os.ReadFile(filepath.Join("..", "ingest", "testdata", "stix_lineage_tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	tiny, err := ingest.ParseSTIX("stix_lineage_tiny.json", lineage)
	if err != nil {
		t.Fatal(err)
	}
	neo4jtest.Load(t, stixBatch(t, tiny, env.p, word+"x"))

	type entry struct {
		ID                  string
		Revoked, Deprecated bool
		Parent, RevokedBy   *struct{ ID string }
		Subtechniques       []struct{ ID string }
	}
	var got struct {
		Active, All struct {
			TotalCount int
			Nodes      []entry
		}
		Measures, AllMeasures struct{ TotalCount int }
	}
	const lists = `query($w: String!) {
  active: threats(text: $w, first: 500) { totalCount nodes { id revoked deprecated parent { id } revokedBy { id } subtechniques { id } } }
  all: threats(text: $w, first: 500, includeRevoked: true) { totalCount nodes { id revoked deprecated parent { id } revokedBy { id } subtechniques { id } } }
  measures: measures(text: $w, first: 500) { totalCount }
  allMeasures: measures(text: $w, first: 500, includeRevoked: true) { totalCount }
}`
	counter.Take()
	env.must(t, "", lists, map[string]any{"w": word}, &got)
	trips, by := counter.Take()
	if got.Active.TotalCount != 83 || got.All.TotalCount != 95 || got.Measures.TotalCount != 52 || got.AllMeasures.TotalCount != 52 {
		t.Errorf("threats %d (with revoked and deprecated %d), measures %d (%d); want 83 (95) and 52 (52)",
			got.Active.TotalCount, got.All.TotalCount, got.Measures.TotalCount, got.AllMeasures.TotalCount)
	}
	deprecated := 0
	for _, n := range got.All.Nodes {
		if n.Revoked {
			t.Errorf("%s is revoked; ICS 18.1 revokes no technique", n.ID)
		}
		if n.Deprecated {
			deprecated++
		}
		if n.Parent != nil || n.RevokedBy != nil || len(n.Subtechniques) > 0 {
			t.Errorf("%s: %+v; ICS has no sub-techniques and no technique revoked by another", n.ID, n)
		}
	}
	for _, n := range got.Active.Nodes {
		if n.Deprecated || n.Revoked {
			t.Errorf("the default list shows %s (revoked %v, deprecated %v)", n.ID, n.Revoked, n.Deprecated)
		}
	}
	if deprecated != 12 {
		t.Errorf("%d deprecated techniques, want 12", deprecated)
	}
	// At most one batch per list and per relation of each threat list
	// (parent, revokedBy, subtechniques): 4 + 2 × 3, whatever the number of
	// threats (the two lists' batches of a relation often merge into one).
	const maxTrips = 10
	if trips > maxTrips {
		t.Errorf("%d round trips (%s) for 95 + 83 threats, want at most %d", trips, by, maxTrips)
	}

	src := env.p + "mitre-attack-enterprise:"
	counter.Take()
	env.must(t, "", lists, map[string]any{"w": word + "x"}, &got)
	if n, by := counter.Take(); n > maxTrips {
		t.Errorf("%d round trips (%s) for 4 + 2 threats, want at most %d", n, by, maxTrips)
	}
	byID := map[string]entry{}
	for _, n := range got.All.Nodes {
		byID[strings.TrimPrefix(n.ID, src)] = n
	}
	if got.Active.TotalCount != 2 || got.All.TotalCount != 4 || got.Measures.TotalCount != 1 || got.AllMeasures.TotalCount != 2 {
		t.Errorf("tiny bundle: threats %d of %d, measures %d of %d; want 2 of 4 and 1 of 2", got.Active.TotalCount, got.All.TotalCount, got.Measures.TotalCount, got.AllMeasures.TotalCount)
	}
	if n := byID["T1059.001"]; n.Parent == nil || n.Parent.ID != src+"T1059" {
		t.Errorf("T1059.001: %+v, want parent T1059", n)
	}
	if n := byID["T1059"]; len(n.Subtechniques) != 1 || n.Subtechniques[0].ID != src+"T1059.001" || n.Parent != nil {
		t.Errorf("T1059: %+v, want sub-technique T1059.001 and no parent", n)
	}
	if n := byID["T1086"]; !n.Revoked || n.RevokedBy == nil || n.RevokedBy.ID != src+"T1059.001" {
		t.Errorf("T1086: %+v, want revoked by T1059.001", n)
	}
	var m struct {
		Node struct {
			Revoked, Deprecated bool
			RevokedBy           *struct{ ID string }
		}
	}
	env.must(t, "", `query($id: ID!) { node(id: $id) { ... on Measure { revoked deprecated revokedBy { id } } } }`, map[string]any{"id": src + "T1086-M"}, &m)
	if !m.Node.Revoked || m.Node.Deprecated || m.Node.RevokedBy == nil || m.Node.RevokedBy.ID != src+"M1038" {
		t.Errorf("the revoked mitigation: %+v, want revoked by M1038", m.Node)
	}
}
