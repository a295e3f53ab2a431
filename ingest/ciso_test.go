package ingest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// ctDir is the folder of the CISO Assistant libraries: under
// $SSFGRAPH_DATA, or ../shared/data beside the repository. A missing
// folder fails the test.
func ctDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(neo4jtest.DataDir(t), "ciso-assistant-libraries")
	if _, err := os.Stat(filepath.Join(dir, "SOURCE.md")); err != nil {
		t.Fatalf("the shared data sets are missing (set SSFGRAPH_DATA to the data folder, default ../shared/data beside the repository): %v", err)
	}
	return dir
}

// ctParse parses one of the shared CISO Assistant libraries.
func ctParse(t testing.TB, file string) *ingest.Batch {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ctDir(t), file))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ingest.ParseCISOLibrary(file, data)
	if err != nil {
		t.Fatalf("ParseCISOLibrary %s: %v", file, err)
	}
	return b
}

// ctCounts counts a batch's nodes by label (and clauses by kind, as
// "Clause/requirement") and relationships by type (and those with a hint,
// as "TYPE/hinted").
func ctCounts(b *ingest.Batch) map[string]int {
	c := map[string]int{}
	for _, n := range b.Nodes {
		c[n.Label]++
		if n.Label == model.LabelClause {
			c["Clause/"+n.Props["kind"].(string)]++
			if n.Props["withdrawn"] == true {
				c["Clause/withdrawn"]++
			}
			if _, ok := n.Props["parentId"]; !ok {
				c["Clause/top"]++
			}
		}
	}
	for _, r := range b.Rels {
		c[r.Type]++
		if r.Hint != "" {
			c[r.Type+"/hinted"]++
		}
	}
	c["warnings"] = len(b.Warnings)
	return c
}

