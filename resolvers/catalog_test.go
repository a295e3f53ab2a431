package resolvers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// catalogFixture is a testEnv with an organization and a token for each
// role of it.
type catalogFixture struct {
	*testEnv
	t      *testing.T
	org    string
	tokens map[model.Role]string
}

func newCatalogFixture(t *testing.T) *catalogFixture {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	f := &catalogFixture{testEnv: env, t: t, org: env.org(t, "org", "manufacturing")}
	f.tokens = env.tokensOf(t, f.org)
	return f
}

// as sends a request with the token of role ("" for none).
func (f *catalogFixture) as(role model.Role, query string, vars map[string]any) gqlResponse {
	f.t.Helper()
	return f.do(f.t, f.tokens[role], query, vars)
}

// must sends a request as a curator and decodes its data into v, failing
// the test on any error.
func (f *catalogFixture) must(query string, vars map[string]any, v any) {
	f.t.Helper()
	f.testEnv.must(f.t, f.tokens[model.RoleCurator], query, vars, v)
}

// catWantError checks that r failed with code, naming field when field is
// not "".
func catWantError(t *testing.T, r gqlResponse, code, field string) {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("no error, want %s (data %s)", code, r.Data)
	}
	if got := r.code(); got != code {
		t.Errorf("code = %q, want %q (%s)", got, code, r.Errors[0].Message)
	}
	if field != "" {
		if got, _ := r.Errors[0].Extensions["field"].(string); got != field {
			t.Errorf("field = %q, want %q (%s)", got, field, r.Errors[0].Message)
		}
	}
}

const (
	catCreateThreatQ    = `mutation($in: ThreatInput!) { createThreat(input: $in) { id name kind description externalId source } }`
	catUpdateThreatQ    = `mutation($id: ID!, $in: ThreatInput!) { updateThreat(id: $id, input: $in) { id name kind description externalId source } }`
	catDeleteThreatQ    = `mutation($id: ID!, $cascade: Boolean) { deleteThreat(id: $id, cascade: $cascade) }`
	catCreateMeasureQ   = `mutation($in: MeasureInput!) { createMeasure(input: $in) { id name description kind perspective { code } } }`
	catUpdateMeasureQ   = `mutation($id: ID!, $in: MeasureInput!) { updateMeasure(id: $id, input: $in) { id name description kind perspective { code } } }`
	catDeleteMeasureQ   = `mutation($id: ID!, $cascade: Boolean) { deleteMeasure(id: $id, cascade: $cascade) }`
	catLinkThreatQ      = `mutation($t: ID!, $m: ID!, $r: String) { linkThreatToMeasure(threatId: $t, measureId: $m, rationale: $r) { id mitigatedBy { id } } }`
	catCreateGuidelineQ = `mutation($in: GuidelineInput!) { createGuideline(input: $in) { id title publisher version clauseCount } }`
	catUpdateGuidelineQ = `mutation($id: ID!, $in: GuidelineInput!) { updateGuideline(id: $id, input: $in) { id title publisher version } }`
	catDeleteGuidelineQ = `mutation($id: ID!, $cascade: Boolean) { deleteGuideline(id: $id, cascade: $cascade) }`
	catCreateClauseQ    = `mutation($in: ClauseInput!) { createClause(input: $in) { id ref title text guideline { id } parent { id } } }`
	catUpdateClauseQ    = `mutation($id: ID!, $in: ClauseInput!) { updateClause(id: $id, input: $in) { id ref title text parent { id } } }`
	catDeleteClauseQ    = `mutation($id: ID!, $cascade: Boolean) { deleteClause(id: $id, cascade: $cascade) }`
	catMapClausesQ      = `mutation($in: ClauseMappingInput!) { mapClauses(input: $in) { source { id } target { id } relationship rationale confidence coverage origin } }`
	catUnmapClausesQ    = `mutation($s: ID!, $t: ID!) { unmapClauses(sourceId: $s, targetId: $t) }`
	catLinkMeasureQ     = `mutation($in: MeasureClauseInput!) { linkMeasureToClause(input: $in) { measure { id } clause { id ref } relationship coverage rationale } }`
	catUnlinkMeasureQ   = `mutation($m: ID!, $c: ID!) { unlinkMeasureFromClause(measureId: $m, clauseId: $c) }`
)

// Helpers that create catalog nodes through the API, as a curator.

func (f *catalogFixture) threat(id, name, kind, desc string) {
	f.t.Helper()
	f.must(catCreateThreatQ, map[string]any{"in": map[string]any{"id": id, "name": name, "kind": kind, "description": desc}}, nil)
}

func (f *catalogFixture) measure(id, name, perspective string) {
	f.t.Helper()
	f.must(catCreateMeasureQ, map[string]any{"in": map[string]any{"id": id, "name": name, "perspective": perspective, "kind": "technical"}}, nil)
}

func (f *catalogFixture) guideline(id string) {
	f.t.Helper()
	f.must(catCreateGuidelineQ, map[string]any{"in": map[string]any{"id": id, "title": "Guideline " + id, "publisher": "IEC", "version": "2013"}}, nil)
}

func (f *catalogFixture) clause(id, guideline, parent, ref string) {
	f.t.Helper()
	in := map[string]any{"id": id, "guidelineId": guideline, "ref": ref, "title": "Clause " + ref, "text": "The text of " + ref}
	if parent != "" {
		in["parentId"] = parent
	}
	f.must(catCreateClauseQ, map[string]any{"in": in}, nil)
}

// nodeExists reports whether node(id) finds anything.
func (f *catalogFixture) nodeExists(id string) bool {
	f.t.Helper()
	var got struct{ Node *struct{ ID string } }
	f.must(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &got)
	return got.Node != nil
}

func TestCatalogThreatRoundTrip(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	id := f.p + "threat"
	kind := f.p + "cyber-attack"

	var created struct{ CreateThreat map[string]any }
	f.must(catCreateThreatQ, map[string]any{"in": map[string]any{
		"id": id, "name": "Modify Parameter", "kind": kind, "description": "Adversaries may modify parameters.",
		"externalId": "T0836", "source": "mitre-attack-ics",
	}}, &created)
	want := map[string]any{"id": id, "name": "Modify Parameter", "kind": kind, "description": "Adversaries may modify parameters.",
		"externalId": "T0836", "source": "mitre-attack-ics"}
	if fmt.Sprint(created.CreateThreat) != fmt.Sprint(want) {
		t.Errorf("createThreat = %v, want %v", created.CreateThreat, want)
	}

	// Read back through the list (filtered by kind) and through node(id).
	var list struct {
		Threats struct {
			Nodes      []map[string]any
			TotalCount int
		}
	}
	f.must(`query($k: String) { threats(kind: $k) { nodes { id name kind description externalId source } totalCount } }`, map[string]any{"k": kind}, &list)
	if list.Threats.TotalCount != 1 || len(list.Threats.Nodes) != 1 || fmt.Sprint(list.Threats.Nodes[0]) != fmt.Sprint(want) {
		t.Errorf("threats(kind) = %+v, want just %v", list.Threats, want)
	}
	var node struct{ Node map[string]any }
	f.must(`query($id: ID!) { node(id: $id) { __typename ... on Threat { name externalId } } }`, map[string]any{"id": id}, &node)
	if node.Node["__typename"] != "Threat" || node.Node["name"] != "Modify Parameter" || node.Node["externalId"] != "T0836" {
		t.Errorf("node(id) = %v", node.Node)
	}

	// Update replaces every field: the omitted externalId and source go.
	var updated struct{ UpdateThreat map[string]any }
	f.must(catUpdateThreatQ, map[string]any{"id": id, "in": map[string]any{"name": "Modify Parameter (renamed)", "kind": kind, "description": "Changed."}}, &updated)
	want = map[string]any{"id": id, "name": "Modify Parameter (renamed)", "kind": kind, "description": "Changed.", "externalId": nil, "source": nil}
	if fmt.Sprint(updated.UpdateThreat) != fmt.Sprint(want) {
		t.Errorf("updateThreat = %v, want %v", updated.UpdateThreat, want)
	}
	f.must(`query($k: String) { threats(kind: $k) { nodes { id name kind description externalId source } totalCount } }`, map[string]any{"k": kind}, &list)
	if len(list.Threats.Nodes) != 1 || fmt.Sprint(list.Threats.Nodes[0]) != fmt.Sprint(want) {
		t.Errorf("after update, threats(kind) = %+v, want %v", list.Threats.Nodes, want)
	}

	// Link to a measure, twice: the link is made once, and its rationale replaced.
	mid := f.p + "measure"
	f.measure(mid, "Parameter range checks", "P1")
	for _, rationale := range []string{"first", "second"} {
		var linked struct {
			LinkThreatToMeasure struct {
				ID          string
				MitigatedBy []struct{ ID string }
			}
		}
		f.must(catLinkThreatQ, map[string]any{"t": id, "m": mid, "r": rationale}, &linked)
		if linked.LinkThreatToMeasure.ID != id || len(linked.LinkThreatToMeasure.MitigatedBy) != 1 || linked.LinkThreatToMeasure.MitigatedBy[0].ID != mid {
			t.Errorf("linkThreatToMeasure (%s) = %+v, want one mitigating measure %s", rationale, linked.LinkThreatToMeasure, mid)
		}
	}
	var mitigates struct {
		Node struct{ Mitigates []struct{ ID string } }
	}
	f.must(`query($id: ID!) { node(id: $id) { ... on Measure { mitigates { id } } } }`, map[string]any{"id": mid}, &mitigates)
	if len(mitigates.Node.Mitigates) != 1 || mitigates.Node.Mitigates[0].ID != id {
		t.Errorf("measure.mitigates = %+v, want [%s]", mitigates.Node.Mitigates, id)
	}

	// Delete: the threat goes, its measure stays and mitigates nothing.
	var deleted struct{ DeleteThreat string }
	f.must(catDeleteThreatQ, map[string]any{"id": id}, &deleted)
	if deleted.DeleteThreat != id {
		t.Errorf("deleteThreat = %q, want %q", deleted.DeleteThreat, id)
	}
	if f.nodeExists(id) {
		t.Errorf("threat %s still found after delete", id)
	}
	f.must(`query($id: ID!) { node(id: $id) { ... on Measure { mitigates { id } } } }`, map[string]any{"id": mid}, &mitigates)
	if !f.nodeExists(mid) || len(mitigates.Node.Mitigates) != 0 {
		t.Errorf("after deleting the threat, measure mitigates %+v, want nothing", mitigates.Node.Mitigates)
	}
	catWantError(t, f.as(model.RoleCurator, catDeleteThreatQ, map[string]any{"id": id}), "NOT_FOUND", "id")
}

