package resolvers_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

const (
	recUpdateIncident = `mutation($id: ID!, $in: IncidentInput!) { updateIncident(id: $id, input: $in) { id name consequence } }`
	recReadIncident   = `query($id: ID!) { node(id: $id) { ... on Incident { name consequence } } }`
)

// recPublic makes a native document's analysis PUBLIC, so that the
// incidents its load creates are not private to it.
func recPublic(doc string) string {
	return strings.Replace(doc, "visibility: PRIVATE", "visibility: PUBLIC", 1)
}

// recIncident returns the name and consequence of incident id as the
// caller token reads them.
func recIncident(t *testing.T, e *importEnv, token, id string) (string, string) {
	t.Helper()
	var got struct {
		Node struct{ Name, Consequence string }
	}
	e.must(t, token, recReadIncident, map[string]any{"id": id}, &got)
	return got.Node.Name, got.Node.Consequence
}

// TestTargetOwnerEdits checks who changes a shared target's nodes
// (model.Principal.EditsShared): a target created through an import is
// owned by the caller's organization (Target.owner); another organization's
// analyst may neither updateIncident its incident nor change it through an
// import (FORBIDDEN, nothing written) but may import an analysis that names
// it unchanged; a curator of any organization and the owner's analyst may
// change it; a target nobody owns is changed by curators only.
func TestTargetOwnerEdits(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst := e.tokens[model.RoleAnalyst]
	curator := e.token(t, e.org2, model.RoleCurator)
	inc := e.p + "inc"
	// A public analysis: its target's incidents are everyone's to rate.
	e.mustImport(t, analyst, "NATIVE", recPublic(e.native(e.org, "DRAFT", "r")), "a.yaml", false)

	var owned struct {
		Target struct{ Owner *struct{ ID string } }
	}
	e.must(t, analyst, `query($id: ID!) { target(id: $id) { owner { id } } }`, map[string]any{"id": e.p + "target"}, &owned)
	if o := owned.Target.Owner; o == nil || o.ID != e.org {
		t.Fatalf("target owner = %+v, want %s", o, e.org)
	}

	renamed := map[string]any{"id": inc, "in": map[string]any{"targetId": e.p + "target", "name": "Renamed", "consequence": "property"}}
	before := neo4jtest.Snapshot(t, e.p)
	wantError(t, e.do(t, e.other, recUpdateIncident, renamed), "FORBIDDEN", "")
	// The same change through a document of org2's own analysis.
	theirs := strings.NewReplacer(e.p+"analysis", e.p+"theirs", "id: "+e.org+"\n  name: "+e.org, "id: "+e.org2+"\n  name: "+e.org2).
		Replace(e.native(e.org, "DRAFT", "r"))
	changed := strings.Replace(theirs, "name: Overpressure", "name: Renamed", 1)
	r := e.importAs(t, e.other, "NATIVE", changed, "b.yaml", false)
	wantError(t, r, "FORBIDDEN", "")
	if len(r.Errors) > 0 && !strings.HasPrefix(r.Errors[0].Message, "target.incidents[0]: ") {
		t.Errorf("import refused with %q, want the path target.incidents[0]", r.Errors[0].Message)
	}
	if after := neo4jtest.Snapshot(t, e.p); after != before {
		t.Errorf("refused changes wrote:\nbefore %s\nafter  %s", before, after)
	}
	if name, _ := recIncident(t, e, analyst, inc); name != "Overpressure" {
		t.Errorf("after the refused changes the incident is named %q", name)
	}
	// Naming the target unchanged is no edit.
	if c := count(e.mustImport(t, e.other, "NATIVE", theirs, "b.yaml", false).Nodes, "Analysis"); c.Created != 1 {
		t.Errorf("org2's analysis of the target: %+v, want 1 created", c)
	}

	e.must(t, curator, recUpdateIncident, renamed, nil)
	if name, cons := recIncident(t, e, analyst, inc); name != "Renamed" || cons != "property" {
		t.Errorf("after the curator's edit the incident is %q/%q", name, cons)
	}
	renamed["in"].(map[string]any)["name"] = "By owner"
	e.must(t, analyst, recUpdateIncident, renamed, nil)
	if name, _ := recIncident(t, e, analyst, inc); name != "By owner" {
		t.Errorf("after the owner's edit the incident is named %q", name)
	}

	// A target nobody owns: curators only.
	orphan := e.p + "orphan"
	if _, err := e.db.CreateTarget(t.Context(), "", model.TargetInput{ID: &orphan, Name: "Orphan", Sector: "factory"}); err != nil {
		t.Fatal(err)
	}
	add := map[string]any{"in": map[string]any{"targetId": orphan, "name": "Fire", "consequence": "property"}}
	const createIncident = `mutation($in: IncidentInput!) { createIncident(input: $in) { id } }`
	wantError(t, e.do(t, analyst, createIncident, add), "FORBIDDEN", "")
	wantError(t, e.do(t, e.tokens[model.RoleOrgAdmin], `mutation($id: ID!) { updateTarget(id: $id, input: {name: "x", sector: "y"}) { id } }`,
		map[string]any{"id": orphan}), "FORBIDDEN", "")
	e.must(t, curator, createIncident, add, nil)
}