// TestParseCISOLibraryCounts asserts the record counts SOURCE.md gives for
// every file of the folder.
func TestParseCISOLibraryCounts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file      string
		guideline string
		want      map[string]int
	}{
		{"iec-62443-3-3-2013.yaml", "ciso:iec-62443-3-3-2013", map[string]int{"Guideline": 1, "Clause": 62, "Clause/requirement": 54, "HAS_CLAUSE": 62}},
		{"iec-62443-4-2-2019.yaml", "ciso:iec-62443-4-2-2019", map[string]int{"Guideline": 1, "Clause": 104, "Clause/requirement": 92, "HAS_CLAUSE": 104}},
		{"nist-csf-2.0.yaml", "ciso:nist-csf-2.0", map[string]int{"Guideline": 1, "Clause": 134, "Clause/requirement": 106, "SATISFIES": 266, "SATISFIES/hinted": 266}},
		{"nist-csf-1.1.yaml", "ciso:nist-csf-1.1", map[string]int{"Guideline": 1, "Clause": 136, "Clause/requirement": 108, "SATISFIES": 256, "SATISFIES/hinted": 256}},
		{"nist-sp-800-53-rev5.yaml", "ciso:nist-sp-800-53-rev5", map[string]int{"Guideline": 1, "Clause": 1209, "Clause/requirement": 1189,
			"Clause/group": 20, "Clause/top": 20, "PART_OF": 1189}},
		{"iso27001-2022.yaml", "ciso:iso27001-2022", map[string]int{"Guideline": 1, "Clause": 140, "Clause/requirement": 123, "Measure": 93, "SATISFIES": 148}},
		{"nist-sp-800-82-annex-f.yaml", "ciso:nist-sp-800-82-annex-f", map[string]int{"Guideline": 1, "Clause": 208, "Clause/requirement": 189}},
		{"cra-regulation-annexes.yaml", "ciso:cra-resolution-annexes", map[string]int{"Guideline": 1, "Clause": 198, "Clause/requirement": 166}},
		{"key-reference-controls.yaml", "", map[string]int{"Measure": 175, "Guideline": 0, "Clause": 0}},
		{"d3fend.yaml", "", map[string]int{"Measure": 192, "Guideline": 0, "Clause": 0}},
		// Mapping sets: the two sets of a file are the two directions; the
		// CSF 2.0 ↔ ISO file repeats two mappings in each set (merged, with
		// a warning each).
		{"map-nist-csf-1.1-nist-csf-2.0.yaml", "", map[string]int{"MAPS_TO": 185, "MAPS_TO/hinted": 185, "warnings": 0}},
		{"mapping-nist-csf-2.0-to-iso27001-2022.yaml", "", map[string]int{"MAPS_TO": 343 + 343 - 4, "MAPS_TO/hinted": 682, "warnings": 4}},
		{"mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml", "", map[string]int{"MAPS_TO": 642 + 642, "MAPS_TO/hinted": 1284, "warnings": 0}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b := ctParse(t, tt.file)
			if b.Format != ingest.FormatCISOLibrary || b.Source != tt.file {
				t.Errorf("batch format %q, source %q", b.Format, b.Source)
			}
			c := ctCounts(b)
			for k, want := range tt.want {
				if c[k] != want {
					t.Errorf("%s: %d, want %d", k, c[k], want)
				}
			}
			if c["HAS_CLAUSE"] != c["Clause"] || c["PART_OF"] != c["Clause"]-c["Clause/top"] {
				t.Errorf("%d clauses, %d HAS_CLAUSE, %d PART_OF, %d top-level: every clause needs HAS_CLAUSE, every non-top one PART_OF",
					c["Clause"], c["HAS_CLAUSE"], c["PART_OF"], c["Clause/top"])
			}
			for _, n := range b.Nodes {
				switch n.Label {
				case model.LabelGuideline:
					if n.ID != tt.guideline {
						t.Errorf("guideline id %q, want %q", n.ID, tt.guideline)
					}
				case model.LabelClause:
					if n.Props["guidelineId"] != tt.guideline || n.Props["ref"] == "" || n.Props["title"] == "" {
						t.Errorf("clause %s: guidelineId %v, ref %q, title %q", n.ID, n.Props["guidelineId"], n.Props["ref"], n.Props["title"])
					}
				}
			}
		})
	}
}

// TestParseCISOLibraryWithdrawn counts the SP 800-53 controls and
// enhancements marked withdrawn: 182, as in NIST's OSCAL catalog
// (nist-sp800-53r5-oscal/SOURCE.md).
func TestParseCISOLibraryWithdrawn(t *testing.T) {
	t.Parallel()
	b := ctParse(t, "nist-sp-800-53-rev5.yaml")
	if c := ctCounts(b); c["Clause/withdrawn"] != 182 {
		t.Errorf("%d withdrawn clauses, want 182", c["Clause/withdrawn"])
	}
	// Their notes name 200 clauses (164 "Incorporated into", 36 "Moved
	// to"; counted in the file with PyYAML), every one found by its ref: as
	// many as the OSCAL catalog's links, though two of its notes differ
	// ("AC-2k" is the OSCAL link "#ac-2_smt.k", "SR Family" is "#sr").
	kinds := map[string]int{}
	for _, r := range b.Rels {
		if r.Type == model.RelIncorporatedInto {
			kinds[r.Props["kind"].(string)]++
		}
	}
	if kinds["incorporated-into"] != 164 || kinds["moved-to"] != 36 || len(b.Warnings) != 0 {
		t.Errorf("INCORPORATED_INTO by kind %v and warnings %v, want 164 incorporated-into, 36 moved-to, no warning", kinds, b.Warnings)
	}
	const p = "ciso:intuitem:risk:req_node:nist-sp-800-53-rev5:"
	xwWantLineage(t, b, map[string]string{
		p + "ac-2.10 " + p + "ac-2":    "incorporated-into", // "AC-2k"
		p + "sa-12 " + p + "sr":        "incorporated-into", // "SR Family"
		p + "at-3.4 " + p + "at-2.4":   "moved-to",          // "[Withdrawn: Moved to AT-2(4)]."
		p + "ac-13 " + p + "au-6":      "incorporated-into", // "AC-2 and AU-6"
		p + "sa-12.14 " + p + "sr-4.2": "moved-to",
	})
}