func TestCatalogMeasureRoundTrip(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	id := f.p + "measure"
	word := strings.ReplaceAll(f.p, "-", "") + "firmware"

	var created struct{ CreateMeasure map[string]any }
	f.must(catCreateMeasureQ, map[string]any{"in": map[string]any{"id": id, "name": "Signed " + word + " updates", "description": "Only signed images boot.",
		"perspective": "P1", "kind": "technical"}}, &created)
	want := map[string]any{"id": id, "name": "Signed " + word + " updates", "description": "Only signed images boot.", "kind": "technical",
		"perspective": map[string]any{"code": "P1"}}
	if fmt.Sprint(created.CreateMeasure) != fmt.Sprint(want) {
		t.Errorf("createMeasure = %v, want %v", created.CreateMeasure, want)
	}

	ids := func(perspective string) []string {
		t.Helper()
		var got struct {
			Measures struct{ Nodes []struct{ ID string } }
		}
		f.must(`query($p: String, $w: String) { measures(perspective: $p, text: $w) { nodes { id } } }`, map[string]any{"p": perspective, "w": word}, &got)
		var out []string
		for _, n := range got.Measures.Nodes {
			out = append(out, n.ID)
		}
		return out
	}
	if got := ids("P1"); !slices.Equal(got, []string{id}) {
		t.Errorf("measures(perspective: P1) = %v, want [%s]", got, id)
	}
	if got := ids("P3"); len(got) != 0 {
		t.Errorf("measures(perspective: P3) = %v, want none", got)
	}

	var updated struct{ UpdateMeasure map[string]any }
	f.must(catUpdateMeasureQ, map[string]any{"id": id, "in": map[string]any{"name": "Teach residents about " + word, "perspective": "P3", "kind": "human"}}, &updated)
	want = map[string]any{"id": id, "name": "Teach residents about " + word, "description": "", "kind": "human", "perspective": map[string]any{"code": "P3"}}
	if fmt.Sprint(updated.UpdateMeasure) != fmt.Sprint(want) {
		t.Errorf("updateMeasure = %v, want %v", updated.UpdateMeasure, want)
	}
	if got := ids("P3"); !slices.Equal(got, []string{id}) {
		t.Errorf("after update, measures(perspective: P3) = %v, want [%s]", got, id)
	}
	if got := ids("P1"); len(got) != 0 {
		t.Errorf("after update, measures(perspective: P1) = %v, want none", got)
	}

	var deleted struct{ DeleteMeasure string }
	f.must(catDeleteMeasureQ, map[string]any{"id": id}, &deleted)
	if deleted.DeleteMeasure != id || f.nodeExists(id) {
		t.Errorf("deleteMeasure = %q; still there: %v", deleted.DeleteMeasure, f.nodeExists(id))
	}
	if got := ids("P3"); len(got) != 0 {
		t.Errorf("after delete, measures = %v, want none", got)
	}
}

// catGuidelineTree is guideline(id) read three levels deep.
type catGuidelineTree struct {
	Guideline *struct {
		ID, Title, Publisher, Version string
		ClauseCount                   int
		Clauses                       []struct {
			ID, Ref  string
			Children []struct {
				ID, Ref  string
				Parent   struct{ ID string }
				Children []struct {
					ID, Ref string
				}
			}
		}
	}
}

const catGuidelineTreeQ = `query($id: ID!) { guideline(id: $id) { id title publisher version clauseCount
  clauses { id ref children { id ref parent { id } children { id ref } } } } }`

func TestCatalogGuidelineAndClauseRoundTrip(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	g := f.p + "iec62443"

	var created struct{ CreateGuideline map[string]any }
	f.must(catCreateGuidelineQ, map[string]any{"in": map[string]any{"id": g, "title": "IEC 62443-3-3", "publisher": "IEC", "version": "2013"}}, &created)
	if fmt.Sprint(created.CreateGuideline) != fmt.Sprint(map[string]any{"id": g, "title": "IEC 62443-3-3", "publisher": "IEC", "version": "2013", "clauseCount": 0}) {
		t.Errorf("createGuideline = %v", created.CreateGuideline)
	}

	// Three levels: FR 1 > SR 1.1 > SR 1.1 RE 1, and a second top clause.
	var clause struct{ CreateClause map[string]any }
	f.must(catCreateClauseQ, map[string]any{"in": map[string]any{"id": g + "-fr1", "guidelineId": g, "ref": "FR 1", "title": "Identification and authentication control"}}, &clause)
	if fmt.Sprint(clause.CreateClause) != fmt.Sprint(map[string]any{"id": g + "-fr1", "ref": "FR 1", "title": "Identification and authentication control", "text": "",
		"guideline": map[string]any{"id": g}, "parent": nil}) {
		t.Errorf("createClause = %v", clause.CreateClause)
	}
	f.must(catCreateClauseQ, map[string]any{"in": map[string]any{"id": g + "-sr1.1", "guidelineId": g, "parentId": g + "-fr1", "ref": "SR 1.1",
		"title": "Human user identification and authentication", "text": "The control system shall identify and authenticate all human users."}}, &clause)
	if p, _ := clause.CreateClause["parent"].(map[string]any); p["id"] != g+"-fr1" {
		t.Errorf("createClause(SR 1.1).parent = %v", clause.CreateClause["parent"])
	}
	f.clause(g+"-sr1.1-re1", g, g+"-sr1.1", "SR 1.1 RE 1")
	f.clause(g+"-fr2", g, "", "FR 2")

	var tree catGuidelineTree
	f.must(catGuidelineTreeQ, map[string]any{"id": g}, &tree)
	gl := tree.Guideline
	if gl == nil || gl.ClauseCount != 4 || len(gl.Clauses) != 2 || gl.Clauses[0].ID != g+"-fr1" || gl.Clauses[1].ID != g+"-fr2" {
		t.Fatalf("guideline = %+v, want 4 clauses, top-level FR 1 and FR 2", gl)
	}
	fr1 := gl.Clauses[0]
	if len(fr1.Children) != 1 || fr1.Children[0].Ref != "SR 1.1" || fr1.Children[0].Parent.ID != g+"-fr1" ||
		len(fr1.Children[0].Children) != 1 || fr1.Children[0].Children[0].Ref != "SR 1.1 RE 1" || len(gl.Clauses[1].Children) != 0 {
		t.Errorf("FR 1's tree = %+v", fr1)
	}

	// Updates.
	var ug struct{ UpdateGuideline map[string]any }
	f.must(catUpdateGuidelineQ, map[string]any{"id": g, "in": map[string]any{"title": "IEC 62443-3-3:2013", "publisher": "IEC/ISA", "version": "1.0"}}, &ug)
	if fmt.Sprint(ug.UpdateGuideline) != fmt.Sprint(map[string]any{"id": g, "title": "IEC 62443-3-3:2013", "publisher": "IEC/ISA", "version": "1.0"}) {
		t.Errorf("updateGuideline = %v", ug.UpdateGuideline)
	}
	var uc struct{ UpdateClause map[string]any }
	f.must(catUpdateClauseQ, map[string]any{"id": g + "-sr1.1", "in": map[string]any{"guidelineId": g, "parentId": g + "-fr1", "ref": "SR 1.1", "title": "Human users", "text": "New text."}}, &uc)
	if uc.UpdateClause["title"] != "Human users" || uc.UpdateClause["text"] != "New text." {
		t.Errorf("updateClause = %v", uc.UpdateClause)
	}
	f.must(catGuidelineTreeQ, map[string]any{"id": g}, &tree)
	if tree.Guideline.Title != "IEC 62443-3-3:2013" || tree.Guideline.Version != "1.0" || tree.Guideline.ClauseCount != 4 {
		t.Errorf("after update, guideline = %+v", tree.Guideline)
	}
	var read struct {
		Node struct {
			Title, Text string
			Guideline   struct{ ID string }
		}
	}
	f.must(`query($id: ID!) { node(id: $id) { ... on Clause { title text guideline { id } } } }`, map[string]any{"id": g + "-sr1.1"}, &read)
	if read.Node.Title != "Human users" || read.Node.Text != "New text." || read.Node.Guideline.ID != g {
		t.Errorf("after update, clause = %+v", read.Node)
	}

	// A leaf deletes without cascade; FR 1 has a sub-clause, so it needs cascade,
	// which takes SR 1.1 and its enhancement along.
	f.must(catDeleteClauseQ, map[string]any{"id": g + "-fr2"}, nil)
	catWantError(t, f.as(model.RoleCurator, catDeleteClauseQ, map[string]any{"id": g + "-fr1"}), "CONFLICT", "id")
	f.must(catDeleteClauseQ, map[string]any{"id": g + "-fr1", "cascade": true}, nil)
	for _, id := range []string{g + "-fr1", g + "-fr2", g + "-sr1.1", g + "-sr1.1-re1"} {
		if f.nodeExists(id) {
			t.Errorf("clause %s still found after delete", id)
		}
	}
	f.must(catGuidelineTreeQ, map[string]any{"id": g}, &tree)
	if tree.Guideline == nil || tree.Guideline.ClauseCount != 0 || len(tree.Guideline.Clauses) != 0 {
		t.Errorf("after deleting its clauses, guideline = %+v", tree.Guideline)
	}

	// A guideline with clauses needs cascade.
	f.clause(g+"-fr3", g, "", "FR 3")
	catWantError(t, f.as(model.RoleCurator, catDeleteGuidelineQ, map[string]any{"id": g}), "CONFLICT", "id")
	var deleted struct{ DeleteGuideline string }
	f.must(catDeleteGuidelineQ, map[string]any{"id": g, "cascade": true}, &deleted)
	if deleted.DeleteGuideline != g || f.nodeExists(g) || f.nodeExists(g+"-fr3") {
		t.Errorf("deleteGuideline(cascade) = %q; guideline or clause still there", deleted.DeleteGuideline)
	}
	f.must(catGuidelineTreeQ, map[string]any{"id": g}, &tree)
	if tree.Guideline != nil {
		t.Errorf("guideline(id) after delete = %+v, want null", tree.Guideline)
	}
	// An empty guideline deletes without cascade.
	f.guideline(g + "-empty")
	f.must(catDeleteGuidelineQ, map[string]any{"id": g + "-empty"}, nil)
	if f.nodeExists(g + "-empty") {
		t.Errorf("empty guideline still found after delete")
	}
}