const (
	recAssessments = `query($id: ID!) { analysis(id: $id) { status assessments { changedSinceSubmission incident { id name consequence } } } }`
	recCompare     = `query($t: ID!, $ids: [ID!]) { compareAnalyses(targetId: $t, analysisIds: $ids) {
  incidents { entries { analysisId incident { name consequence } measures { measure { name } } } } } }`
)

// recRated is what recAssessments reads of an analysis's one assessment.
type recRated struct {
	Status                 string
	Changed                bool
	Name, Consequence, Inc string
}

func recAnalysis(t *testing.T, e *importEnv, token, id string) recRated {
	t.Helper()
	var got struct {
		Analysis struct {
			Status      string
			Assessments []struct {
				ChangedSinceSubmission bool
				Incident               struct{ ID, Name, Consequence string }
			}
		}
	}
	e.must(t, token, recAssessments, map[string]any{"id": id}, &got)
	if len(got.Analysis.Assessments) != 1 {
		t.Fatalf("analysis %s has %d assessments, want 1", id, len(got.Analysis.Assessments))
	}
	s := got.Analysis.Assessments[0]
	return recRated{got.Analysis.Status, s.ChangedSinceSubmission, s.Incident.Name, s.Incident.Consequence, s.Incident.ID}
}

// TestSubmittedAnalysisKeepsWhatItRated checks that a submitted analysis
// keeps showing its incident as it was at submission after a permitted
// edit of the shared incident, and says it changed since, while a draft
// (another organization's, and the submitted one's revision) reads the
// new values; compareAnalyses shows each entry's incident as its analysis
// rated it.
func TestSubmittedAnalysisKeepsWhatItRated(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst, admin := e.tokens[model.RoleAnalyst], e.tokens[model.RoleAdmin]
	curator := e.token(t, e.org2, model.RoleCurator)
	mine, theirs := e.p+"analysis", e.p+"theirs"
	e.mustImport(t, analyst, "NATIVE", recPublic(e.native(e.org, "DRAFT", "r")), "a.yaml", false)
	e.mustImport(t, e.other, "NATIVE", strings.NewReplacer(e.p+"analysis", theirs, "id: "+e.org+"\n  name: "+e.org, "id: "+e.org2+"\n  name: "+e.org2).
		Replace(e.native(e.org, "DRAFT", "r")), "b.yaml", false)
	measure := e.p + "valve"
	e.must(t, analyst, `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"analysisId": mine, "incidentId": e.p + "inc", "axis1": 3, "axis2": 2,
		"treatments": []any{map[string]any{"status": "PLANNED", "newMeasure": map[string]any{"id": measure, "name": "Relief valve", "perspective": "P1", "kind": "technical"}}}}}, nil)
	e.must(t, analyst, `mutation($id: ID!) { submitAnalysis(id: $id) { status } }`, map[string]any{"id": mine}, nil)
	if got := recAnalysis(t, e, analyst, mine); got != (recRated{"SUBMITTED", false, "Overpressure", "life-body", e.p + "inc"}) {
		t.Errorf("just submitted: %+v", got)
	}

	e.must(t, curator, recUpdateIncident, map[string]any{"id": e.p + "inc",
		"in": map[string]any{"targetId": e.p + "target", "name": "Renamed", "consequence": "property"}}, nil)
	e.must(t, curator, `mutation($id: ID!) { updateMeasure(id: $id, input: {name: "Bigger valve", perspective: "P1", kind: "technical"}) { id } }`,
		map[string]any{"id": measure}, nil)
	var tr struct {
		Analysis struct {
			Assessments []struct {
				Treatments []struct{ Measure struct{ Name string } }
			}
		}
	}
	e.must(t, analyst, `query($id: ID!) { analysis(id: $id) { assessments { treatments { measure { name } } } } }`, map[string]any{"id": mine}, &tr)
	if a := tr.Analysis.Assessments; len(a) != 1 || len(a[0].Treatments) != 1 || a[0].Treatments[0].Measure.Name != "Relief valve" {
		t.Errorf("submitted treatments after the measure's edit: %+v, want the measure as submitted", a)
	}

	if got := recAnalysis(t, e, analyst, mine); got != (recRated{"SUBMITTED", true, "Overpressure", "life-body", e.p + "inc"}) {
		t.Errorf("submitted, after the edit: %+v, want the values at submission and changed", got)
	}
	if got := recAnalysis(t, e, e.other, theirs); got != (recRated{"DRAFT", false, "Renamed", "property", e.p + "inc"}) {
		t.Errorf("draft, after the edit: %+v, want the new values", got)
	}
	if name, _ := recIncident(t, e, analyst, e.p+"inc"); name != "Renamed" {
		t.Errorf("node(id) reads the incident as %q, want the current name", name)
	}

	var cmp struct {
		CompareAnalyses struct {
			Incidents []struct {
				Entries []struct {
					AnalysisID string
					Incident   struct{ Name, Consequence string }
					Measures   []struct{ Measure struct{ Name string } }
				}
			}
		}
	}
	e.must(t, admin, recCompare, map[string]any{"t": e.p + "target", "ids": []string{mine, theirs}}, &cmp)
	shown := map[string]string{}
	for _, row := range cmp.CompareAnalyses.Incidents {
		for _, en := range row.Entries {
			shown[en.AnalysisID] = en.Incident.Name + "/" + en.Incident.Consequence
			for _, m := range en.Measures {
				shown[en.AnalysisID] += "/" + m.Measure.Name
			}
		}
	}
	if want := map[string]string{mine: "Overpressure/life-body/Relief valve", theirs: "Renamed/property"}; !maps.Equal(shown, want) {
		t.Errorf("compareAnalyses entries show %v, want %v", shown, want)
	}

	// The next version is a draft again: it reads the shared incident as it is.
	var rev struct{ ReviseAnalysis struct{ ID string } }
	e.must(t, analyst, `mutation($id: ID!) { reviseAnalysis(id: $id) { id } }`, map[string]any{"id": mine}, &rev)
	if got := recAnalysis(t, e, analyst, rev.ReviseAnalysis.ID); got != (recRated{"DRAFT", false, "Renamed", "property", e.p + "inc"}) {
		t.Errorf("revision: %+v, want the current values", got)
	}
}

// recSeen reports what token sees of the inline threat and incident: by
// node(id), by search, in the threats list and among the target's
// incidents.
type recSeen struct{ ThreatByID, IncidentByID, Search, List, TargetIncidents bool }

func recLook(t *testing.T, e *importEnv, token, threat, incident, word string) recSeen {
	t.Helper()
	var got struct {
		T       *struct{ ID string }
		I       *struct{ ID string }
		Search  []struct{ Node struct{ ID string } }
		Threats struct{ Nodes []struct{ ID string } }
		Target  struct{ Incidents []struct{ ID string } }
	}
	e.must(t, token, `query($t: ID!, $i: ID!, $w: String!, $target: ID!) { t: node(id: $t) { id } i: node(id: $i) { id }
  search(text: $w) { node { id } } threats(text: $w) { nodes { id } } target(id: $target) { incidents { id } } }`,
		map[string]any{"t": threat, "i": incident, "w": word, "target": e.p + "target"}, &got)
	var s recSeen
	s.ThreatByID, s.IncidentByID = got.T != nil, got.I != nil
	for _, h := range got.Search {
		s.Search = s.Search || h.Node.ID == threat
	}
	for _, n := range got.Threats.Nodes {
		s.List = s.List || n.ID == threat
	}
	for _, n := range got.Target.Incidents {
		s.TargetIncidents = s.TargetIncidents || n.ID == incident
	}
	return s
}

// TestInlineNodesOfPrivateAnalysisArePrivate checks that an incident and a
// threat created inline in a PRIVATE analysis (by assessIncident, and an
// incident by the import of the analysis) are absent for another
// organization on node(id), search, the threats list and the target's
// incidents, cannot be named in its own assessments (NOT_FOUND), and
// become readable once the analysis is shared with it.
func TestInlineNodesOfPrivateAnalysisArePrivate(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst := e.tokens[model.RoleAnalyst]
	word := "kw" + strings.Trim(e.p, "-")
	threat, incident, mine, theirs := e.p+"secret-threat", e.p+"secret-inc", e.p+"analysis", e.p+"theirs"
	e.mustImport(t, analyst, "NATIVE", e.native(e.org, "DRAFT", "r"), "a.yaml", false)
	e.mustImport(t, e.other, "NATIVE", strings.NewReplacer(e.p+"analysis", theirs, "id: "+e.org+"\n  name: "+e.org, "id: "+e.org2+"\n  name: "+e.org2).
		Replace(e.native(e.org, "DRAFT", "r")), "b.yaml", false)
	const assess = `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`
	e.must(t, analyst, assess, map[string]any{"in": map[string]any{"analysisId": mine, "axis1": 2, "axis2": 2,
		"newIncident": map[string]any{"id": incident, "name": "Secret incident " + word, "consequence": "property"},
		"threats":     []any{map[string]any{"new": map[string]any{"id": threat, "name": "Secret threat " + word, "kind": "misuse"}}}}}, nil)

	// The import of the PRIVATE analysis created incident inc: private too.
	imported := func(token string) bool {
		var got struct{ Node *struct{ ID string } }
		e.must(t, token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": e.p + "inc"}, &got)
		return got.Node != nil
	}
	if !imported(analyst) || imported(e.other) {
		t.Errorf("the imported incident: readable by its organization %v, by another %v; want true, false", imported(analyst), imported(e.other))
	}

	all := recSeen{true, true, true, true, true}
	if got := recLook(t, e, analyst, threat, incident, word); got != all {
		t.Errorf("the analysis's own organization sees %+v, want everything", got)
	}
	if got := recLook(t, e, e.other, threat, incident, word); got != (recSeen{}) {
		t.Errorf("another organization sees %+v of the private analysis's inline nodes, want nothing", got)
	}
	if got := recLook(t, e, "", threat, incident, word); got != (recSeen{}) {
		t.Errorf("an anonymous caller sees %+v, want nothing", got)
	}
	wantError(t, e.do(t, e.other, assess, map[string]any{"in": map[string]any{"analysisId": theirs, "axis1": 2, "axis2": 2,
		"newIncident": map[string]any{"name": "Theirs", "consequence": "property"},
		"threats":     []any{map[string]any{"id": threat}}}}), "NOT_FOUND", "input.threats.0.id")

	wantError(t, e.do(t, e.other, assess, map[string]any{"in": map[string]any{"analysisId": theirs, "incidentId": e.p + "inc", "axis1": 2, "axis2": 2}}),
		"NOT_FOUND", "input.incidentId")
	// Nor may another organization's curator, who may not read it, change it.
	wantError(t, e.do(t, e.token(t, e.org2, model.RoleCurator), recUpdateIncident, map[string]any{"id": incident,
		"in": map[string]any{"targetId": e.p + "target", "name": "Guessed", "consequence": "property"}}), "NOT_FOUND", "id")

	e.must(t, analyst, `mutation($id: ID!, $org: ID!) { updateAnalysis(id: $id, input: {visibility: SHARED, sharedWithOrganizationIds: [$org]}) { id } }`,
		map[string]any{"id": mine, "org": e.org2}, nil)
	if got := recLook(t, e, e.other, threat, incident, word); got != all {
		t.Errorf("once the analysis is shared with it, another organization sees %+v, want everything", got)
	}
	if !imported(e.other) {
		t.Errorf("once the analysis is shared, the imported incident is still hidden from the organization it is shared with")
	}
	if got := recLook(t, e, "", threat, incident, word); got != (recSeen{}) {
		t.Errorf("once shared with one organization, an anonymous caller sees %+v, want nothing", got)
	}
}

// TestCatalogOwnerEdits checks who changes catalog entries: the
// organization that added one (through a mutation or a native document),
// curators and admins; another organization gets FORBIDDEN and changes
// nothing, through mutations and through an import, while repeating an
// entry unchanged in a document needs no right to change it.
func TestCatalogOwnerEdits(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst := e.tokens[model.RoleAnalyst]
	curator := e.token(t, e.org2, model.RoleCurator)
	threat, measure, guideline := e.p+"threat", e.p+"measure", e.p+"guideline"
	// The threat and the measure come with a document, the guideline and
	// its clauses through mutations, all by org's analyst.
	doc := e.native(e.org, "DRAFT", "r") + `threats:
  - id: ` + threat + `
    name: Valve stuck
    kind: failure
measures:
  - id: ` + measure + `
    name: Relief valve
    perspective: P1
    kind: technical
`
	e.mustImport(t, analyst, "NATIVE", doc, "a.yaml", false)
	// While the analysis is private, so are its new entries: another
	// organization's change answers as for a missing one.
	wantError(t, e.do(t, e.other, `mutation($id: ID!) { updateThreat(id: $id, input: {name: "Renamed", kind: "failure"}) { id } }`,
		map[string]any{"id": threat}), "NOT_FOUND", "id")
	doc = recPublic(doc)
	e.mustImport(t, analyst, "NATIVE", doc, "a.yaml", false)
	e.must(t, analyst, `mutation($g: GuidelineInput!, $c1: ClauseInput!, $c2: ClauseInput!) {
  g: createGuideline(input: $g) { id } c1: createClause(input: $c1) { id } c2: createClause(input: $c2) { id } }`, map[string]any{
		"g":  map[string]any{"id": guideline, "title": "Boiler code " + e.p, "publisher": "Committee", "version": "1"},
		"c1": map[string]any{"id": guideline + "-1", "guidelineId": guideline, "ref": "1", "title": "One"},
		"c2": map[string]any{"id": guideline + "-2", "guidelineId": guideline, "ref": "2", "title": "Two"},
	}, nil)
	for _, id := range []string{threat, measure, guideline} {
		var v struct {
			Node struct{ Owner *struct{ ID string } }
		}
		e.must(t, analyst, `query($id: ID!) { node(id: $id) { ... on Threat { owner { id } } ... on Measure { owner { id } } ... on Guideline { owner { id } } } }`,
			map[string]any{"id": id}, &v)
		if o := v.Node.Owner; o == nil || o.ID != e.org {
			t.Errorf("%s: owner %+v, want %s", id, o, e.org)
		}
	}

	calls := []struct {
		name, doc string
		vars      map[string]any
	}{
		{"updateThreat", `mutation($id: ID!) { updateThreat(id: $id, input: {name: "Renamed", kind: "failure"}) { id } }`, map[string]any{"id": threat}},
		{"updateMeasure", `mutation($id: ID!) { updateMeasure(id: $id, input: {name: "Renamed", perspective: "P1", kind: "technical"}) { id } }`, map[string]any{"id": measure}},
		{"linkMeasureToClause", `mutation($m: ID!, $c: ID!) { linkMeasureToClause(input: {measureId: $m, clauseId: $c}) { __typename } }`, map[string]any{"m": measure, "c": guideline + "-1"}},
		{"updateGuideline", `mutation($id: ID!) { updateGuideline(id: $id, input: {title: "Renamed", publisher: "X", version: "2"}) { id } }`, map[string]any{"id": guideline}},
		{"createClause", `mutation($g: ID!, $id: ID!) { createClause(input: {id: $id, guidelineId: $g, ref: "3", title: "Three"}) { id } }`, map[string]any{"g": guideline, "id": guideline + "-3"}},
		{"mapClauses", `mutation($s: ID!, $t: ID!) { mapClauses(input: {sourceId: $s, targetId: $t, relationship: EQUAL_TO}) { __typename } }`, map[string]any{"s": guideline + "-1", "t": guideline + "-2"}},
	}
	before := neo4jtest.Snapshot(t, e.p)
	for _, c := range calls {
		wantError(t, e.do(t, e.other, c.doc, c.vars), "FORBIDDEN", "")
	}
	// The same change of the threat through a document of org2.
	theirs := strings.NewReplacer(e.p+"analysis", e.p+"theirs", "id: "+e.org+"\n  name: "+e.org, "id: "+e.org2+"\n  name: "+e.org2).Replace(doc)
	r := e.importAs(t, e.other, "NATIVE", strings.Replace(theirs, "name: Valve stuck", "name: Renamed", 1), "b.yaml", false)
	wantError(t, r, "FORBIDDEN", "")
	if len(r.Errors) > 0 && !strings.HasPrefix(r.Errors[0].Message, "threats[0]: ") {
		t.Errorf("import refused with %q, want the path threats[0]", r.Errors[0].Message)
	}
	if after := neo4jtest.Snapshot(t, e.p); after != before {
		t.Errorf("refused changes wrote:\nbefore %s\nafter  %s", before, after)
	}
	// Repeating the entries unchanged is no change.
	e.mustImport(t, e.other, "NATIVE", theirs, "b.yaml", false)

	// The owner and a curator of another organization may.
	for i, c := range calls {
		token := analyst
		if i%2 == 1 {
			token = curator
		}
		e.must(t, token, c.doc, c.vars, nil)
	}
}

// TestRevisedImportKeepsNaturalKeys checks that the draft reviseAnalysis
// starts from an imported analysis gives the copied assessment the natural
// key of the new version: the document of that version, which leaves the
// assessment's id out, updates the copy instead of adding a second
// assessment of the incident.
func TestRevisedImportKeepsNaturalKeys(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	analyst := e.tokens[model.RoleAnalyst]
	e.mustImport(t, analyst, "NATIVE", e.native(e.org, "DRAFT", "r"), "a.yaml", false)
	id := e.p + "analysis"
	e.must(t, analyst, `mutation($id: ID!) { submitAnalysis(id: $id) { id } }`, map[string]any{"id": id}, nil)
	var rev struct{ ReviseAnalysis struct{ ID string } }
	e.must(t, analyst, `mutation($id: ID!) { reviseAnalysis(id: $id) { id } }`, map[string]any{"id": id}, &rev)
	next := strings.NewReplacer("id: "+id+"\n", "id: "+rev.ReviseAnalysis.ID+"\n", "version: 1", "version: 2", "rationale: r", "rationale: revised").
		Replace(e.native(e.org, "DRAFT", "r"))
	rep := e.mustImport(t, analyst, "NATIVE", next, "b.yaml", false)
	if c := count(rep.Nodes, "Assessment"); c.Created != 0 || c.Updated != 1 {
		t.Errorf("loading the revised version's document: assessments %+v, want the copy updated", c)
	}
}