// TestCISOMappingsResolve checks the id scheme: every MAPS_TO end of the
// three mapping files is a clause id that parsing the framework files
// gives (642/642, 343/343 and 185/185 mappings, as SOURCE.md measured),
// and every hint names the guidelines of both ends.
func TestCISOMappingsResolve(t *testing.T) {
	t.Parallel()
	clauses := map[string]string{} // clause id → guideline id
	for _, f := range []string{"nist-csf-1.1.yaml", "nist-csf-2.0.yaml", "iso27001-2022.yaml", "nist-sp-800-53-rev5.yaml"} {
		for _, n := range ctParse(t, f).Nodes {
			if n.Label == model.LabelClause {
				clauses[n.ID] = n.Props["guidelineId"].(string)
			}
		}
	}
	for _, tt := range []struct {
		file       string
		perSet     int
		guidelines []string
	}{
		{"map-nist-csf-1.1-nist-csf-2.0.yaml", 185, []string{"ciso:nist-csf-1.1", "ciso:nist-csf-2.0"}},
		{"mapping-nist-csf-2.0-to-iso27001-2022.yaml", 343, []string{"ciso:nist-csf-2.0", "ciso:iso27001-2022"}},
		{"mapping-nist-sp-800-53-rev5-to-iso27001-2022.yaml", 642, []string{"ciso:nist-sp-800-53-rev5", "ciso:iso27001-2022"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b := ctParse(t, tt.file)
			entries := map[string]int{} // mapping set path → entries
			for _, r := range b.Rels {
				if r.Type != model.RelMapsTo {
					t.Fatalf("a %s in a mapping file", r.Type)
				}
				for _, end := range []string{r.From, r.To} {
					if _, ok := clauses[end]; !ok {
						t.Errorf("%s: %s is no clause of the framework files", r.Where, end)
					}
				}
				if clauses[r.From] == clauses[r.To] {
					t.Errorf("%s maps %s to %s, within one guideline", r.Where, r.From, r.To)
				}
				for _, g := range tt.guidelines {
					if !strings.Contains(r.Hint, "guideline "+g) {
						t.Errorf("%s: hint %q does not name guideline %s", r.Where, r.Hint, g)
					}
				}
				if r.Props["relationship"] != "INTERSECTS_WITH" || r.Props["source"] == "" {
					t.Errorf("%s: props %v", r.Where, r.Props)
				}
				set, _, _ := strings.Cut(r.Where, ".requirement_mappings")
				entries[set]++
			}
			for _, w := range b.Warnings {
				if strings.Contains(w.Message, "merged") {
					set, _, _ := strings.Cut(w.Location[strings.Index(w.Location, "objects"):], ".requirement_mappings")
					entries[set]++
				}
			}
			for set, n := range entries {
				if n != tt.perSet {
					t.Errorf("%s: %d mappings (loaded or merged), want %d", set, n, tt.perSet)
				}
			}
			if want := 1 + min(1, tt.perSet-185); len(entries) != want && len(entries) != 2 {
				t.Errorf("%d mapping sets", len(entries))
			}
		})
	}
	csf11 := ctParse(t, "map-nist-csf-1.1-nist-csf-2.0.yaml")
	if csf11.Rels[0].Props["rationale"] != "SEMANTIC" {
		t.Errorf("CSF 1.1 → 2.0 mapping rationale %v, want SEMANTIC", csf11.Rels[0].Props["rationale"])
	}
}