// catClauseLinks is a clause's mappings both ways and its measures.
type catClauseLinks struct {
	Node struct {
		Mappings []struct {
			Source, Target struct{ ID string }
			Relationship   string
			Rationale      *string
			Confidence     *float64
			Coverage       *float64
			Origin         *string
		}
		MappedFrom []struct {
			Source, Target struct{ ID string }
			Relationship   string
		}
		Measures []struct {
			Measure      struct{ ID string }
			Relationship string
			Coverage     *float64
			Rationale    *string
		}
	}
}

const catClauseLinksQ = `query($id: ID!) { node(id: $id) { ... on Clause {
  mappings { source { id } target { id } relationship rationale confidence coverage origin }
  mappedFrom { source { id } target { id } relationship }
  measures { measure { id } relationship coverage rationale } } } }`

func TestCatalogCrosswalkAndMeasureLinks(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	iec, nist := f.p+"iec", f.p+"nist"
	f.guideline(iec)
	f.guideline(nist)
	f.clause(iec+"-sr1.1", iec, "", "SR 1.1")
	f.clause(nist+"-ia2", nist, "", "IA-2")
	f.clause(nist+"-ia2.1", nist, nist+"-ia2", "IA-2(1)")
	src, dst := iec+"-sr1.1", nist+"-ia2"

	// Map, then map again: the second replaces the first.
	var mapped struct{ MapClauses map[string]any }
	f.must(catMapClausesQ, map[string]any{"in": map[string]any{"sourceId": src, "targetId": dst, "relationship": "SUBSET_OF",
		"rationale": "SEMANTIC", "confidence": 0.8, "coverage": 0.5, "origin": "NIST crosswalk 2023"}}, &mapped)
	want := map[string]any{"source": map[string]any{"id": src}, "target": map[string]any{"id": dst}, "relationship": "SUBSET_OF",
		"rationale": "SEMANTIC", "confidence": 0.8, "coverage": 0.5, "origin": "NIST crosswalk 2023"}
	if fmt.Sprint(mapped.MapClauses) != fmt.Sprint(want) {
		t.Errorf("mapClauses = %v, want %v", mapped.MapClauses, want)
	}
	var links catClauseLinks
	f.must(catClauseLinksQ, map[string]any{"id": src}, &links)
	if m := links.Node.Mappings; len(m) != 1 || m[0].Target.ID != dst || m[0].Relationship != "SUBSET_OF" || m[0].Rationale == nil || *m[0].Rationale != "SEMANTIC" ||
		m[0].Confidence == nil || *m[0].Confidence != 0.8 || m[0].Coverage == nil || *m[0].Coverage != 0.5 || m[0].Origin == nil || *m[0].Origin != "NIST crosswalk 2023" {
		t.Errorf("mappings = %+v", m)
	}
	f.must(catMapClausesQ, map[string]any{"in": map[string]any{"sourceId": src, "targetId": dst, "relationship": "EQUIVALENT_TO", "confidence": 1}}, &mapped)
	f.must(catClauseLinksQ, map[string]any{"id": src}, &links)
	if m := links.Node.Mappings; len(m) != 1 || m[0].Relationship != "EQUIVALENT_TO" || m[0].Rationale != nil || m[0].Coverage != nil || m[0].Origin != nil ||
		m[0].Confidence == nil || *m[0].Confidence != 1 {
		t.Errorf("after mapping again, mappings = %+v, want one EQUIVALENT_TO with confidence 1 only", m)
	}
	f.must(catClauseLinksQ, map[string]any{"id": dst}, &links)
	if m := links.Node.MappedFrom; len(m) != 1 || m[0].Source.ID != src || m[0].Target.ID != dst || len(links.Node.Mappings) != 0 {
		t.Errorf("target's mappedFrom = %+v, mappings = %+v", m, links.Node.Mappings)
	}

	// Link a measure (default relationship), relink, read from both ends.
	mid := f.p + "mfa"
	f.measure(mid, "Multi-factor authentication", "P1")
	var linked struct{ LinkMeasureToClause map[string]any }
	f.must(catLinkMeasureQ, map[string]any{"in": map[string]any{"measureId": mid, "clauseId": src, "coverage": 0.5, "rationale": "Only for remote access."}}, &linked)
	want = map[string]any{"measure": map[string]any{"id": mid}, "clause": map[string]any{"id": src, "ref": "SR 1.1"}, "relationship": "EQUIVALENT_TO",
		"coverage": 0.5, "rationale": "Only for remote access."}
	if fmt.Sprint(linked.LinkMeasureToClause) != fmt.Sprint(want) {
		t.Errorf("linkMeasureToClause = %v, want %v", linked.LinkMeasureToClause, want)
	}
	f.must(catLinkMeasureQ, map[string]any{"in": map[string]any{"measureId": mid, "clauseId": dst, "relationship": "SUPERSET_OF"}}, &linked)
	f.must(catLinkMeasureQ, map[string]any{"in": map[string]any{"measureId": mid, "clauseId": src, "relationship": "INTERSECTS_WITH", "coverage": 0.25}}, &linked)
	var m struct {
		Node struct {
			Clauses []struct {
				Clause       struct{ Ref string }
				Relationship string
				Coverage     *float64
				Rationale    *string
			}
		}
	}
	f.must(`query($id: ID!) { node(id: $id) { ... on Measure { clauses { clause { ref } relationship coverage rationale } } } }`, map[string]any{"id": mid}, &m)
	cl := m.Node.Clauses
	if len(cl) != 2 || cl[0].Clause.Ref != "SR 1.1" || cl[0].Relationship != "INTERSECTS_WITH" || cl[0].Coverage == nil || *cl[0].Coverage != 0.25 || cl[0].Rationale != nil ||
		cl[1].Clause.Ref != "IA-2" || cl[1].Relationship != "SUPERSET_OF" || cl[1].Coverage != nil {
		t.Errorf("measure.clauses = %+v, want SR 1.1 (INTERSECTS_WITH 0.25) and IA-2 (SUPERSET_OF)", cl)
	}
	f.must(catClauseLinksQ, map[string]any{"id": src}, &links)
	if ms := links.Node.Measures; len(ms) != 1 || ms[0].Measure.ID != mid || ms[0].Relationship != "INTERSECTS_WITH" {
		t.Errorf("clause.measures = %+v", ms)
	}

	// A clause with mappings or measure links needs cascade.
	catWantError(t, f.as(model.RoleCurator, catDeleteClauseQ, map[string]any{"id": src}), "CONFLICT", "id")
	catWantError(t, f.as(model.RoleCurator, catDeleteClauseQ, map[string]any{"id": dst}), "CONFLICT", "id")

	// Unmap and unlink: true, then false when there is nothing left.
	for i, want := range []bool{true, false} {
		var un struct{ UnmapClauses bool }
		f.must(catUnmapClausesQ, map[string]any{"s": src, "t": dst}, &un)
		if un.UnmapClauses != want {
			t.Errorf("unmapClauses #%d = %v, want %v", i+1, un.UnmapClauses, want)
		}
		var ul struct{ UnlinkMeasureFromClause bool }
		f.must(catUnlinkMeasureQ, map[string]any{"m": mid, "c": src}, &ul)
		if ul.UnlinkMeasureFromClause != want {
			t.Errorf("unlinkMeasureFromClause #%d = %v, want %v", i+1, ul.UnlinkMeasureFromClause, want)
		}
	}
	f.must(catClauseLinksQ, map[string]any{"id": src}, &links)
	if len(links.Node.Mappings) != 0 || len(links.Node.Measures) != 0 {
		t.Errorf("after unmap and unlink: %+v", links.Node)
	}
	f.must(catDeleteClauseQ, map[string]any{"id": src}, nil) // nothing depends on it now

	// Cascade on IA-2 takes IA-2(1) and the measure link, not the measure.
	f.must(catMapClausesQ, map[string]any{"in": map[string]any{"sourceId": nist + "-ia2.1", "targetId": dst, "relationship": "SUBSET_OF"}}, nil)
	f.must(catDeleteClauseQ, map[string]any{"id": dst, "cascade": true}, nil)
	f.must(`query($id: ID!) { node(id: $id) { ... on Measure { clauses { clause { ref } relationship coverage rationale } } } }`, map[string]any{"id": mid}, &m)
	if f.nodeExists(dst) || f.nodeExists(nist+"-ia2.1") || !f.nodeExists(mid) || len(m.Node.Clauses) != 0 {
		t.Errorf("after cascade: IA-2 %v, IA-2(1) %v, measure %v, measure links %+v", f.nodeExists(dst), f.nodeExists(nist+"-ia2.1"), f.nodeExists(mid), m.Node.Clauses)
	}
}

