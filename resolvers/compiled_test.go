package resolvers_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// compiledDoc is ingest/testdata/native/example.yaml with the test's ids:
// an analysis with departments, assets, incidents, threats, measures with
// clause links, treatments, not-applicable marks and a policy.
func compiledDoc(p, org, analysis, visibility, status string) string {
	sectors := ""
	if visibility == "SHARED" {
		sectors = "\n  sharedWithSectors: [factory]"
	}
	return strings.NewReplacer("{p}", p, "{org}", org, "{analysis}", analysis, "{visibility}", visibility, "{status}", status, "{word}", strings.ReplaceAll(p, "-", ""), "{sectors}", sectors).Replace(`apiVersion: ssfgraph/v1
kind: AnalysisDocument
organization:
  id: {org}
  name: {org}
  sector: factory
  departments:
    - id: {org}-ot
      name: OT security "quoted" <&>
target:
  id: {p}target
  name: Remote boiler monitoring service {word}
  sector: factory
  description: |
    Boilers report through an edge gateway; 日本語の説明。
  assets:
    - id: {p}plc
      name: Boiler controller (PLC)
      kind: component
    - id: {p}gw
      name: Edge gateway
      kind: component
      connectsTo: [{p}plc]
  incidents:
    - id: {p}inc-overpressure
      name: Boiler overpressure rupture
      consequence: life-body
    - id: {p}inc-stop
      name: Plant stops
      consequence: service-stop
analysis:
  id: {analysis}
  title: A view of {analysis}
  status: {status}
  version: 1
  visibility: {visibility}{sectors}
  assessments:
    - incident: {p}inc-overpressure
      axis1: 4
      axis2: 3
      estimatedLossJPY: 800000000.5
      rationale: "Loss of life\ncannot be undone"
      ownerDepartment: {org}-ot
      threats: [{p}threat-setpoint]
      assets: [{p}gw, {p}plc]
      treatments:
        - measure: {p}measure-signed
          status: IMPLEMENTED
        - measure: {p}measure-insurance
          status: PLANNED
          perspective: P4
    - incident: {p}inc-stop
      axis1: 2
      axis2: 2
      rationale: Steam returns after a restart.
      threats: [{p}threat-ddos]
      assets: [{p}gw]
  notApplicable:
    - clause: {p}sr-2.2
      reason: No wireless links.
threats:
  - id: {p}threat-setpoint
    name: Forged set-point command
    kind: cyber-attack
    externalId: T0855
    source: mitre-attack-ics
  - id: {p}threat-ddos
    name: Flooding
    kind: cyber-attack
measures:
  - id: {p}measure-signed
    name: Signed commands
    perspective: P1
    kind: technical
    clauses:
      - clause: {p}sr-1.1
        relationship: SUBSET_OF
        coverage: 0.6
        rationale: Operators only.
      - clause: {p}sr-3.1
        relationship: INTERSECTS_WITH
  - id: {p}measure-insurance
    name: Cyber cover
    perspective: P4
    kind: contractual
`)
}