// TestCISOReferenceControlsResolve checks the decision on references to
// another library's reference controls: they stay SATISFIES relationships
// whose hint names key-reference-controls.yaml, so that the load fails,
// naming it, until it is loaded. Every reference (670) resolves to a
// measure of key-reference-controls.yaml or of ISO 27001's own controls.
func TestCISOReferenceControlsResolve(t *testing.T) {
	t.Parallel()
	own := map[string]bool{}
	kref := map[string]bool{}
	for _, n := range ctParse(t, "key-reference-controls.yaml").Nodes {
		kref[n.ID] = true
		if p := n.Props["perspective"]; !slices.Contains([]any{"P1", "P2", "P3"}, p) || n.Props["source"] != "ciso:doc-pol" {
			t.Errorf("measure %s: perspective %v, source %v", n.ID, p, n.Props["source"])
		}
	}
	iso := ctParse(t, "iso27001-2022.yaml")
	for _, n := range iso.Nodes {
		if n.Label == model.LabelMeasure {
			own[n.ID] = true
		}
	}
	total, inFile := 0, 0
	for _, f := range []*ingest.Batch{iso, ctParse(t, "nist-csf-1.1.yaml"), ctParse(t, "nist-csf-2.0.yaml")} {
		for _, r := range f.Rels {
			if r.Type != model.RelSatisfies {
				continue
			}
			total++
			switch {
			case own[r.From] && f == iso:
				inFile++
				if r.Hint != "" {
					t.Errorf("%s: a control of the same file has hint %q", r.Where, r.Hint)
				}
			case kref[r.From]:
				if !strings.Contains(r.Hint, "key-reference-controls.yaml") || !strings.Contains(r.Hint, "urn:intuitem:risk:library:doc-pol") {
					t.Errorf("%s: hint %q does not name key-reference-controls.yaml", r.Where, r.Hint)
				}
			default:
				t.Errorf("%s: reference control %s resolves nowhere", r.Where, r.From)
			}
			if r.Props["relationship"] != "INTERSECTS_WITH" {
				t.Errorf("%s: relationship %v", r.Where, r.Props["relationship"])
			}
		}
	}
	if total != 670 || inFile != 93 {
		t.Errorf("%d reference-control links (%d to ISO 27001's own controls), want 670 (93)", total, inFile)
	}
}

// ctLibrary is a small library with every feature the parser reads.
const ctLibrary = `urn: urn:test:risk:library:small
ref_id: Small
name: Small library
provider: Tester
version: 2
publication_date: 2026-01-02
dependencies:
- urn:intuitem:risk:library:doc-pol
objects:
  reference_controls:
  - urn: urn:test:risk:function:small:POL.1
    ref_id: POL.1
    name: A policy
    category: policy
  - urn: urn:test:risk:function:small:tech(2)
    category: technical
    description: No name.
  - urn: urn:test:risk:function:small:odd
    category: legal
  framework:
    urn: urn:test:risk:framework:Small-FW
    name: Small framework
    requirement_nodes:
    - urn: urn:test:risk:req_node:small-fw:b.1(a)
      assessable: true
      parent_urn: urn:test:risk:req_node:small-fw:b
      description: "[Withdrawn: moved elsewhere.]"
      reference_controls:
      - urn:test:risk:function:small:POL.1
      - urn:intuitem:risk:function:doc-pol:pol.1
      - urn:test:risk:function:small:POL.1
    - urn: urn:test:risk:req_node:small-fw:b
      assessable: false
      ref_id: B
      name: Group B
  requirement_mapping_sets:
  - urn: urn:test:risk:req_mapping_set:a-to-b
    name: A to B
    source_framework_urn: urn:test:risk:framework:a
    target_framework_urn: urn:test:risk:framework:b
    requirement_mappings:
    - {source_requirement_urn: "urn:test:risk:req_node:a:1", target_requirement_urn: "urn:test:risk:req_node:b:1", relationship: equal, rationale: Syntactic, strength_of_relationship: 7}
    - {source_requirement_urn: "urn:test:risk:req_node:a:2", target_requirement_urn: "urn:test:risk:req_node:b:2", relationship: subset, rationale: "because", strength_of_relationship: 0.5}
    - {source_requirement_urn: "urn:test:risk:req_node:a:3", target_requirement_urn: "urn:test:risk:req_node:b:3", relationship: superset, strength_of_relationship: 70}
    - {source_requirement_urn: "urn:test:risk:req_node:a:4", target_requirement_urn: "urn:test:risk:req_node:b:4", relationship: not_related}
    - {source_requirement_urn: "urn:test:risk:req_node:a:4", target_requirement_urn: "urn:test:risk:req_node:b:4", relationship: intersect}
    - {source_requirement_urn: "urn:test:risk:req_node:a:5", target_requirement_urn: "urn:test:risk:req_node:a:5", relationship: intersect}
  assessments: []
`