func TestCatalogDeleteGuidelineCascadeRemovesCrosswalks(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	a, b := f.p+"a", f.p+"b"
	f.guideline(a)
	f.guideline(b)
	f.clause(a+"-1", a, "", "1")
	f.clause(a+"-1.1", a, a+"-1", "1.1")
	f.clause(b+"-1", b, "", "1")
	f.measure(f.p+"m", "Logging", "P2")
	f.must(catMapClausesQ, map[string]any{"in": map[string]any{"sourceId": b + "-1", "targetId": a + "-1.1", "relationship": "EQUAL_TO"}}, nil)
	f.must(catLinkMeasureQ, map[string]any{"in": map[string]any{"measureId": f.p + "m", "clauseId": a + "-1"}}, nil)

	f.must(catDeleteGuidelineQ, map[string]any{"id": a, "cascade": true}, nil)
	for _, id := range []string{a, a + "-1", a + "-1.1"} {
		if f.nodeExists(id) {
			t.Errorf("%s still found after cascade", id)
		}
	}
	var links catClauseLinks
	f.must(catClauseLinksQ, map[string]any{"id": b + "-1"}, &links)
	if !f.nodeExists(b+"-1") || len(links.Node.Mappings) != 0 {
		t.Errorf("the other guideline's clause: mappings %+v, want none (and the clause kept)", links.Node.Mappings)
	}
	var m struct {
		Node struct {
			Clauses []struct{ Clause struct{ ID string } }
		}
	}
	f.must(`query($id: ID!) { node(id: $id) { ... on Measure { clauses { clause { id } } } } }`, map[string]any{"id": f.p + "m"}, &m)
	if len(m.Node.Clauses) != 0 {
		t.Errorf("measure still links %+v", m.Node.Clauses)
	}
}

func TestCatalogThreatPagingAndTextFilter(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	kind := f.p + "paging"
	word := strings.ReplaceAll(f.p, "-", "") + "shutter"
	var want []string
	for i := range 6 {
		want = append(want, fmt.Sprintf("%sthreat-%d", f.p, i))
	}
	// Created out of order, listed in id order.
	for _, i := range []int{3, 0, 5, 1, 4, 2} {
		desc := "An ordinary threat."
		if i == 4 {
			desc = "Jams the window " + word + " of a smart home."
		}
		f.threat(want[i], fmt.Sprintf("Threat %d", i), kind, desc)
	}

	var got []string
	var after any
	for page := 1; page <= 3; page++ {
		var r struct {
			Threats struct {
				Nodes    []struct{ ID string }
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
				TotalCount int
			}
		}
		f.must(`query($k: String, $a: String) { threats(kind: $k, first: 2, after: $a) { nodes { id } pageInfo { hasNextPage endCursor } totalCount } }`,
			map[string]any{"k": kind, "a": after}, &r)
		if len(r.Threats.Nodes) != 2 || r.Threats.TotalCount != 6 || r.Threats.PageInfo.HasNextPage != (page < 3) || r.Threats.PageInfo.EndCursor == nil {
			t.Fatalf("page %d = %+v, want 2 of 6, hasNextPage %v", page, r.Threats, page < 3)
		}
		for _, n := range r.Threats.Nodes {
			got = append(got, n.ID)
		}
		after = *r.Threats.PageInfo.EndCursor
	}
	if !slices.Equal(got, want) {
		t.Errorf("three pages = %v, want %v", got, want)
	}

	var r struct {
		Threats struct {
			Nodes      []struct{ ID string }
			TotalCount int
		}
	}
	f.must(`query($w: String) { threats(text: $w) { nodes { id } totalCount } }`, map[string]any{"w": word}, &r)
	if r.Threats.TotalCount != 1 || len(r.Threats.Nodes) != 1 || r.Threats.Nodes[0].ID != want[4] {
		t.Errorf("threats(text: %q) = %+v, want just %s", word, r.Threats, want[4])
	}
}

func TestCatalogSearchFindsCatalogNodes(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	word := strings.ReplaceAll(f.p, "-", "") + "boiler"
	f.threat(f.p+"t", "Remote "+word+" takeover", "cyber-attack", "")
	f.guideline(f.p + "g")
	f.must(catCreateClauseQ, map[string]any{"in": map[string]any{"id": f.p + "c", "guidelineId": f.p + "g", "ref": "7.1", "title": "Remote access",
		"text": "Remote " + word + " monitoring must authenticate."}}, nil)
	f.must(catCreateMeasureQ, map[string]any{"in": map[string]any{"id": f.p + "m", "name": "Segment the " + word + " network", "perspective": "P2", "kind": "technical"}}, nil)

	var r struct {
		Search []struct {
			Node struct {
				ID       string
				Typename string `json:"__typename"`
			}
			Score float64
		}
	}
	f.must(`query($w: String!) { search(text: $w) { node { id __typename } score } }`, map[string]any{"w": word}, &r)
	found := map[string]string{}
	for _, h := range r.Search {
		found[h.Node.ID] = h.Node.Typename
	}
	for id, typ := range map[string]string{f.p + "t": "Threat", f.p + "c": "Clause", f.p + "m": "Measure"} {
		if found[id] != typ {
			t.Errorf("search(%q) did not find %s %s; found %v", word, typ, id, found)
		}
	}
	if len(found) != 3 {
		t.Errorf("search found %v, want exactly the 3 nodes", found)
	}
}