// compiledShapes are the query shapes compared: every compiled field of
// every compiled type, fragments, aliases, directives, arguments, paging.
var compiledShapes = map[string]string{
	"TargetAll": `query($t: ID!) { target(id: $t) { __typename id name sector description owner { id name sector }
  assets { id name kind description target { id } } incidents { id name consequence description target { name } }
  analyses { id title status version visibility sharedWithSectors createdAt updatedAt submittedAt
    organization { id name sector } target { id }
    notApplicable { reason clause { id ref title text withdrawn guideline { id title publisher version } } }
    assessments { __typename id category estimatedLossJPY rationale
      axis1 { id rank labelEn labelJa description minJPY maxJPY } axis2 { rank labelEn }
      incident { id name consequence description target { id } }
      threats { id name kind description externalId source revoked deprecated }
      assets { id name kind description }
      ownerDepartment { id name organization { id name } }
      analysis { id }
      treatments { __typename status perspective { code nameEn nameJa description }
        measure { id name description kind revoked deprecated owner { id } perspective { code }
          clauses { relationship coverage rationale clause { id ref guideline { id } } } } } } } } }`,
	"Nested": nestedReadDoc,
	"FragmentsAndAliases": `query($t: ID!, $skip: Boolean!) { t: target(id: $t) { ...T } again: target(id: $t) { id } }
fragment T on Target { n: name ... on Node { id } analyses(status: DRAFT) { ...A } drafts: analyses(status: DRAFT) { id } all: analyses { id title @skip(if: $skip) } }
fragment A on Analysis { id assessments { ... on Assessment { first: incident { name } incident { id } } axis1 { ...L } } }
fragment L on AxisLevel { rank labelEn }`,
	"Analysis":       `query($a: ID!) { analysis(id: $a) { id title organization { name } assessments { incident { name } threats { name } treatments { measure { name } } } } }`,
	"Guideline":      `query($g: ID!) { guideline(id: $g) { id title clauses { ref children { ref parent { id } } } } }`,
	"HiddenAnalysis": `query($hidden: ID!) { analysis(id: $hidden) { id title } }`,
	"Missing":        `query { target(id: "no-such-target") { id } analysis(id: "no-such-analysis") { id } }`,
	"TargetsPage":    `query($text: String!) { targets(text: $text, first: 1) { __typename totalCount pageInfo { __typename hasNextPage endCursor } nodes { id name analyses { id } } } }`,
	"AnalysesList":   `query($t: ID!) { analyses(targetId: $t, first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { id status visibility assessments { category } } } }`,
	"AnalysesAfter":  `query($t: ID!, $after: String) { analyses(targetId: $t, first: 1, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }`,
	"TargetsEdges": `query($text: String!) { targets(text: $text, first: 1) { __typename edges { __typename cursor c2: cursor node { __typename id name owner { id } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
	"TargetsLast":    `query($text: String!) { targets(text: $text, last: 1) { totalCount edges { cursor node { id analyses { id } } } pageInfo { __typename hasPreviousPage hasNextPage startCursor endCursor } } }`,
	"AnalysesLast":   `query($t: ID!) { analyses(targetId: $t, last: 3) { edges { cursor } nodes { id status assessments { category } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
	"AnalysesEdges":  `query($t: ID!) { analyses(targetId: $t) { totalCount edges { node { ...A } cursor } } } fragment A on Analysis { id title organization { name } }`,
	"AnalysesBefore": `query($t: ID!, $before: String) { analyses(targetId: $t, last: 1, before: $before) { pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { cursor node { id } } } }`,
	// Not compiled (a field compiled reads do not know, or the nodes of a
	// connection selected twice): the same answer through the resolvers
	// alone.
	"NotCompiled":              `query($t: ID!) { target(id: $t) { id analyses { id supersedes { id } assessments { changedSinceSubmission threats { owner { id } } } } } }`,
	"NotCompiledNodesAndEdges": `query($t: ID!) { analyses(targetId: $t, last: 2) { nodes { id } edges { cursor node { title } } } }`,
}

// compiledNodeDoc reads `node(id: $n)` with a fragment for each compiled
// type.
const compiledNodeDoc = `query { node(id: $n) { __typename id ... on Target { name assets { id } } ... on Asset { name target { id } connectsTo { id } }
  ... on Incident { name consequence } ... on Threat { name externalId mitigatedBy { id } parent { id } subtechniques { id } revokedBy { id } }
  ... on Measure { name perspective { code } clauses { clause { ref incorporatedInto { id } } } mitigates { id } revokedBy { id } }
  ... on Guideline { title clauses { id } allClauses: clauses(includeWithdrawn: true) { id } }
  ... on Clause { ref guideline { id } parent { id } children { id } allChildren: children(includeWithdrawn: true) { id } }
  ... on Analysis { title status assessments { id } supersedes { id title } }
  ... on Assessment { category incident { name } threats { name } treatments { measure { name } } }
  ... on Organization { name departments { id name } analyses { id status } }
  ... on Department { name organization { id } } } }`

// TestCompiledReadsEqualResolvers runs each shape through a server with
// compiled reads and one without, on the same real Neo4j, as several
// callers (the author, another organization of the sector, one of
// another sector, anonymous, admin), and requires the same bytes. The
// data holds a PUBLIC submitted analysis whose incident, threat and
// measure were renamed after submission (so it shows what it kept), a
// PRIVATE draft with an inline incident, and a SHARED draft.
func TestCompiledReadsEqualResolvers(t *testing.T) {
	t.Parallel()
	counter := &neo4jtest.Counter{}
	db := neo4jtest.OpenObserved(t, counter)
	e := newEnv(t, resolvers.Options{Store: db})
	loaderSrv := httptest.NewServer(resolvers.NewHandler(resolvers.WithResolverReads(resolvers.Options{Store: db})))
	t.Cleanup(loaderSrv.Close)

	org, org2, other := e.org(t, "org", "factory"), e.org(t, "org2", "factory"), e.org(t, "org3", "medical")
	author, admin := e.token(t, org, model.RoleOrgAdmin), e.token(t, org, model.RoleAdmin)
	curator := e.token(t, org, model.RoleCurator)
	sameSector, otherSector := e.token(t, org2, model.RoleViewer), e.token(t, other, model.RoleViewer)

	g := e.p + "iec"
	e.must(t, curator, `mutation($in: GuidelineInput!) { createGuideline(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"id": g, "title": "IEC 62443-3-3", "publisher": "IEC", "version": "2013"}}, nil)
	for _, ref := range []string{"sr-1.1", "sr-2.2", "sr-3.1"} {
		e.must(t, curator, `mutation($in: ClauseInput!) { createClause(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": e.p + ref, "guidelineId": g, "ref": strings.ToUpper(ref), "title": "Title of " + ref}}, nil)
	}
	e.must(t, curator, `mutation($in: ClauseInput!) { createClause(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"id": e.p + "sr-1.1-re1", "guidelineId": g, "parentId": e.p + "sr-1.1", "ref": "SR 1.1 RE 1", "title": "Unique identification"}}, nil)
	const load = `mutation($c: String!) { importDocument(content: $c, format: NATIVE) { nodes { created } } }`
	public, private, shared := e.p+"a-public", e.p+"a-private", e.p+"a-shared"
	e.must(t, author, load, map[string]any{"c": compiledDoc(e.p, org, public, "PUBLIC", "DRAFT")}, nil)
	e.must(t, author, `mutation($id: ID!) { submitAnalysis(id: $id) { id } }`, map[string]any{"id": public}, nil)
	e.must(t, author, load, map[string]any{"c": compiledDoc(e.p, org, shared, "SHARED", "DRAFT")}, nil)
	e.must(t, author, load, map[string]any{"c": compiledDoc(e.p, org, private, "PRIVATE", "DRAFT")}, nil)
	e.must(t, author, `mutation($id: ID!) { reviseAnalysis(id: $id) { id } }`, map[string]any{"id": public}, nil)
	e.must(t, author, `mutation($id: ID!, $in: IncidentInput!) { updateIncident(id: $id, input: $in) { id } }`,
		map[string]any{"id": e.p + "inc-overpressure", "in": map[string]any{"targetId": e.p + "target", "name": "Renamed after submission", "consequence": "property"}}, nil)
	e.must(t, author, `mutation($id: ID!, $in: MeasureInput!) { updateMeasure(id: $id, input: $in) { id } }`,
		map[string]any{"id": e.p + "measure-signed", "in": map[string]any{"name": "Renamed measure", "perspective": "P2", "kind": "technical"}}, nil)
	e.must(t, author, `mutation($t: ID!, $m: ID!) { linkThreatToMeasure(threatId: $t, measureId: $m) { id } }`,
		map[string]any{"t": e.p + "threat-setpoint", "m": e.p + "measure-signed"}, nil)
	var inline struct {
		AssessIncident struct{ Incident struct{ ID string } }
	}
	e.must(t, author, `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { incident { id } } }`, map[string]any{"in": map[string]any{
		"analysisId": private, "axis1": 1, "axis2": 1, "rationale": "inline",
		"newIncident": map[string]any{"name": "Private incident", "consequence": "other"}}}, &inline)

	var ids struct {
		Target struct {
			Analyses []struct {
				ID          string
				Assessments []struct{ ID string }
			}
		}
	}
	_, r0 := postAs(t, loaderSrv, admin, `query($t: ID!) { target(id: $t) { analyses { id assessments { id } } } }`, map[string]any{"t": e.p + "target"})
	if err := json.Unmarshal(r0.Data, &ids); err != nil || len(ids.Target.Analyses) != 4 {
		t.Fatalf("analyses of the target: %s (%v)", r0.Data, err)
	}
	nodeIDs := map[string]string{"target": e.p + "target", "asset": e.p + "gw", "incident": e.p + "inc-stop", "threat": e.p + "threat-setpoint",
		"measure": e.p + "measure-signed", "guideline": g, "clause": e.p + "sr-1.1", "child clause": e.p + "sr-1.1-re1", "organization": org, "department": org + "-ot",
		"private incident": inline.AssessIncident.Incident.ID}
	for _, a := range ids.Target.Analyses {
		nodeIDs["analysis "+a.ID] = a.ID
		for _, s := range a.Assessments {
			nodeIDs["assessment "+s.ID] = s.ID
		}
	}
	vars := map[string]any{"g": g, "t": e.p + "target", "a": public, "hidden": private, "skip": false, "first": 500, "text": strings.ReplaceAll(e.p, "-", "")}
	shapes := maps.Clone(compiledShapes)
	for kind, id := range nodeIDs {
		shapes["Node "+kind] = strings.Replace(compiledNodeDoc, "$n", `"`+id+`"`, 1)
	}
	callers := map[string]string{"author": author, "sameSector": sameSector, "otherSector": otherSector, "anonymous": "", "admin": admin}
	for name, doc := range shapes {
		for who, token := range callers {
			t.Run(name+"/"+who, func(t *testing.T) {
				counter.Take()
				_, compiled := postAs(t, e.srv, token, doc, vars)
				trips, by := counter.Take()
				_, loaded := postAs(t, loaderSrv, token, doc, vars)
				if len(compiled.Errors)+len(loaded.Errors) > 0 {
					t.Fatalf("errors: compiled %+v, resolvers %+v", compiled.Errors, loaded.Errors)
				}
				if !bytes.Equal(compiled.Data, loaded.Data) {
					t.Fatalf("compiled and resolvers differ\ncompiled:  %s\nresolvers: %s", compiled.Data, loaded.Data)
				}
				notCompiled := strings.HasPrefix(name, "NotCompiled")
				if !notCompiled && !compiledTrips(by) {
					t.Errorf("%d round trips (%s), want the compiled read", trips, by)
				}
				if notCompiled && strings.Contains(by, "neo4j.Project") {
					t.Errorf("a selection with a field compiled reads do not know was compiled (%s)", by)
				}
			})
		}
	}

	// Random selections of the compiled fields, from each root: the same
	// answer on both paths, whatever the shape. A selection that mixes in
	// a submitted assessment's threats' relations takes the resolvers'
	// path, and compares all the same.
	rng := rand.New(rand.NewPCG(uint64(len(e.p)), 11))
	compiled := 0
	const randomShapes = 24
	for i := range randomShapes {
		var doc string
		switch i % 4 {
		case 0:
			doc = `query($t: ID!) { target(id: $t) ` + randomSelection(rng, "Target", 3) + ` }`
		case 1:
			doc = `query($a: ID!) { analysis(id: $a) ` + randomSelection(rng, "Analysis", 3) + ` }`
		case 2:
			doc = `query($text: String!) { targets(text: $text) { totalCount nodes ` + randomSelection(rng, "Target", 2) + ` } }`
			if rng.IntN(2) == 0 {
				doc = `query($text: String!) { targets(text: $text, last: 2) { pageInfo { hasPreviousPage startCursor } edges { cursor node ` + randomSelection(rng, "Target", 2) + ` } } }`
			}
		case 3:
			doc = `query($t: ID!) { analyses(targetId: $t) { nodes ` + randomSelection(rng, "Analysis", 2) + ` } }`
			if rng.IntN(2) == 0 {
				doc = `query($t: ID!) { analyses(targetId: $t, last: 3) { edges { node ` + randomSelection(rng, "Analysis", 2) + ` cursor } } }`
			}
		}
		for who, token := range callers {
			counter.Take()
			_, c := postAs(t, e.srv, token, doc, vars)
			if _, by := counter.Take(); compiledTrips(by) {
				compiled++
			}
			_, l := postAs(t, loaderSrv, token, doc, vars)
			if !bytes.Equal(c.Data, l.Data) || len(c.Errors) != len(l.Errors) {
				t.Fatalf("random shape %d as %s differs:\n%s\ncompiled:  %s %v\nresolvers: %s %v", i, who, doc, c.Data, c.Errors, l.Data, l.Errors)
			}
		}
	}

	if reads := randomShapes * len(callers); compiled < reads*2/3 {
		t.Errorf("%d of %d random reads were compiled, want most", compiled, reads)
	}

	// Paging through the target's analyses one at a time, following each
	// page's endCursor: the same pages on both paths, to the end.
	after, pages := any(nil), 0
	for {
		v := map[string]any{"t": e.p + "target", "after": after}
		_, c := postAs(t, e.srv, admin, compiledShapes["AnalysesAfter"], v)
		_, l := postAs(t, loaderSrv, admin, compiledShapes["AnalysesAfter"], v)
		if !bytes.Equal(c.Data, l.Data) || len(c.Errors)+len(l.Errors) > 0 {
			t.Fatalf("page %d after %v: compiled %s %v, resolvers %s %v", pages, after, c.Data, c.Errors, l.Data, l.Errors)
		}
		var page struct {
			Analyses struct {
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
				Nodes []struct{ ID string }
			}
		}
		if err := json.Unmarshal(c.Data, &page); err != nil {
			t.Fatal(err)
		}
		pages += len(page.Analyses.Nodes)
		if !page.Analyses.PageInfo.HasNextPage {
			break
		}
		after = *page.Analyses.PageInfo.EndCursor
	}
	if pages != 4 {
		t.Errorf("paged through %d analyses, want 4", pages)
	}

	// And backwards, following each page's startCursor, to the start.
	before := any(nil)
	pages = 0
	for {
		v := map[string]any{"t": e.p + "target", "before": before}
		_, c := postAs(t, e.srv, admin, compiledShapes["AnalysesBefore"], v)
		_, l := postAs(t, loaderSrv, admin, compiledShapes["AnalysesBefore"], v)
		if !bytes.Equal(c.Data, l.Data) || len(c.Errors)+len(l.Errors) > 0 {
			t.Fatalf("page %d before %v: compiled %s %v, resolvers %s %v", pages, before, c.Data, c.Errors, l.Data, l.Errors)
		}
		var page struct {
			Analyses struct {
				PageInfo struct {
					HasPreviousPage bool
					StartCursor     *string
				}
				Edges []struct{ Cursor string }
			}
		}
		if err := json.Unmarshal(c.Data, &page); err != nil {
			t.Fatal(err)
		}
		pages += len(page.Analyses.Edges)
		if !page.Analyses.PageInfo.HasPreviousPage {
			break
		}
		before = *page.Analyses.PageInfo.StartCursor
	}
	if pages != 4 {
		t.Errorf("paged backwards through %d analyses, want 4", pages)
	}

	// The data says what the comparison rests on.
	var got struct {
		Target struct {
			Analyses []struct {
				ID          string
				Assessments []struct {
					Incident   struct{ ID, Name string }
					Treatments []struct{ Measure struct{ Name string } }
				}
			}
		}
	}
	_, r := postAs(t, e.srv, sameSector, compiledShapes["TargetAll"], vars)
	if err := json.Unmarshal(r.Data, &got); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range got.Target.Analyses {
		seen[a.ID] = true
		if a.ID == public && a.Assessments[0].Incident.Name != "Boiler overpressure rupture" {
			t.Errorf("submitted analysis shows incident %q, want the name it rated", a.Assessments[0].Incident.Name)
		}
		if a.ID == shared && a.Assessments[0].Incident.Name != "Renamed after submission" {
			t.Errorf("draft shows incident %q, want the current name", a.Assessments[0].Incident.Name)
		}
	}
	if !seen[public] || !seen[shared] || seen[private] {
		t.Errorf("another organization of the sector sees analyses %v, want %s and %s only", seen, public, shared)
	}
}

// compiledTrips reports whether the round trips by (neo4jtest.Counter's
// summary) are those of compiled reads: projections (the scales read with
// them), with the token's check (and the comparison the fixture's last writes
// recompute in the background).
func compiledTrips(by string) bool {
	if !strings.Contains(by, "neo4j.Project") {
		return false
	}
	for _, op := range strings.Split(by, ", ") {
		if !strings.HasPrefix(op, "neo4j.Project") && !strings.HasPrefix(op, "neo4j.Authenticate×") &&
			!strings.HasPrefix(op, "neo4j.TargetAnalyses×") {
			return false
		}
	}
	return true
}

// randomSelection writes a random selection of the compiled type typ's
// fields (export_test.go's CompiledFields lists them), depth levels deep
// at most, with aliases and inline fragments now and then.
func randomSelection(rng *rand.Rand, typ string, depth int) string {
	fields := resolvers.CompiledFields(typ)
	var sb strings.Builder
	sb.WriteString("{ __typename")
	for _, f := range fields {
		if rng.IntN(3) == 0 {
			continue
		}
		child := resolvers.CompiledFieldType(typ, f)
		if child != "" && depth == 0 {
			continue
		}
		name := f
		if f == "analyses" && typ == "Target" && rng.IntN(2) == 0 {
			name = f + "(status: DRAFT)"
		}
		depth := depth
		if typ == "Assessment" && (f == "threats" || f == "assets") {
			depth = 1 // what a submitted assessment kept: scalars only, or the resolvers answer
		}
		if rng.IntN(15) == 0 { // rarely: a document takes 15 aliases
			sb.WriteString(" " + f + "Alias" + strconv.Itoa(depth) + ": " + name)
		} else if rng.IntN(6) == 0 {
			sb.WriteString(" ... on " + typ + " { " + name)
			if child != "" {
				sb.WriteString(" " + randomSelection(rng, child, depth-1))
			}
			sb.WriteString(" }")
			continue
		} else {
			sb.WriteString(" " + name)
		}
		if child != "" {
			sb.WriteString(" " + randomSelection(rng, child, depth-1))
		}
	}
	sb.WriteString(" }")
	return sb.String()
}