// TestParseCISOLibraryMapping checks how each field is read, on ctLibrary.
func TestParseCISOLibraryMapping(t *testing.T) {
	t.Parallel()
	b, err := ingest.ParseCISOLibrary("small.yaml", []byte(ctLibrary))
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]ingest.Node{}
	for _, n := range b.Nodes {
		nodes[n.ID] = n
	}
	rels := map[string]ingest.Rel{}
	for _, r := range b.Rels {
		rels[r.Type+" "+r.From+" "+r.To] = r
	}
	fw, leaf, group := "ciso:small-fw", "ciso:test:risk:req_node:small-fw:b.1.a", "ciso:test:risk:req_node:small-fw:b"
	pol, tech := "ciso:test:risk:function:small:pol.1", "ciso:test:risk:function:small:tech.2"
	for _, tt := range []struct {
		id, key string
		want    any
	}{
		{fw, "title", "Small framework"},
		{fw, "publisher", "Tester"},
		{fw, "version", "2 (2026-01-02)"},
		{fw, "source", "CISO Assistant library urn:test:risk:library:small"},
		{leaf, "parentId", group},
		{leaf, "kind", "requirement"},
		{leaf, "ref", "b.1(a)"},                          // no ref_id: the urn's last segment
		{leaf, "title", "[Withdrawn: moved elsewhere.]"}, // no name: the description's first line
		{leaf, "withdrawn", true},
		{group, "kind", "group"},
		{group, "title", "Group B"},
		{group, "withdrawn", false},
		{pol, "perspective", "P3"},
		{pol, "kind", "policy"},
		{pol, "externalId", "POL.1"},
		{pol, "source", "ciso:small"},
		{tech, "name", "tech(2)"},
		{tech, "perspective", "P1"},
		{"ciso:test:risk:function:small:odd", "perspective", "P1"}, // a category without a perspective
		{"ciso:test:risk:function:small:odd", "kind", "legal"},
	} {
		n, ok := nodes[tt.id]
		if !ok || n.Props[tt.key] != tt.want {
			t.Errorf("%s.%s = %#v (node found: %v), want %#v", tt.id, tt.key, n.Props[tt.key], ok, tt.want)
		}
	}
	if _, ok := nodes[group].Props["parentId"]; ok {
		t.Error("a top-level clause has a parentId")
	}
	if r, ok := rels["SATISFIES "+pol+" "+leaf]; !ok || r.Hint != "" {
		t.Errorf("SATISFIES from a control of the same file: %+v (found %v)", r, ok)
	}
	if r := rels["SATISFIES ciso:intuitem:risk:function:doc-pol:pol.1 "+leaf]; !strings.Contains(r.Hint, "key-reference-controls.yaml") {
		t.Errorf("SATISFIES from another library's control: hint %q", r.Hint)
	}
	for _, tt := range []struct {
		n    string
		want map[string]any
	}{
		{"1", xwPairwise(map[string]any{"relationship": "EQUAL_TO", "rationale": "SYNTACTIC", "confidence": 0.7, "source": "A to B"})},
		{"2", xwPairwise(map[string]any{"relationship": "SUBSET_OF", "confidence": 0.5, "source": "A to B"})},
		{"3", xwPairwise(map[string]any{"relationship": "SUPERSET_OF", "source": "A to B"})},
		{"4", xwPairwise(map[string]any{"relationship": "NO_RELATIONSHIP", "source": "A to B"})},
	} {
		r, ok := rels["MAPS_TO ciso:test:risk:req_node:a:"+tt.n+" ciso:test:risk:req_node:b:"+tt.n]
		if !ok || fmt.Sprint(r.Props) != fmt.Sprint(tt.want) {
			t.Errorf("mapping %s: %v (found %v), want %v", tt.n, r.Props, ok, tt.want)
		}
		if !strings.Contains(r.Hint, "a (guideline ciso:a) and b (guideline ciso:b)") {
			t.Errorf("mapping %s: hint %q", tt.n, r.Hint)
		}
	}
	var warnings []string
	for _, w := range b.Warnings {
		warnings = append(warnings, w.Location+": "+w.Message)
	}
	for _, want := range []string{
		"small.yaml:31: objects.framework.requirement_nodes[0].reference_controls[2]: reference control urn:test:risk:function:small:POL.1 is listed twice",
		"strength 70 is outside 0 to 10",
		"requirement_mappings[4]: maps the same requirements as objects.requirement_mapping_sets[0].requirement_mappings[3] with other properties; the first is kept",
		"requirement_mappings[5]: maps requirement urn:test:risk:req_node:a:5 to itself; skipped",
		"objects.assessments: not read",
	} {
		if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, want) }) {
			t.Errorf("no warning contains %q; warnings:\n%s", want, strings.Join(warnings, "\n"))
		}
	}
	if len(b.Warnings) != 5 {
		t.Errorf("%d warnings, want 5", len(b.Warnings))
	}
}