func TestCatalogValidation(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	p := f.p
	f.threat(p+"t", "Threat", "failure", "")
	f.measure(p+"m", "Measure", "P1")
	f.guideline(p + "g")
	f.guideline(p + "g2")
	f.clause(p+"c", p+"g", "", "1")
	f.clause(p+"c2", p+"g2", "", "1")
	f.clause(p+"c.1", p+"g", p+"c", "1.1")
	long := strings.Repeat("x", 501)
	longText := strings.Repeat("y", 20001)
	threat := func(kv ...any) map[string]any {
		in := map[string]any{"name": "n", "kind": "k"}
		for i := 0; i < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"in": in}
	}
	measure := func(kv ...any) map[string]any {
		in := map[string]any{"name": "n", "kind": "k", "perspective": "P1"}
		for i := 0; i < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"in": in}
	}
	clause := func(kv ...any) map[string]any {
		in := map[string]any{"guidelineId": p + "g", "ref": "9", "title": "t"}
		for i := 0; i < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"in": in}
	}
	mapping := func(kv ...any) map[string]any {
		in := map[string]any{"sourceId": p + "c", "targetId": p + "c2", "relationship": "EQUAL_TO"}
		for i := 0; i < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"in": in}
	}
	link := func(kv ...any) map[string]any {
		in := map[string]any{"measureId": p + "m", "clauseId": p + "c"}
		for i := 0; i < len(kv); i += 2 {
			in[kv[i].(string)] = kv[i+1]
		}
		return map[string]any{"in": in}
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for _, tt := range []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"CreateThreatEmptyName", catCreateThreatQ, threat("name", ""), "BAD_USER_INPUT", "input.name"},
		{"CreateThreatLongName", catCreateThreatQ, threat("name", long), "BAD_USER_INPUT", "input.name"},
		{"CreateThreatEmptyKind", catCreateThreatQ, threat("kind", ""), "BAD_USER_INPUT", "input.kind"},
		{"CreateThreatLongKind", catCreateThreatQ, threat("kind", strings.Repeat("k", 101)), "BAD_USER_INPUT", "input.kind"},
		{"CreateThreatLongDescription", catCreateThreatQ, threat("description", longText), "BAD_USER_INPUT", "input.description"},
		{"CreateThreatLongExternalID", catCreateThreatQ, threat("externalId", strings.Repeat("T", 101)), "BAD_USER_INPUT", "input.externalId"},
		{"CreateThreatBadID", catCreateThreatQ, threat("id", "has space"), "BAD_USER_INPUT", "input.id"},
		{"CreateThreatTakenID", catCreateThreatQ, threat("id", p+"m"), "CONFLICT", "input.id"},
		{"UpdateThreatUnknown", catUpdateThreatQ, with(threat(), "id", p+"nope"), "NOT_FOUND", "id"},
		{"UpdateThreatEmptyName", catUpdateThreatQ, with(threat("name", ""), "id", p+"t"), "BAD_USER_INPUT", "input.name"},
		{"UpdateThreatChangesID", catUpdateThreatQ, with(threat("id", p+"other"), "id", p+"t"), "BAD_USER_INPUT", "input.id"},
		{"UpdateThreatOfMeasureID", catUpdateThreatQ, with(threat(), "id", p+"m"), "NOT_FOUND", "id"},
		{"DeleteThreatUnknown", catDeleteThreatQ, map[string]any{"id": p + "nope"}, "NOT_FOUND", "id"},
		{"DeleteThreatBadID", catDeleteThreatQ, map[string]any{"id": "'; DROP"}, "BAD_USER_INPUT", "id"},

		{"CreateMeasureEmptyName", catCreateMeasureQ, measure("name", ""), "BAD_USER_INPUT", "input.name"},
		{"CreateMeasureLongName", catCreateMeasureQ, measure("name", long), "BAD_USER_INPUT", "input.name"},
		{"CreateMeasureLongDescription", catCreateMeasureQ, measure("description", longText), "BAD_USER_INPUT", "input.description"},
		{"CreateMeasureUnknownPerspective", catCreateMeasureQ, measure("perspective", "P9"), "BAD_USER_INPUT", "input.perspective"},
		{"CreateMeasureLowercasePerspective", catCreateMeasureQ, measure("perspective", "p1"), "BAD_USER_INPUT", "input.perspective"},
		{"CreateMeasureEmptyPerspective", catCreateMeasureQ, measure("perspective", ""), "BAD_USER_INPUT", "input.perspective"},
		{"CreateMeasureEmptyKind", catCreateMeasureQ, measure("kind", ""), "BAD_USER_INPUT", "input.kind"},
		{"CreateMeasureTakenID", catCreateMeasureQ, measure("id", p+"t"), "CONFLICT", "input.id"},
		{"UpdateMeasureUnknown", catUpdateMeasureQ, with(measure(), "id", p+"nope"), "NOT_FOUND", "id"},
		{"UpdateMeasureUnknownPerspective", catUpdateMeasureQ, with(measure("perspective", "P5"), "id", p+"m"), "BAD_USER_INPUT", "input.perspective"},
		{"DeleteMeasureUnknown", catDeleteMeasureQ, map[string]any{"id": p + "nope"}, "NOT_FOUND", "id"},

		{"LinkThreatUnknownThreat", catLinkThreatQ, map[string]any{"t": p + "nope", "m": p + "m"}, "NOT_FOUND", "threatId"},
		{"LinkThreatUnknownMeasure", catLinkThreatQ, map[string]any{"t": p + "t", "m": p + "nope"}, "NOT_FOUND", "measureId"},
		{"LinkThreatToThreat", catLinkThreatQ, map[string]any{"t": p + "t", "m": p + "t"}, "NOT_FOUND", "measureId"},
		{"LinkThreatLongRationale", catLinkThreatQ, map[string]any{"t": p + "t", "m": p + "m", "r": longText}, "BAD_USER_INPUT", "rationale"},

		{"CreateGuidelineEmptyTitle", catCreateGuidelineQ, map[string]any{"in": map[string]any{"title": "", "publisher": "p", "version": "1"}}, "BAD_USER_INPUT", "input.title"},
		{"CreateGuidelineLongPublisher", catCreateGuidelineQ, map[string]any{"in": map[string]any{"title": "t", "publisher": long, "version": "1"}}, "BAD_USER_INPUT", "input.publisher"},
		{"CreateGuidelineEmptyVersion", catCreateGuidelineQ, map[string]any{"in": map[string]any{"title": "t", "publisher": "p", "version": ""}}, "BAD_USER_INPUT", "input.version"},
		{"CreateGuidelineTakenID", catCreateGuidelineQ, map[string]any{"in": map[string]any{"id": p + "c", "title": "t", "publisher": "p", "version": "1"}}, "CONFLICT", "input.id"},
		{"UpdateGuidelineUnknown", catUpdateGuidelineQ, map[string]any{"id": p + "nope", "in": map[string]any{"title": "t", "publisher": "p", "version": "1"}}, "NOT_FOUND", "id"},
		{"UpdateGuidelineEmptyTitle", catUpdateGuidelineQ, map[string]any{"id": p + "g", "in": map[string]any{"title": "", "publisher": "p", "version": "1"}}, "BAD_USER_INPUT", "input.title"},
		{"DeleteGuidelineUnknown", catDeleteGuidelineQ, map[string]any{"id": p + "nope"}, "NOT_FOUND", "id"},
		{"DeleteGuidelineWithClauses", catDeleteGuidelineQ, map[string]any{"id": p + "g"}, "CONFLICT", "id"},

		{"CreateClauseUnknownGuideline", catCreateClauseQ, clause("guidelineId", p+"nope"), "NOT_FOUND", "input.guidelineId"},
		{"CreateClauseGuidelineIsClause", catCreateClauseQ, clause("guidelineId", p+"c"), "NOT_FOUND", "input.guidelineId"},
		{"CreateClauseUnknownParent", catCreateClauseQ, clause("parentId", p+"nope"), "NOT_FOUND", "input.parentId"},
		{"CreateClauseParentOfOtherGuideline", catCreateClauseQ, clause("parentId", p+"c2"), "BAD_USER_INPUT", "input.parentId"},
		{"CreateClauseEmptyRef", catCreateClauseQ, clause("ref", ""), "BAD_USER_INPUT", "input.ref"},
		{"CreateClauseLongRef", catCreateClauseQ, clause("ref", strings.Repeat("r", 101)), "BAD_USER_INPUT", "input.ref"},
		{"CreateClauseEmptyTitle", catCreateClauseQ, clause("title", ""), "BAD_USER_INPUT", "input.title"},
		{"CreateClauseLongText", catCreateClauseQ, clause("text", longText), "BAD_USER_INPUT", "input.text"},
		{"CreateClauseTakenID", catCreateClauseQ, clause("id", p+"g"), "CONFLICT", "input.id"},
		{"UpdateClauseUnknown", catUpdateClauseQ, with(clause(), "id", p+"nope"), "NOT_FOUND", "id"},
		{"UpdateClauseMovesGuideline", catUpdateClauseQ, with(clause("guidelineId", p+"g2"), "id", p+"c"), "BAD_USER_INPUT", "input.guidelineId"},
		{"UpdateClauseAddsParent", catUpdateClauseQ, with(clause("parentId", p+"c.1"), "id", p+"c"), "BAD_USER_INPUT", "input.parentId"},
		{"UpdateClauseDropsParent", catUpdateClauseQ, with(clause(), "id", p+"c.1"), "BAD_USER_INPUT", "input.parentId"},
		{"UpdateClauseEmptyTitle", catUpdateClauseQ, with(clause("title", ""), "id", p+"c"), "BAD_USER_INPUT", "input.title"},
		{"DeleteClauseUnknown", catDeleteClauseQ, map[string]any{"id": p + "nope"}, "NOT_FOUND", "id"},
		{"DeleteClauseWithChildren", catDeleteClauseQ, map[string]any{"id": p + "c"}, "CONFLICT", "id"},

		{"MapClauseToItself", catMapClausesQ, mapping("targetId", p+"c"), "BAD_USER_INPUT", "input.targetId"},
		{"MapUnknownSource", catMapClausesQ, mapping("sourceId", p+"nope"), "NOT_FOUND", "input.sourceId"},
		{"MapUnknownTarget", catMapClausesQ, mapping("targetId", p+"nope"), "NOT_FOUND", "input.targetId"},
		{"MapTargetIsMeasure", catMapClausesQ, mapping("targetId", p+"m"), "NOT_FOUND", "input.targetId"},
		{"MapConfidenceAboveOne", catMapClausesQ, mapping("confidence", 1.5), "BAD_USER_INPUT", "input.confidence"},
		{"MapConfidenceNegative", catMapClausesQ, mapping("confidence", -0.1), "BAD_USER_INPUT", "input.confidence"},
		{"MapCoverageAboveOne", catMapClausesQ, mapping("coverage", 2), "BAD_USER_INPUT", "input.coverage"},
		{"MapEmptyOrigin", catMapClausesQ, mapping("origin", ""), "", ""}, // an empty origin is no origin
		{"MapLongOrigin", catMapClausesQ, mapping("origin", long), "BAD_USER_INPUT", "input.origin"},
		{"UnmapUnknownSource", catUnmapClausesQ, map[string]any{"s": p + "nope", "t": p + "c2"}, "NOT_FOUND", "sourceId"},
		{"UnmapUnknownTarget", catUnmapClausesQ, map[string]any{"s": p + "c", "t": p + "nope"}, "NOT_FOUND", "targetId"},

		{"LinkUnknownMeasure", catLinkMeasureQ, link("measureId", p+"nope"), "NOT_FOUND", "input.measureId"},
		{"LinkUnknownClause", catLinkMeasureQ, link("clauseId", p+"nope"), "NOT_FOUND", "input.clauseId"},
		{"LinkClauseIsGuideline", catLinkMeasureQ, link("clauseId", p+"g"), "NOT_FOUND", "input.clauseId"},
		{"LinkCoverageAboveOne", catLinkMeasureQ, link("coverage", 1.01), "BAD_USER_INPUT", "input.coverage"},
		{"LinkCoverageNegative", catLinkMeasureQ, link("coverage", -1), "BAD_USER_INPUT", "input.coverage"},
		{"LinkLongRationale", catLinkMeasureQ, link("rationale", longText), "BAD_USER_INPUT", "input.rationale"},
		{"UnlinkUnknownMeasure", catUnlinkMeasureQ, map[string]any{"m": p + "nope", "c": p + "c"}, "NOT_FOUND", "measureId"},
		{"UnlinkUnknownClause", catUnlinkMeasureQ, map[string]any{"m": p + "m", "c": p + "nope"}, "NOT_FOUND", "clauseId"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.as(model.RoleCurator, tt.query, tt.vars)
			if tt.code == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("unexpected errors: %+v", r.Errors)
				}
				return
			}
			catWantError(t, r, tt.code, tt.field)
		})
	}

	// Bad enum values through variables never reach the store.
	for _, tt := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"MapBadRelationship", catMapClausesQ, mapping("relationship", "SAME_AS")},
		{"MapBadRationale", catMapClausesQ, mapping("rationale", "VIBES")},
		{"LinkBadRelationship", catLinkMeasureQ, link("relationship", "SAME_AS")},
		{"LinkNumberRelationship", catLinkMeasureQ, link("relationship", 3)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := f.as(model.RoleCurator, tt.query, tt.vars)
			if len(r.Errors) == 0 {
				t.Fatalf("no error for %v", tt.vars)
			}
			if c := r.code(); c != "BAD_USER_INPUT" && c != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("code = %q (%+v), want BAD_USER_INPUT or GRAPHQL_VALIDATION_FAILED", c, r.Errors)
			}
		})
	}
	var links catClauseLinks
	f.must(catClauseLinksQ, map[string]any{"id": p + "c"}, &links)
	if len(links.Node.Measures) != 0 {
		t.Errorf("a rejected link was stored: %+v", links.Node.Measures)
	}
	if len(links.Node.Mappings) != 1 || links.Node.Mappings[0].Origin != nil { // from MapEmptyOrigin only
		t.Errorf("mappings = %+v, want only the one with no origin", links.Node.Mappings)
	}
}

