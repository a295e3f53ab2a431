package resolvers_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// The real crosswalk data the coverage tests load (SSFGRAPH_DATA).
const (
	sp80053Catalog = "nist-sp800-53r5-oscal/NIST_SP-800-53_rev5_catalog.json"
	csf2Catalog    = "nist-csf2-to-sp800-53r5-oscal-mapping/NIST_CSF_v2.0.catalog.json"
	csf2To80053    = "nist-csf2-to-sp800-53r5-oscal-mapping/NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json"
	iotTo80053     = "nist-iot-device-capabilities-catalog-mappings/IoT_Catalog_to_800-53r5__Technical_Capabilities.csv"
)

// dataFile returns the path of a file of the shared real data sets
// ($SSFGRAPH_DATA, or ../shared/data beside the repository); a missing file
// fails the test.
func dataFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(neo4jtest.DataDir(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the shared data sets are missing (set SSFGRAPH_DATA to the data folder, default ../shared/data beside the repository): %v", err)
	}
	return p
}

// loaded remembers the real files loaded into the test database in this
// process: loading is idempotent, so once is enough.
var loaded sync.Map

// loadData loads real data files into db, in order, each in one
// transaction.
func loadData(t testing.TB, db *neo4j.DB, rels ...string) {
	t.Helper()
	for _, rel := range rels {
		if _, done := loaded.Load(rel); done {
			continue
		}
		loadDocument(t, db, dataFile(t, rel), nil)
		loaded.Store(rel, true)
	}
}