func TestParseCISOLibraryErrors(t *testing.T) {
	t.Parallel()
	iec, err := os.ReadFile(filepath.Join(ctDir(t), "iec-62443-3-3-2013.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	real := string(iec)
	for _, tt := range []struct {
		name, doc string
		path      string
		needle    string // the error's line is the needle's ("" for none)
		msg       string
	}{
		{"NotAMapping", "- a\n", "", "- a", "is a mapping with urn"},
		{"NoURN", "name: x\nobjects: {}\n", "", "name: x", `missing required field "urn"`},
		{"NoObjects", "urn: urn:x\n", "", "urn: urn:x", `missing required field "objects"`},
		{"NothingKnown", "urn: urn:x\nobjects:\n  risk_matrix: {}\n", "objects", "risk_matrix", "holds no framework"},
		{"NodesNotAList", "urn: urn:x\nobjects:\n  framework:\n    urn: urn:x:framework:f\n    requirement_nodes: {a: 1}\n", "objects.framework.requirement_nodes", "{a: 1}", "must be a list"},
		{"NoNodes", "urn: urn:x\nobjects:\n  framework:\n    urn: urn:x:framework:f\n", "objects.framework", "urn: urn:x:framework:f", `missing required field "requirement_nodes"`},
		{"UnknownParent", strings.Replace(real, "parent_urn: urn:intuitem:risk:req_node:iec-62443-3-3-2013:4\n", "parent_urn: urn:intuitem:risk:req_node:iec-62443-3-3-2013:404\n", 1),
			"objects.framework.requirement_nodes[1].parent_urn", "- urn: urn:intuitem:risk:req_node:iec-62443-3-3-2013:4.2", "is not a requirement node of this framework"},
		{"DuplicateURN", strings.Replace(real, "- urn: urn:intuitem:risk:req_node:iec-62443-3-3-2013:4.3", "- urn: urn:intuitem:risk:req_node:iec-62443-3-3-2013:4.2", 1),
			"objects.framework.requirement_nodes[2].urn", "- urn: urn:intuitem:risk:req_node:iec-62443-3-3-2013:4.2\n      assessable: true\n      depth: 2\n      parent_urn: urn:intuitem:risk:req_node:iec-62443-3-3-2013:4\n      ref_id: '4.3'",
			"which objects.framework.requirement_nodes[1].urn has already"},
		{"Cycle", "urn: urn:x\nobjects:\n  framework:\n    urn: urn:x:framework:f\n    requirement_nodes:\n    - {urn: 'urn:x:a', parent_urn: 'urn:x:b'}\n    - {urn: 'urn:x:b', parent_urn: 'urn:x:a'}\n",
			"objects.framework.requirement_nodes[0].parent_urn", "- {urn: 'urn:x:a'", "form a cycle"},
		{"SelfParent", "urn: urn:x\nobjects:\n  framework:\n    urn: urn:x:framework:f\n    requirement_nodes:\n    - {urn: 'urn:x:a', parent_urn: 'urn:x:a'}\n",
			"objects.framework.requirement_nodes[0].parent_urn", "- {urn: 'urn:x:a'", "form a cycle"},
		{"AssessableNotBool", strings.Replace(real, "assessable: true", "assessable: maybe", 1), "objects.framework.requirement_nodes[1].assessable", "assessable: maybe", "must be true or false"},
		{"UnknownRelationship", "urn: urn:x\nobjects:\n  requirement_mapping_set:\n    urn: urn:x:s\n    requirement_mappings:\n    - source_requirement_urn: urn:x:a\n      target_requirement_urn: urn:y:b\n      relationship: overlaps\n",
			"objects.requirement_mapping_set.requirement_mappings[0].relationship", "relationship: overlaps", `unknown relationship "overlaps"`},
		{"MappingWithoutTarget", "urn: urn:x\nobjects:\n  requirement_mapping_set:\n    urn: urn:x:s\n    requirement_mappings:\n    - source_requirement_urn: urn:x:a\n      relationship: equal\n",
			"objects.requirement_mapping_set.requirement_mappings[0]", "- source_requirement_urn", `missing required field "target_requirement_urn"`},
		{"BadURN", "urn: urn:x\nobjects:\n  reference_controls:\n  - urn: \"" + strings.Repeat("x", 300) + "\"\n", "objects.reference_controls[0].urn", "- urn:", "does not give a usable id"},
		{"TwiceDefinedControl", "urn: urn:x\nobjects:\n  reference_controls:\n  - urn: urn:x:c\n  - urn: URN:X:C\n", "objects.reference_controls[1].urn", "- urn: URN:X:C", `gives id "ciso:x:c", which objects.reference_controls[0].urn has already`},
		// found by FuzzParseCISOLibrary: a framework urn whose last segment is a node's urn
		{"GuidelineIDTaken", "urn: 0\nobjects: {framework:{urn:A,requirement_nodes:[{urn:A}]}}", "objects.framework.requirement_nodes[0].urn", "?",
			`urn "A" gives id "ciso:a", which objects.framework.urn has already`},
		{"ControlIsAClause", "urn: x\nobjects:\n  reference_controls: [{urn: 'urn:x:n'}]\n  framework: {urn: 'urn:x:f', requirement_nodes: [{urn: 'urn:x:n'}]}\n",
			"objects.framework.requirement_nodes[0].urn", "?", "which objects.reference_controls[0].urn has already"},
		{"NameIsAList", strings.Replace(real, "name: Support of essential functions", "name: [a, b]", 1), "objects.framework.requirement_nodes[1].name", "name: [a, b]", "must be text, not a list"},
		{"Syntax", strings.Replace(real, "ref_id: '4.2'", "ref_id: '4.2", 1), "", "?", "YAML syntax"},
		{"Truncated", real[:strings.Index(real, "requirement_nodes:")+len("requirement_nodes:")] + "\n    - urn: \"urn:intuitem:risk:req_node:iec", "", "?", "YAML syntax"},
		{"Empty", "", "", "", "empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.ParseCISOLibrary("lib.yaml", []byte(tt.doc))
			e, ok := errors.AsType[*ingest.Error](err)
			if !ok {
				t.Fatalf("error %v is not an *ingest.Error", err)
			}
			if e.File != "lib.yaml" || e.Path != tt.path || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("error %q: path %q, message %q; want %q and a message containing %q", err, e.Path, e.Message, tt.path, tt.msg)
			}
			switch tt.needle {
			case "":
			case "?":
				if e.Line <= 0 {
					t.Errorf("line %d, want a line", e.Line)
				}
			default:
				if want := ntLine(t, tt.doc, tt.needle); e.Line != want {
					t.Errorf("line %d, want %d (%q)", e.Line, want, tt.needle)
				}
			}
		})
	}
}