func TestCatalogAuthorization(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	p := f.p
	f.threat(p+"t", "Threat", "failure", "")
	f.measure(p+"m", "Measure", "P1")
	f.guideline(p + "g")
	f.clause(p+"c", p+"g", "", "1")
	f.clause(p+"c2", p+"g", "", "2")

	// vars gives each caller's request; creates get an id of their own.
	writes := []struct {
		name, query string
		vars        func(n string) map[string]any
	}{
		{"createThreat", catCreateThreatQ, func(n string) map[string]any {
			return map[string]any{"in": map[string]any{"id": p + "t-" + n, "name": "n", "kind": "k"}}
		}},
		{"updateThreat", catUpdateThreatQ, func(n string) map[string]any {
			return map[string]any{"id": p + "t", "in": map[string]any{"name": "n " + n, "kind": "k"}}
		}},
		{"createMeasure", catCreateMeasureQ, func(n string) map[string]any {
			return map[string]any{"in": map[string]any{"id": p + "m-" + n, "name": "n", "kind": "k", "perspective": "P2"}}
		}},
		{"updateMeasure", catUpdateMeasureQ, func(n string) map[string]any {
			return map[string]any{"id": p + "m", "in": map[string]any{"name": "n " + n, "kind": "k", "perspective": "P2"}}
		}},
		{"linkThreatToMeasure", catLinkThreatQ, func(n string) map[string]any { return map[string]any{"t": p + "t", "m": p + "m", "r": n} }},
		{"createGuideline", catCreateGuidelineQ, func(n string) map[string]any {
			return map[string]any{"in": map[string]any{"id": p + "g-" + n, "title": "t", "publisher": "p", "version": "1"}}
		}},
		{"updateGuideline", catUpdateGuidelineQ, func(n string) map[string]any {
			return map[string]any{"id": p + "g", "in": map[string]any{"title": "t " + n, "publisher": "p", "version": "1"}}
		}},
		{"createClause", catCreateClauseQ, func(n string) map[string]any {
			return map[string]any{"in": map[string]any{"id": p + "c-" + n, "guidelineId": p + "g", "ref": "3", "title": "t"}}
		}},
		{"updateClause", catUpdateClauseQ, func(n string) map[string]any {
			return map[string]any{"id": p + "c", "in": map[string]any{"guidelineId": p + "g", "ref": "1", "title": "t " + n}}
		}},
		{"mapClauses", catMapClausesQ, func(n string) map[string]any {
			return map[string]any{"in": map[string]any{"sourceId": p + "c", "targetId": p + "c2", "relationship": "EQUAL_TO", "origin": n}}
		}},
		{"unmapClauses", catUnmapClausesQ, func(string) map[string]any { return map[string]any{"s": p + "c", "t": p + "c2"} }},
		{"linkMeasureToClause", catLinkMeasureQ, func(n string) map[string]any {
			return map[string]any{"in": map[string]any{"measureId": p + "m", "clauseId": p + "c", "rationale": n}}
		}},
		{"unlinkMeasureFromClause", catUnlinkMeasureQ, func(string) map[string]any { return map[string]any{"m": p + "m", "c": p + "c"} }},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			before := neo4jtest.Snapshot(t, p)
			catWantError(t, f.as("", w.query, w.vars("anonymous")), "UNAUTHENTICATED", "")
			catWantError(t, f.as(model.RoleViewer, w.query, w.vars("viewer")), "FORBIDDEN", "")
			if after := neo4jtest.Snapshot(t, p); after != before {
				t.Errorf("a refused %s changed the graph", w.name)
			}
			for _, role := range []model.Role{model.RoleAnalyst, model.RoleOrgAdmin, model.RoleCurator, model.RoleAdmin} {
				if r := f.as(role, w.query, w.vars(string(role))); len(r.Errors) > 0 {
					t.Errorf("as %s: %+v", role, r.Errors)
				}
			}
		})
	}

	deletes := []struct {
		name, query string
		id          string
		create      func(id string)
	}{
		{"deleteThreat", catDeleteThreatQ, p + "dt", func(id string) { f.threat(id, "n", "k", "") }},
		{"deleteMeasure", catDeleteMeasureQ, p + "dm", func(id string) { f.measure(id, "n", "P4") }},
		{"deleteGuideline", catDeleteGuidelineQ, p + "dg", func(id string) { f.guideline(id) }},
		{"deleteClause", catDeleteClauseQ, p + "dc", func(id string) { f.clause(id, p+"g", "", "9") }},
	}
	for _, d := range deletes {
		t.Run(d.name, func(t *testing.T) {
			for i, role := range []model.Role{model.RoleCurator, model.RoleAdmin} {
				id := fmt.Sprint(d.id, i)
				d.create(id)
				catWantError(t, f.as("", d.query, map[string]any{"id": id}), "UNAUTHENTICATED", "")
				for _, refused := range []model.Role{model.RoleViewer, model.RoleAnalyst, model.RoleOrgAdmin} {
					catWantError(t, f.as(refused, d.query, map[string]any{"id": id}), "FORBIDDEN", "")
				}
				if !f.nodeExists(id) {
					t.Fatalf("%s was deleted by a refused caller", id)
				}
				if r := f.as(role, d.query, map[string]any{"id": id}); len(r.Errors) > 0 {
					t.Errorf("as %s: %+v", role, r.Errors)
				}
				if f.nodeExists(id) {
					t.Errorf("%s still there after %s's delete", id, role)
				}
			}
		})
	}
}