// loadDocument loads one document (the file at path, or data when given).
func loadDocument(t testing.TB, db *neo4j.DB, path string, data []byte) {
	t.Helper()
	if data == nil {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	f, err := ingest.DetectFormat(path, data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	scales, err := db.Scales(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := ingest.Parse(path, data, f, ingest.ParseOptions{Scales: scales})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if _, err := db.LoadBatch(context.Background(), b, false); err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
}

// claim is one measure of a coverage scene: the clause it satisfies, how,
// and the status of its treatment.
type claim struct {
	measure, clause, relationship, status string
}

// coverageScene writes a native analysis document whose assessments treat
// the claims' measures, loads it, and returns the analysis id and a token
// of its organization.
func coverageScene(t testing.TB, e *testEnv, name string, claims []claim) (analysis, token string) {
	t.Helper()
	p := e.p + name
	loadDocument(t, e.db, p+".yaml", coverageDocument(p, "PRIVATE", claims))
	return p + "-analysis", e.token(t, p+"-org", model.RoleAnalyst)
}

// coverageDocument is the native document of a coverage scene with ids
// prefixed p: one organization, one target, and an analysis with one
// assessment per 50 claims, each treating its claims' measures.
func coverageDocument(p, visibility string, claims []claim) []byte {
	var incidents, assessments, measures strings.Builder
	for i, c := range claims {
		if i%50 == 0 {
			fmt.Fprintf(&incidents, "    - {id: %s-inc%d, name: Wrong dose %d, consequence: life-body}\n", p, i/50, i/50)
			fmt.Fprintf(&assessments, "    - incident: %s-inc%d\n      axis1: 3\n      axis2: 2\n      treatments:\n", p, i/50)
		}
		fmt.Fprintf(&assessments, "        - {measure: %s-%s, status: %s}\n", p, c.measure, c.status)
		fmt.Fprintf(&measures, "  - {id: %s-%s, name: %s, perspective: P1, kind: technical, clauses: [{clause: %q, relationship: %s}]}\n", p, c.measure, c.measure, c.clause, c.relationship)
	}
	return []byte(fmt.Sprintf(`apiVersion: ssfgraph/v1
kind: AnalysisDocument
organization: {id: %[1]s-org, name: Coverage org %[1]s, sector: medical}
target:
  id: %[1]s-target
  name: Infusion pump
  sector: medical
  incidents:
%[2]sanalysis:
  id: %[1]s-analysis
  title: Coverage scene
  visibility: %[5]s
  assessments:
%[3]smeasures:
%[4]s`, p, incidents.String(), assessments.String(), measures.String(), visibility))
}

const coverageQuery = `query($a: ID!, $g: ID!, $h: Int) { guidelineCoverage(analysisId: $a, guidelineId: $g, maxHops: $h) {
  maxHops summary { clauses applicable covered partial planned gaps notApplicable coveredPercent score }
  families { family { id } summary { clauses covered partial } }
  clauses { clause { id ref } status score path { measure { id } achieved relationship score confidence hops inferred
    steps { kind from { id } to { id } storedRelationship reversed relationship origin group } } } } }`

type coverageResult struct {
	GuidelineCoverage struct {
		MaxHops int
		Summary struct {
			Clauses, Applicable, Covered, Partial, Planned, Gaps, NotApplicable int
			CoveredPercent, Score                                               float64
		}
		Families []struct {
			Family  struct{ ID string }
			Summary struct{ Clauses, Covered, Partial int }
		}
		Clauses []struct {
			Clause struct{ ID, Ref string }
			Status string
			Score  float64
			Path   *struct {
				Measure      *struct{ ID string }
				Achieved     bool
				Relationship string
				Score        float64
				Confidence   *float64
				Hops         int
				Inferred     bool
				Steps        []struct {
					Kind                             string
					From                             *struct{ ID string }
					To                               struct{ ID string }
					StoredRelationship, Relationship string
					Reversed                         bool
					Origin, Group                    *string
				}
			}
		}
	}
}

func (c *coverageResult) byStatus() map[string][]string {
	out := map[string][]string{}
	for _, cl := range c.GuidelineCoverage.Clauses {
		out[cl.Status] = append(out[cl.Status], cl.Clause.ID)
	}
	return out
}

func ids(prefix string, refs ...string) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = prefix + r
	}
	slices.Sort(out)
	return out
}

// TestCoverageOfCSFFromSP80053Controls: an analysis whose measures satisfy
// a handful of SP 800-53 controls reaches exactly the CSF 2.0
// subcategories whose map entries name those controls, each PARTIAL (a
// subcategory is a superset of the set of controls it maps to, so one
// control, or all of them, meets only part of it), through one mapping
// walked against its direction. Expectations worked out by hand from the
// mapping collection: ac-2 is a target of de.cm-01, de.cm-03, pr.aa-01,
// pr.aa-05 and pr.ds-10; ra-5 of gv.sc-10, id.im-01..03, id.ra-01 and
// id.ra-08; cm-8 of id.am-01, id.am-02 and pr.ps-01; sc-8 (only planned)
// of pr.ds-02.
func TestCoverageOfCSFFromSP80053Controls(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	loadData(t, e.db, sp80053Catalog, csf2Catalog, csf2To80053)
	analysis, token := coverageScene(t, e, "csf", []claim{
		{"acct", "nist-sp800-53r5:ac-2", "EQUAL_TO", "IMPLEMENTED"},
		{"vuln", "nist-sp800-53r5:ra-5", "EQUAL_TO", "VERIFIED"},
		{"inv", "nist-sp800-53r5:cm-8", "EQUIVALENT_TO", "IMPLEMENTED"},
		{"inv2", "nist-sp800-53r5:pm-5", "EQUIVALENT_TO", "IMPLEMENTED"},
		{"tls", "nist-sp800-53r5:sc-8", "EQUAL_TO", "PLANNED"},
	})
	var res coverageResult
	e.must(t, token, coverageQuery, map[string]any{"a": analysis, "g": "nist-csf-2.0"}, &res)
	got := res.byStatus()
	wantPartial := ids("nist-csf-2.0:", "de.cm-01", "de.cm-03", "pr.aa-01", "pr.aa-05", "pr.ds-10",
		"gv.sc-10", "id.im-01", "id.im-02", "id.im-03", "id.ra-01", "id.ra-08", "id.am-01", "id.am-02", "pr.ps-01")
	if !slices.Equal(got["PARTIAL"], wantPartial) {
		t.Fatalf("PARTIAL %v\nwant    %v", got["PARTIAL"], wantPartial)
	}
	if want := ids("nist-csf-2.0:", "pr.ds-02"); !slices.Equal(got["PLANNED"], want) {
		t.Fatalf("PLANNED %v, want %v", got["PLANNED"], want)
	}
	if len(got["COVERED"]) != 0 || len(got["NOT_APPLICABLE"]) != 0 {
		t.Fatalf("nothing may be covered or not applicable: %v", got)
	}
	s := res.GuidelineCoverage.Summary
	// The CSF 2.0 catalog has 106 subcategories (groups: 6 functions, 22 categories, are not counted).
	if s.Clauses != 106 || s.Partial != 14 || s.Planned != 1 || s.Gaps != 91 || s.Applicable != 106 || s.Covered != 0 || s.CoveredPercent != 0 {
		t.Fatalf("summary %+v", s)
	}
	if res.GuidelineCoverage.MaxHops != 3 {
		t.Fatalf("maxHops %d, want the default 3", res.GuidelineCoverage.MaxHops)
	}
	families := map[string]int{}
	for _, f := range res.GuidelineCoverage.Families {
		families[f.Family.ID] = f.Summary.Partial
	}
	if want := map[string]int{"nist-csf-2.0:de": 2, "nist-csf-2.0:gv": 1, "nist-csf-2.0:id": 7, "nist-csf-2.0:pr": 4, "nist-csf-2.0:rc": 0, "nist-csf-2.0:rs": 0}; !maps.Equal(families, want) {
		t.Fatalf("partial per family %v, want %v", families, want)
	}
	targets := map[string]int{}
	for _, r := range parsedRels(t, csf2To80053) {
		targets[r.From]++
	}
	for _, c := range res.GuidelineCoverage.Clauses {
		if c.Status != "PARTIAL" {
			continue
		}
		p := c.Path
		if p == nil || !p.Achieved || p.Relationship != "SUBSET_OF" || p.Hops != 1 || !p.Inferred || len(p.Steps) != 2 {
			t.Fatalf("%s: path %+v", c.Clause.ID, p)
		}
		sat, m := p.Steps[0], p.Steps[1]
		if sat.Kind != "SATISFIES" || sat.From == nil || sat.From.ID != p.Measure.ID {
			t.Fatalf("%s: first step %+v", c.Clause.ID, sat)
		}
		if m.Kind != "MAPS_TO" || !m.Reversed || m.StoredRelationship != "SUPERSET_OF" || m.Relationship != "SUBSET_OF" ||
			m.From.ID != sat.To.ID || m.To.ID != c.Clause.ID || m.Origin == nil || !strings.Contains(*m.Origin, "800-53") {
			t.Fatalf("%s: mapping step %+v", c.Clause.ID, m)
		}
		// A subcategory mapped to several controls keeps its set (a group); one mapped to one control has none.
		if (m.Group != nil) != (targets[c.Clause.ID] > 1) {
			t.Fatalf("%s maps to %d controls, group %v", c.Clause.ID, targets[c.Clause.ID], m.Group)
		}
		if c.Score <= 0 || c.Score >= 1 {
			t.Fatalf("%s: a partial clause scores between 0 and 1, not %v", c.Clause.ID, c.Score)
		}
	}
}

// TestCoverageOfSP80053FromCSFSubcategory: a measure meeting a CSF 2.0
// subcategory meets every control its map entry names in full (the
// subcategory is their superset), and nothing else of SP 800-53: pr.aa-01
// names ac-1, ac-2, ac-14 and ia-1 to ia-11 in the mapping collection.
func TestCoverageOfSP80053FromCSFSubcategory(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	loadData(t, e.db, sp80053Catalog, csf2Catalog, csf2To80053)
	analysis, token := coverageScene(t, e, "sp", []claim{{"idm", "nist-csf-2.0:pr.aa-01", "EQUAL_TO", "IMPLEMENTED"}})
	var res coverageResult
	e.must(t, token, coverageQuery, map[string]any{"a": analysis, "g": "nist-sp800-53r5", "h": 3}, &res)
	got := res.byStatus()
	want := ids("nist-sp800-53r5:", csfTargets(t, "pr.aa-01")...)
	if !slices.Equal(got["COVERED"], want) {
		t.Fatalf("COVERED %v\nwant    %v", got["COVERED"], want)
	}
	if len(got["PARTIAL"])+len(got["PLANNED"]) != 0 {
		t.Fatalf("only the named controls are reached: %v", got)
	}
	for _, c := range res.GuidelineCoverage.Clauses {
		if c.Status == "COVERED" && (c.Score != 1 || c.Path.Relationship != "SUPERSET_OF" || c.Path.Steps[1].Reversed) {
			t.Fatalf("%s: %+v", c.Clause.ID, c.Path)
		}
	}
	s := res.GuidelineCoverage.Summary
	if s.Covered != len(want) || s.Clauses != s.Covered+s.Gaps || s.Clauses < 1000 {
		t.Fatalf("summary %+v", s)
	}
}

// csfTargets reads, from the mapping collection itself, the SP 800-53
// controls a CSF 2.0 subcategory's map entry names, as catalog ids.
func csfTargets(t *testing.T, subcategory string) []string {
	t.Helper()
	var out []string
	for _, r := range parsedRels(t, csf2To80053) {
		if r.From == "nist-csf-2.0:"+subcategory {
			out = append(out, strings.TrimPrefix(r.To, "nist-sp800-53r5:"))
		}
	}
	if len(out) != 14 {
		t.Fatalf("pr.aa-01 names %d controls (%v), want the 14 counted by hand", len(out), out)
	}
	return out
}

const crosswalkQuery = `query($f: ID!, $t: ID!, $h: Int) { crosswalk(fromGuidelineId: $f, toGuidelineId: $t, maxHops: $h) {
  from { id } to { id } maxHops unmappedFrom { id } unmappedTo { id }
  mappings { source { id } target { id } relationship path { hops inferred relationship score steps { kind from { id } to { id } reversed relationship } } } } }`

type crosswalkResult struct{ Crosswalk crosswalkData }

type crosswalkData struct {
	From, To                 struct{ ID string }
	MaxHops                  int
	UnmappedFrom, UnmappedTo []struct{ ID string }
	Mappings                 []struct {
		Source, Target struct{ ID string }
		Relationship   string
		Path           struct {
			Hops         int
			Inferred     bool
			Relationship string
			Score        float64
			Steps        []struct {
				Kind         string
				From, To     struct{ ID string }
				Reversed     bool
				Relationship string
			}
		}
	}
}

// TestCrosswalkThroughHub: the NIST IoT device capability catalog and CSF
// 2.0 share no direct mapping, but both map to SP 800-53. A capability that
// intersects a control reaches every CSF 2.0 subcategory whose map entry
// names that control (intersects-with then subset-of composes to
// intersects-with), in two hops through the hub, and nothing more.
func TestCrosswalkThroughHub(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	loadData(t, e.db, sp80053Catalog, csf2Catalog, csf2To80053, iotTo80053)
	const iot, csf = "nist-ir-8259-iot-catalog", "nist-csf-2.0"
	direct := neo4jtest.AnalysisExec(t, `MATCH (:Guideline {id: $a})-[:HAS_CLAUSE]->(:Clause)-[m:MAPS_TO]-(:Clause)<-[:HAS_CLAUSE]-(:Guideline {id: $b}) RETURN count(m) AS n`,
		map[string]any{"a": iot, "b": csf})
	if n := direct[0]["n"].(int64); n != 0 {
		t.Fatalf("the test needs guidelines without a direct mapping; found %d", n)
	}
	var res crosswalkResult
	e.must(t, "", crosswalkQuery, map[string]any{"f": iot, "t": csf}, &res)
	cw := res.Crosswalk
	if cw.From.ID != iot || cw.To.ID != csf || cw.MaxHops != 3 || len(cw.Mappings) == 0 {
		t.Fatalf("crosswalk %s → %s, maxHops %d, %d mappings", cw.From.ID, cw.To.ID, cw.MaxHops, len(cw.Mappings))
	}

	// Work out what one capability must reach from the files themselves.
	iotPairs := parsedRels(t, iotTo80053)
	csfPairs := parsedRels(t, csf2To80053)
	capability := ""
	for _, r := range iotPairs {
		if r.To == "nist-sp800-53r5:ia-3" {
			capability = r.From
			break
		}
	}
	want := map[string]bool{}
	for _, r := range iotPairs {
		if r.From != capability {
			continue
		}
		for _, c := range csfPairs {
			if c.To == r.To {
				want[c.From] = true
			}
		}
	}
	got := map[string]bool{}
	for _, m := range cw.Mappings {
		if m.Relationship != "INTERSECTS_WITH" || m.Path.Hops != 2 || !m.Path.Inferred || len(m.Path.Steps) != 2 {
			t.Fatalf("%s → %s: %s in %d hops", m.Source.ID, m.Target.ID, m.Relationship, m.Path.Hops)
		}
		hub := m.Path.Steps[0].To.ID
		if !strings.HasPrefix(hub, "nist-sp800-53r5:") || m.Path.Steps[1].From.ID != hub || m.Path.Steps[1].To.ID != m.Target.ID ||
			m.Path.Steps[0].Relationship != "INTERSECTS_WITH" || m.Path.Steps[1].Relationship != "SUBSET_OF" || !m.Path.Steps[1].Reversed {
			t.Fatalf("%s → %s: path %+v", m.Source.ID, m.Target.ID, m.Path.Steps)
		}
		if m.Source.ID == capability {
			got[m.Target.ID] = true
		}
	}
	t.Logf("%d inferred mappings; %s reaches %d subcategories", len(cw.Mappings), capability, len(got))
	if len(want) < 2 || !maps.Equal(got, want) {
		t.Fatalf("%s reaches %v\nwant %v", capability, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	if len(cw.UnmappedTo) == 0 || len(cw.UnmappedTo)+countDistinctTargets(cw) != 106 {
		t.Fatalf("unmapped CSF subcategories %d + reached %d, want the 106 subcategories", len(cw.UnmappedTo), countDistinctTargets(cw))
	}

	// One hop cannot reach across the hub.
	e.must(t, "", crosswalkQuery, map[string]any{"f": iot, "t": csf, "h": 1}, &res)
	if len(res.Crosswalk.Mappings) != 0 {
		t.Fatalf("maxHops 1 found %d mappings through a hub", len(res.Crosswalk.Mappings))
	}
}

func countDistinctTargets(cw crosswalkData) int {
	seen := map[string]bool{}
	for _, m := range cw.Mappings {
		seen[m.Target.ID] = true
	}
	return len(seen)
}

// parsedRels parses a real data file and returns its relationships.
func parsedRels(t *testing.T, rel string) []ingest.Rel {
	t.Helper()
	return neo4jtest.RealBatch(t, filepath.Dir(rel), filepath.Base(rel)).Rels
}

// TestCoverageBadInput: unknown or unreadable ids and maxHops outside 1..6
// answer coded errors naming the argument; a guideline without clauses
// answers an empty coverage.
func TestCoverageBadInput(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	loadData(t, e.db, sp80053Catalog)
	analysis, token := coverageScene(t, e, "bad", []claim{{"m", "nist-sp800-53r5:ac-2", "EQUAL_TO", "IMPLEMENTED"}})
	other := e.token(t, e.org(t, "stranger", "home"), model.RoleAnalyst)
	empty := e.p + "empty-guideline"
	neo4jtest.AnalysisExec(t, `CREATE (:Guideline:Entity {id: $id, title: 'Empty', publisher: 'test', version: '1'})`, map[string]any{"id": empty})
	t.Cleanup(func() {
		neo4jtest.AnalysisExec(t, `MATCH (g:Guideline {id: $id}) DETACH DELETE g`, map[string]any{"id": empty})
	})

	for _, c := range []struct {
		name, token, analysis, guideline string
		hops                             any
		code, field                      string
	}{
		{"unknown analysis", token, e.p + "nope", "nist-sp800-53r5", nil, "NOT_FOUND", "analysisId"},
		{"another organization's private analysis", other, analysis, "nist-sp800-53r5", nil, "NOT_FOUND", "analysisId"},
		{"anonymous", "", analysis, "nist-sp800-53r5", nil, "NOT_FOUND", "analysisId"},
		{"unknown guideline", token, analysis, e.p + "nope", nil, "NOT_FOUND", "guidelineId"},
		{"maxHops 0", token, analysis, "nist-sp800-53r5", 0, "BAD_USER_INPUT", "maxHops"},
		{"maxHops 7", token, analysis, "nist-sp800-53r5", 7, "BAD_USER_INPUT", "maxHops"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, c.token, coverageQuery, map[string]any{"a": c.analysis, "g": c.guideline, "h": c.hops})
			if r.code() != c.code || !strings.Contains(fmt.Sprint(r.Errors[0]), c.field) {
				t.Fatalf("got %s %+v, want %s naming %s", r.code(), r.Errors, c.code, c.field)
			}
		})
	}
	var res coverageResult
	e.must(t, token, coverageQuery, map[string]any{"a": analysis, "g": empty}, &res)
	if s := res.GuidelineCoverage.Summary; s.Clauses != 0 || s.Score != 0 || len(res.GuidelineCoverage.Clauses) != 0 {
		t.Fatalf("a guideline with no clauses: %+v", s)
	}
	for _, vars := range []map[string]any{{"f": e.p + "nope", "t": "nist-sp800-53r5"}, {"f": "nist-sp800-53r5", "t": e.p + "nope"}, {"f": "nist-sp800-53r5", "t": "nist-sp800-53r5", "h": 9}} {
		r := e.do(t, "", crosswalkQuery, vars)
		if c := r.code(); c != "NOT_FOUND" && c != "BAD_USER_INPUT" {
			t.Fatalf("crosswalk %v: %s %+v", vars, c, r.Errors)
		}
	}
}

// TestCoverageOfCISOLibraries: on the CISO Assistant libraries, a measure
// equal to SP 800-53 AC-2 reaches exactly the three ISO/IEC 27001:2022
// controls the OLIR mapping set pairs with AC-2 (A.5.16, A.5.18, A.8.2),
// each PARTIAL through one intersects-with mapping (the set maps both
// ways, a cycle the walk does not loop on); and IEC 62443-3-3 is covered
// by direct claims only: SR 1.2 in full, SR 1.1 in part, SR 1.3 planned.
func TestCoverageOfCISOLibraries(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	const (
		lib     = "ciso-assistant-libraries/"
		sp      = "ciso:intuitem:risk:req_node:nist-sp-800-53-rev5:"
		iso     = "ciso:intuitem:risk:req_node:iso27001-2022:"
		iec     = "ciso:intuitem:risk:req_node:iec-62443-3-3-2013:"
		isoG    = "ciso:iso27001-2022"
		iecG    = "ciso:iec-62443-3-3-2013"
		mapping = lib + "mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml"
	)
	loadData(t, e.db, lib+"key-reference-controls.yaml", lib+"nist-sp-800-53-rev5.yaml", lib+"iso27001-2022.yaml", lib+"iec-62443-3-3-2013.yaml", mapping)
	analysis, token := coverageScene(t, e, "ciso", []claim{
		{"acct", sp + "ac-2", "EQUAL_TO", "IMPLEMENTED"},
		{"ident", iec + "sr-1.2", "EQUAL_TO", "VERIFIED"},
		{"authn", iec + "sr-1.1", "SUBSET_OF", "IMPLEMENTED"},
		{"acctmgmt", iec + "sr-1.3", "EQUAL_TO", "PLANNED"},
	})
	var res coverageResult
	e.must(t, token, coverageQuery, map[string]any{"a": analysis, "g": isoG}, &res)
	got := res.byStatus()
	if want := []string{iso + "a.5.16", iso + "a.5.18", iso + "a.8.2"}; !slices.Equal(got["PARTIAL"], want) || len(got["COVERED"])+len(got["PLANNED"]) != 0 {
		t.Fatalf("ISO/IEC 27001 statuses %v, want PARTIAL %v", got, want)
	}
	for _, c := range res.GuidelineCoverage.Clauses {
		if c.Status == "PARTIAL" && (c.Path.Relationship != "INTERSECTS_WITH" || c.Path.Hops != 1 || c.Score != 0.25) {
			t.Fatalf("%s: %+v", c.Clause.ID, c.Path)
		}
	}
	if s := res.GuidelineCoverage.Summary; s.Clauses != 123 {
		t.Fatalf("ISO/IEC 27001 has 123 assessable requirements in the library, coverage counts %d", s.Clauses)
	}

	// The device has no wireless interface: the analysis marks SR 1.6 not applicable.
	e.must(t, token, `mutation($a: ID!, $m: [NotApplicableInput!]!) { markClausesNotApplicable(analysisId: $a, marks: $m) { id } }`,
		map[string]any{"a": analysis, "m": []map[string]any{{"clauseId": iec + "sr-1.6", "reason": "No wireless interface."}}}, nil)
	e.must(t, token, coverageQuery, map[string]any{"a": analysis, "g": iecG}, &res)
	got = res.byStatus()
	if !slices.Equal(got["COVERED"], []string{iec + "sr-1.2"}) || !slices.Equal(got["PARTIAL"], []string{iec + "sr-1.1"}) ||
		!slices.Equal(got["PLANNED"], []string{iec + "sr-1.3"}) || !slices.Equal(got["NOT_APPLICABLE"], []string{iec + "sr-1.6"}) {
		t.Fatalf("IEC 62443-3-3 statuses %v", got)
	}
	s := res.GuidelineCoverage.Summary
	if s.Clauses != 54 || s.Gaps != 50 || s.NotApplicable != 1 || s.Applicable != 53 || s.CoveredPercent != 100.0/53 {
		t.Fatalf("IEC 62443-3-3: %+v (the library has 54 assessable requirements)", s)
	}
}