// TestCISOLibrariesLoadDryRun loads every library of the folder, in the
// order ingest.Order gives, in one dry run against the test database: each
// batch loads (the mapping files find the framework files' clauses, the CSF
// and ISO frameworks find key-reference-controls.yaml's measures), the
// counts add up to the batch's records, and nothing is written. A
// framework that cites reference controls nobody loaded fails, naming
// key-reference-controls.yaml.
func TestCISOLibrariesLoadDryRun(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	dir := ctDir(t)
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(names) != 13 {
		t.Fatalf("%d library files (%v), want 13", len(names), err)
	}
	var files []ingest.File
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, ingest.File{Name: filepath.Base(n), Data: data, Format: ingest.FormatCISOLibrary})
	}
	files = ingest.Order(files)
	batches := make([]*ingest.Batch, len(files))
	for i, f := range files {
		if batches[i], err = ingest.ParseCISOLibrary(f.Name, f.Data); err != nil {
			t.Fatal(err)
		}
	}
	db.LoadBatches(t.Context(), batches, true, func(i int, r *ingest.Report, err error) {
		b := batches[i]
		if err != nil {
			t.Errorf("%s: %v", b.Source, err)
			return
		}
		if !r.DryRun {
			t.Errorf("%s: the report is not a dry run's", b.Source)
		}
		want := ctCounts(b)
		nodes, rels := map[string]int{}, map[string]int{}
		for _, n := range b.Nodes {
			nodes[n.Label]++
		}
		for k, n := range nodes {
			if c := r.Nodes[k]; c.Created+c.Updated+c.Unchanged != n {
				t.Errorf("%s: %s %+v, want %d in all", b.Source, k, c, n)
			}
		}
		for _, rel := range b.Rels {
			rels[rel.Type]++
		}
		for k, n := range rels {
			if c := r.Rels[k]; c.Created+c.Updated+c.Unchanged != n {
				t.Errorf("%s: %s %+v, want %d in all (no mapping may be skipped)", b.Source, k, c, n)
			}
		}
		if len(r.Warnings) != want["warnings"] {
			t.Errorf("%s: %d warnings, want the parser's %d: %v", b.Source, len(r.Warnings), want["warnings"], r.Warnings)
		}
	})

	p := neo4jtest.Prefix(t)
	lib := strings.NewReplacer("urn:intuitem:risk:function:doc-pol:pol.1", "urn:intuitem:risk:function:doc-pol:"+p+"missing",
		"small-fw", p+"fw").Replace(ctLibrary)
	lib = lib[:strings.Index(lib, "  requirement_mapping_sets:")]
	b, err := ingest.ParseCISOLibrary("needs-doc-pol.yaml", []byte(lib))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.LoadBatch(t.Context(), b, true)
	if e, ok := errors.AsType[*ingest.Error](err); !ok || !strings.Contains(e.Error(), "key-reference-controls.yaml") ||
		!strings.Contains(e.Error(), "objects.framework.requirement_nodes[0].reference_controls[1]") {
		t.Errorf("loading a framework whose reference controls are not loaded: %v; want an *ingest.Error naming key-reference-controls.yaml and the reference", err)
	}
}