func TestCatalogFailedMutationsChangeNothing(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	p := f.p
	f.threat(p+"t", "Threat", "failure", "")
	f.measure(p+"m", "Measure", "P1")
	f.guideline(p + "g")
	f.guideline(p + "g2")
	f.clause(p+"c", p+"g", "", "1")
	f.clause(p+"c.1", p+"g", p+"c", "1.1")
	f.clause(p+"c2", p+"g2", "", "1")
	f.must(catLinkThreatQ, map[string]any{"t": p + "t", "m": p + "m", "r": "kept"}, nil)
	f.must(catMapClausesQ, map[string]any{"in": map[string]any{"sourceId": p + "c", "targetId": p + "c2", "relationship": "SUBSET_OF", "coverage": 0.5}}, nil)
	f.must(catLinkMeasureQ, map[string]any{"in": map[string]any{"measureId": p + "m", "clauseId": p + "c.1", "coverage": 0.5}}, nil)
	use := neo4jtest.AnalysisUsing(t, p+"sub", f.org, "SUBMITTED", p+"t", p+"m")
	neo4jtest.FeedbackAbout(t, p+"fb", f.org, p+"g2")

	before := neo4jtest.Snapshot(t, p)
	for _, tt := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"DeleteThreatOfSubmittedAnalysisEvenWithCascade", catDeleteThreatQ, map[string]any{"id": p + "t", "cascade": true}},
		{"DeleteMeasureOfSubmittedAnalysisEvenWithCascade", catDeleteMeasureQ, map[string]any{"id": p + "m", "cascade": true}},
		{"DeleteGuidelineWithClauses", catDeleteGuidelineQ, map[string]any{"id": p + "g"}},
		{"DeleteGuidelineWithFeedback", catDeleteGuidelineQ, map[string]any{"id": p + "g2", "cascade": true}},
		{"DeleteClauseWithChildren", catDeleteClauseQ, map[string]any{"id": p + "c"}},
		{"DeleteClauseWithMeasureLink", catDeleteClauseQ, map[string]any{"id": p + "c.1"}},
		{"CreateClauseUnderOtherGuideline", catCreateClauseQ, map[string]any{"in": map[string]any{"id": p + "new", "guidelineId": p + "g", "parentId": p + "c2", "ref": "x", "title": "x"}}},
		{"CreateMeasureBadPerspective", catCreateMeasureQ, map[string]any{"in": map[string]any{"id": p + "new", "name": "n", "kind": "k", "perspective": "P0"}}},
		{"CreateThreatTakenID", catCreateThreatQ, map[string]any{"in": map[string]any{"id": p + "m", "name": "n", "kind": "k"}}},
		{"UpdateThreatEmptyName", catUpdateThreatQ, map[string]any{"id": p + "t", "in": map[string]any{"name": "", "kind": "k"}}},
		{"UpdateClauseMoved", catUpdateClauseQ, map[string]any{"id": p + "c.1", "in": map[string]any{"guidelineId": p + "g", "ref": "changed", "title": "changed"}}},
		{"MapBadCoverage", catMapClausesQ, map[string]any{"in": map[string]any{"sourceId": p + "c", "targetId": p + "c2", "relationship": "EQUAL_TO", "coverage": 1.5}}},
		{"LinkUnknownClause", catLinkMeasureQ, map[string]any{"in": map[string]any{"measureId": p + "m", "clauseId": p + "nope", "coverage": 1}}},
		{"LinkThreatUnknownMeasure", catLinkThreatQ, map[string]any{"t": p + "t", "m": p + "nope", "r": "changed"}},
		{"ViewerCreatesThreat", catCreateThreatQ, map[string]any{"in": map[string]any{"id": p + "new", "name": "n", "kind": "k"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			role := model.RoleCurator
			if strings.HasPrefix(tt.name, "Viewer") {
				role = model.RoleViewer
			}
			r := f.as(role, tt.query, tt.vars)
			if len(r.Errors) == 0 {
				t.Fatalf("no error; data %s", r.Data)
			}
			if after := neo4jtest.Snapshot(t, p); after != before {
				t.Errorf("the failed mutation (%s: %s) changed the graph:\nbefore %s\nafter  %s", r.code(), r.Errors[0].Message, before, after)
			}
		})
	}
	if !f.nodeExists(use.AssessmentID) {
		t.Errorf("the submitted assessment is gone")
	}
}

func TestCatalogDeleteThreatRespectsAnalysesAndCoverage(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	p := f.p
	f.threat(p+"t", "Threat", "cyber-attack", "")
	f.measure(p+"m", "Measure", "P1")
	draft := neo4jtest.AnalysisUsing(t, p+"draft", f.org, "DRAFT", p+"t", p+"m")
	line := neo4jtest.CoverageLineUsing(t, p+"policy", f.org, p+"t", "", "")

	r := f.as(model.RoleCurator, catDeleteThreatQ, map[string]any{"id": p + "t"})
	catWantError(t, r, "CONFLICT", "id")
	if len(r.Errors) > 0 && (!strings.Contains(r.Errors[0].Message, "1 assessment") || !strings.Contains(r.Errors[0].Message, "1 coverage line")) {
		t.Errorf("message %q does not name the assessment and the coverage line", r.Errors[0].Message)
	}

	var deleted struct{ DeleteThreat string }
	f.must(catDeleteThreatQ, map[string]any{"id": p + "t", "cascade": true}, &deleted)
	if deleted.DeleteThreat != p+"t" || f.nodeExists(p+"t") {
		t.Fatalf("deleteThreat(cascade) = %q; threat still there: %v", deleted.DeleteThreat, f.nodeExists(p+"t"))
	}
	var got struct {
		Assessment struct {
			Threats    []struct{ ID string }
			Treatments []struct{ Measure struct{ ID string } }
		}
		Policy struct {
			Lines []struct {
				ID            string
				CoversThreats []struct{ ID string }
			}
		}
	}
	f.must(`query($s: ID!, $p: ID!) {
  assessment: node(id: $s) { ... on Assessment { threats { id } treatments { measure { id } } } }
  policy: node(id: $p) { ... on InsurancePolicy { lines { id coversThreats { id } } } } }`, map[string]any{"s": draft.AssessmentID, "p": p + "policy"}, &got)
	if len(got.Assessment.Threats) != 0 || len(got.Assessment.Treatments) != 1 {
		t.Errorf("draft assessment after cascade: %+v, want no threats and its treatment kept", got.Assessment)
	}
	if len(got.Policy.Lines) != 1 || got.Policy.Lines[0].ID != line || len(got.Policy.Lines[0].CoversThreats) != 0 {
		t.Errorf("coverage line after cascade: %+v, want it kept, covering no threat", got.Policy.Lines)
	}

	// A submitted analysis's assessment blocks even cascade; so does feedback.
	f.threat(p+"t2", "Threat 2", "cyber-attack", "")
	sub := neo4jtest.AnalysisUsing(t, p+"sub", f.org, "SUBMITTED", p+"t2", p+"m")
	catWantError(t, f.as(model.RoleCurator, catDeleteThreatQ, map[string]any{"id": p + "t2", "cascade": true}), "CONFLICT", "id")
	f.must(`query($s: ID!) { assessment: node(id: $s) { ... on Assessment { threats { id } } } }`, map[string]any{"s": sub.AssessmentID}, &got)
	if len(got.Assessment.Threats) != 1 || !f.nodeExists(p+"t2") {
		t.Errorf("the submitted assessment lost its threat: %+v", got.Assessment)
	}
	f.threat(p+"t3", "Threat 3", "failure", "")
	neo4jtest.FeedbackAbout(t, p+"fb", f.org, p+"t3")
	catWantError(t, f.as(model.RoleCurator, catDeleteThreatQ, map[string]any{"id": p + "t3", "cascade": true}), "CONFLICT", "id")
}

func TestCatalogDeleteMeasureRespectsAnalysesAndCoverage(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	p := f.p
	f.threat(p+"t", "Threat", "cyber-attack", "")
	f.measure(p+"m", "Measure", "P2")
	f.guideline(p + "g")
	f.clause(p+"c", p+"g", "", "1")
	f.must(catLinkMeasureQ, map[string]any{"in": map[string]any{"measureId": p + "m", "clauseId": p + "c"}}, nil)
	draft := neo4jtest.AnalysisUsing(t, p+"draft", f.org, "DRAFT", p+"t", p+"m")
	neo4jtest.CoverageLineUsing(t, p+"policy", f.org, "", p+"m", p+"c")

	r := f.as(model.RoleCurator, catDeleteMeasureQ, map[string]any{"id": p + "m"})
	catWantError(t, r, "CONFLICT", "id")
	if len(r.Errors) > 0 && (!strings.Contains(r.Errors[0].Message, "1 treatment") || !strings.Contains(r.Errors[0].Message, "1 coverage line")) {
		t.Errorf("message %q does not name the treatment and the coverage line", r.Errors[0].Message)
	}
	f.must(catDeleteMeasureQ, map[string]any{"id": p + "m", "cascade": true}, nil)
	if f.nodeExists(p + "m") {
		t.Fatalf("measure still there after cascade")
	}
	var got struct {
		Assessment struct {
			Threats    []struct{ ID string }
			Treatments []struct{ Measure struct{ ID string } }
		}
		Policy struct {
			Lines []struct {
				RequiresMeasures []struct{ ID string }
				RequiresClauses  []struct{ ID string }
			}
		}
		Clause struct {
			Measures []struct{ Measure struct{ ID string } }
		}
	}
	f.must(`query($s: ID!, $p: ID!, $c: ID!) {
  assessment: node(id: $s) { ... on Assessment { threats { id } treatments { measure { id } } } }
  policy: node(id: $p) { ... on InsurancePolicy { lines { requiresMeasures { id } requiresClauses { id } } } }
  clause: node(id: $c) { ... on Clause { measures { measure { id } } } } }`, map[string]any{"s": draft.AssessmentID, "p": p + "policy", "c": p + "c"}, &got)
	if len(got.Assessment.Treatments) != 0 || len(got.Assessment.Threats) != 1 {
		t.Errorf("draft assessment after cascade: %+v, want no treatments and its threat kept", got.Assessment)
	}
	if len(got.Policy.Lines) != 1 || len(got.Policy.Lines[0].RequiresMeasures) != 0 || len(got.Policy.Lines[0].RequiresClauses) != 1 {
		t.Errorf("coverage line after cascade: %+v, want the clause requirement only", got.Policy.Lines)
	}
	if len(got.Clause.Measures) != 0 {
		t.Errorf("clause still linked to %+v", got.Clause.Measures)
	}
	if f.nodeExists(draft.TreatmentID) {
		t.Errorf("the draft treatment %s was not deleted", draft.TreatmentID)
	}

	// The clause is required by the coverage line: deleting it needs cascade.
	catWantError(t, f.as(model.RoleCurator, catDeleteClauseQ, map[string]any{"id": p + "c"}), "CONFLICT", "id")
	f.must(catDeleteClauseQ, map[string]any{"id": p + "c", "cascade": true}, nil)
	f.must(`query($s: ID!, $p: ID!, $c: ID!) {
  assessment: node(id: $s) { ... on Assessment { threats { id } } }
  policy: node(id: $p) { ... on InsurancePolicy { lines { requiresMeasures { id } requiresClauses { id } } } }
  clause: node(id: $c) { ... on Clause { measures { measure { id } } } } }`, map[string]any{"s": draft.AssessmentID, "p": p + "policy", "c": p + "c"}, &got)
	if len(got.Policy.Lines) != 1 || len(got.Policy.Lines[0].RequiresClauses) != 0 {
		t.Errorf("coverage line after deleting the clause: %+v", got.Policy.Lines)
	}

	// A treatment in a submitted analysis blocks even cascade.
	f.measure(p+"m2", "Measure 2", "P3")
	neo4jtest.AnalysisUsing(t, p+"sub", f.org, "SUBMITTED", p+"t", p+"m2")
	catWantError(t, f.as(model.RoleCurator, catDeleteMeasureQ, map[string]any{"id": p + "m2", "cascade": true}), "CONFLICT", "id")
	if !f.nodeExists(p + "m2") {
		t.Errorf("the measure of a submitted analysis was deleted")
	}
}

func TestCatalogHostileStringsAreStoredVerbatim(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	p := f.p
	f.threat(p+"bystander", "Bystander", "failure", "")
	hostile := []string{
		"'; MATCH (n) DETACH DELETE n //",
		`"}) MATCH (n) SET n.pwned = true //`,
		"Robert'); DROP TABLE threats;-- `backtick` $param {curly} \\ back\\slash",
		"<script>alert(1)</script> 日本語 🚨",
	}
	for i, h := range hostile {
		id := fmt.Sprintf("%sthreat-%d", p, i)
		var c struct{ CreateThreat map[string]any }
		f.must(catCreateThreatQ, map[string]any{"in": map[string]any{"id": id, "name": h, "kind": h[:min(len(h), 20)], "description": h, "source": h}}, &c)
		var got struct{ Node map[string]any }
		f.must(`query($id: ID!) { node(id: $id) { ... on Threat { name description source } } }`, map[string]any{"id": id}, &got)
		if got.Node["name"] != h || got.Node["description"] != h || got.Node["source"] != h {
			t.Errorf("stored %v, want %q verbatim", got.Node, h)
		}
	}
	gid := p + "g"
	f.must(catCreateGuidelineQ, map[string]any{"in": map[string]any{"id": gid, "title": hostile[0], "publisher": hostile[1], "version": "1"}}, nil)
	f.must(catCreateClauseQ, map[string]any{"in": map[string]any{"id": p + "c", "guidelineId": gid, "ref": "'; //", "title": hostile[2], "text": hostile[3]}}, nil)
	f.clause(p+"c2", gid, "", "2")
	f.must(catMapClausesQ, map[string]any{"in": map[string]any{"sourceId": p + "c", "targetId": p + "c2", "relationship": "EQUAL_TO", "origin": hostile[0]}}, nil)
	var got struct {
		Guideline struct {
			Title, Publisher string
			Clauses          []struct {
				Ref, Title, Text string
				Mappings         []struct{ Origin string }
			}
		}
	}
	f.must(`query($id: ID!) { guideline(id: $id) { title publisher clauses { ref title text mappings { origin } } } }`, map[string]any{"id": gid}, &got)
	if got.Guideline.Title != hostile[0] || got.Guideline.Publisher != hostile[1] || len(got.Guideline.Clauses) != 2 ||
		got.Guideline.Clauses[0].Ref != "'; //" || got.Guideline.Clauses[0].Title != hostile[2] || got.Guideline.Clauses[0].Text != hostile[3] ||
		len(got.Guideline.Clauses[0].Mappings) != 1 || got.Guideline.Clauses[0].Mappings[0].Origin != hostile[0] {
		t.Errorf("guideline = %+v", got.Guideline)
	}
	// Hostile ids are refused, never run, and nothing else was touched.
	before := neo4jtest.Count(t, p)
	for _, h := range hostile {
		catWantError(t, f.as(model.RoleCurator, catDeleteThreatQ, map[string]any{"id": h}), "BAD_USER_INPUT", "id")
	}
	if after := neo4jtest.Count(t, p); after != before || !f.nodeExists(p+"bystander") {
		t.Errorf("after hostile ids: %d nodes with the prefix, was %d; bystander there: %v", after, before, f.nodeExists(p+"bystander"))
	}
	if snap := neo4jtest.Snapshot(t, p); strings.Contains(snap, "pwned:true") {
		t.Errorf("a hostile string ran as Cypher: %s", snap)
	}
}
