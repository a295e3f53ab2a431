package ingest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// xwClauseStats summarises the clauses of a catalog batch.
type xwClauseStats struct {
	kinds     map[string]int
	withdrawn int
	topLevel  int
}

func xwClauses(b *ingest.Batch) xwClauseStats {
	s := xwClauseStats{kinds: map[string]int{}}
	for _, n := range b.Nodes {
		if n.Label != model.LabelClause {
			continue
		}
		k, _ := n.Props["kind"].(string)
		s.kinds[k]++
		if n.Props["withdrawn"] == true {
			s.withdrawn++
		}
		if _, ok := n.Props["parentId"]; !ok {
			s.topLevel++
		}
	}
	return s
}

func TestParseOSCALCatalogSP80053(t *testing.T) {
	t.Parallel()
	data := xwData(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	b, err := ingest.Parse("NIST_SP-800-53_rev5_catalog.json", data, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != ingest.FormatOSCALCatalog {
		t.Errorf("format %q, want %q", b.Format, ingest.FormatOSCALCatalog)
	}
	xwCheckShape(t, b, false)
	// SOURCE.md: 20 groups; 322 base controls + 867 enhancements = 1,189
	// controls; 182 of them withdrawn.
	s := xwClauses(b)
	for kind, want := range map[string]int{"group": 20, "control": 322, "enhancement": 867} {
		if s.kinds[kind] != want {
			t.Errorf("%d clauses of kind %s, want %d", s.kinds[kind], kind, want)
		}
	}
	if len(s.kinds) != 3 {
		t.Errorf("clause kinds %v, want group, control and enhancement only", s.kinds)
	}
	if s.withdrawn != 182 {
		t.Errorf("%d withdrawn clauses, want 182", s.withdrawn)
	}
	if s.topLevel != 20 {
		t.Errorf("%d top-level clauses, want the 20 families", s.topLevel)
	}
	nodes, rels := xwNodes(b), xwRels(b)
	if nodes[model.LabelGuideline] != 1 || nodes[model.LabelClause] != 1209 {
		t.Errorf("nodes %v, want 1 Guideline and 1,209 Clauses", nodes)
	}
	// Where withdrawn controls went: the file's incorporated-into and
	// moved-to links (counted here without the parser: 166 and 34, every
	// one of a withdrawn control), one INCORPORATED_INTO each.
	links := xwLineageLinks(t, data)
	if links["incorporated-into"] != 166 || links["moved-to"] != 34 || links["other"] != 0 {
		t.Errorf("the file's lineage links: %v, want 166 incorporated-into and 34 moved-to, all of withdrawn controls", links)
	}
	if rels[model.RelHasClause] != 1209 || rels[model.RelPartOf] != 1189 || rels[model.RelIncorporatedInto] != 166+34 || len(rels) != 3 {
		t.Errorf("relationships %v, want 1,209 HAS_CLAUSE, 1,189 PART_OF and 200 INCORPORATED_INTO", rels)
	}
	xwWantLineage(t, b, map[string]string{
		"nist-sp800-53r5:ac-2.10 nist-sp800-53r5:ac-2":   "incorporated-into", // href #ac-2_smt.k, a part of AC-2
		"nist-sp800-53r5:ac-3.6 nist-sp800-53r5:mp-4":    "incorporated-into",
		"nist-sp800-53r5:ac-3.6 nist-sp800-53r5:sc-28":   "incorporated-into",
		"nist-sp800-53r5:sa-12 nist-sp800-53r5:sr":       "incorporated-into", // href #sr, the family
		"nist-sp800-53r5:sa-19 nist-sp800-53r5:sr-11":    "moved-to",
		"nist-sp800-53r5:au-8.1 nist-sp800-53r5:sc-45.1": "moved-to",
	})
	if len(b.Warnings) != 0 {
		t.Errorf("warnings %v, want none", b.Warnings)
	}

	g := xwNode(t, b, model.LabelGuideline, "nist-sp800-53r5")
	if g.Props["version"] != "5.0.1" || g.Props["publisher"] != "NIST" || g.Props["source"] != "NIST_SP-800-53_rev5_catalog.json" ||
		!strings.HasPrefix(g.Props["title"].(string), "NIST Special Publication 800-53 Revision 5") {
		t.Errorf("guideline props = %v", g.Props)
	}
	for _, tt := range []struct {
		id, key string
		want    any
	}{
		{"nist-sp800-53r5:ac", "kind", "group"},
		{"nist-sp800-53r5:ac", "ref", "AC"},
		{"nist-sp800-53r5:ac", "title", "Access Control"},
		{"nist-sp800-53r5:ac-2", "ref", "AC-2"},
		{"nist-sp800-53r5:ac-2", "parentId", "nist-sp800-53r5:ac"},
		{"nist-sp800-53r5:ac-2.1", "kind", "enhancement"},
		{"nist-sp800-53r5:ac-2.1", "ref", "AC-2(1)"},
		{"nist-sp800-53r5:ac-2.1", "parentId", "nist-sp800-53r5:ac-2"},
		{"nist-sp800-53r5:ac-2.1", "guidelineId", "nist-sp800-53r5"},
		{"nist-sp800-53r5:ac-2.10", "withdrawn", true},
		{"nist-sp800-53r5:ac-2.1", "withdrawn", false},
	} {
		if got := xwNode(t, b, model.LabelClause, tt.id).Props[tt.key]; got != tt.want {
			t.Errorf("%s %s = %v, want %v", tt.id, tt.key, got, tt.want)
		}
	}
	text := xwNode(t, b, model.LabelClause, "nist-sp800-53r5:ac-2").Props["text"].(string)
	for _, want := range []string{
		"a. Define and document the types of accounts allowed",
		"\nc. Require [Assignment: organization-defined prerequisites and criteria] for group and role membership;",
		"\nd. Specify:\n  1. Authorized users of the system;",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("AC-2 text lacks %q:\n%s", want, text)
		}
	}
	for _, n := range b.Nodes {
		if s, _ := n.Props["text"].(string); strings.Contains(s, "{{") {
			t.Fatalf("%s text keeps a parameter placeholder: %s", n.ID, s)
		}
	}
}

func TestParseOSCALCatalogCSF(t *testing.T) {
	t.Parallel()
	data := xwData(t, "nist-csf2-to-sp800-53r5-oscal-mapping", "NIST_CSF_v2.0.catalog.json")
	b, err := ingest.Parse("NIST_CSF_v2.0.catalog.json", data, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != ingest.FormatOSCALCatalog {
		t.Errorf("format %q, want %q", b.Format, ingest.FormatOSCALCatalog)
	}
	xwCheckShape(t, b, false)
	// SOURCE.md: 12 top-level groups (each of the 6 function ids twice),
	// 185 subcategory controls, 79 of them withdrawn CSF 1.1 ids.
	var raw struct {
		Catalog struct {
			Groups []struct {
				ID     string            `json:"id"`
				Groups []json.RawMessage `json:"groups"`
			} `json:"groups"`
		} `json:"catalog"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	categories := 0
	for _, g := range raw.Catalog.Groups {
		categories += len(g.Groups)
	}
	if len(raw.Catalog.Groups) != 12 || categories != 34 {
		t.Fatalf("the file has %d top-level groups and %d categories; SOURCE.md says 12 top-level groups", len(raw.Catalog.Groups), categories)
	}
	s := xwClauses(b)
	if s.kinds["group"] != 6+categories || s.kinds["control"] != 185 || s.kinds["enhancement"] != 0 {
		t.Errorf("clause kinds %v, want 6 merged functions + %d categories as groups and 185 controls", s.kinds, categories)
	}
	if s.withdrawn != 79 {
		t.Errorf("%d withdrawn clauses, want 79", s.withdrawn)
	}
	if s.topLevel != 6 {
		t.Errorf("%d top-level clauses, want the 6 functions", s.topLevel)
	}
	merged := 0
	for _, w := range b.Warnings {
		if strings.Contains(w.Message, "the two are merged") {
			merged++
		}
	}
	if merged != 6 || len(b.Warnings) != 6 {
		t.Errorf("warnings %v, want one merge warning for each of the 6 repeated functions", b.Warnings)
	}
	// The withdrawn CSF 1.1 ids carry no OSCAL links; their notes name 127
	// clauses ("[Withdrawn: Incorporated into GV.RR-02, GV.SC-02]": 109
	// incorporated into, 17 moved to and 1 moved into), every one found.
	rels := xwRels(b)
	if rels[model.RelHasClause] != 6+categories+185 || rels[model.RelPartOf] != categories+185 || rels[model.RelIncorporatedInto] != 127 {
		t.Errorf("relationships %v, want %d HAS_CLAUSE, %d PART_OF and 127 INCORPORATED_INTO", rels, 6+categories+185, categories+185)
	}
	kinds := map[string]int{}
	for _, r := range b.Rels {
		if r.Type == model.RelIncorporatedInto {
			kinds[r.Props["kind"].(string)]++
		}
	}
	if kinds["incorporated-into"] != 109 || kinds["moved-to"] != 18 {
		t.Errorf("INCORPORATED_INTO by kind %v, want 109 incorporated-into and 18 moved-to", kinds)
	}
	xwWantLineage(t, b, map[string]string{
		"nist-csf-2.0:id.am-06 nist-csf-2.0:gv.rr-02": "incorporated-into",
		"nist-csf-2.0:id.am-06 nist-csf-2.0:gv.sc-02": "incorporated-into",
		"nist-csf-2.0:id.gv-01 nist-csf-2.0:gv.po":    "incorporated-into", // a category
		"nist-csf-2.0:id.gv-01 nist-csf-2.0:gv.po-01": "incorporated-into",
	})
	g := xwNode(t, b, model.LabelGuideline, "nist-csf-2.0")
	if g.Props["version"] != "2.0" || g.Props["publisher"] != "NIST" {
		t.Errorf("guideline props = %v", g.Props)
	}
	for _, tt := range []struct {
		id, key string
		want    any
	}{
		{"nist-csf-2.0:gv", "ref", "GV"},
		{"nist-csf-2.0:gv", "title", "GOVERN (GV): The organization's cybersecurity risk management strategy, expectations, and policy are established, communicated, and monitored"},
		{"nist-csf-2.0:gv.oc", "parentId", "nist-csf-2.0:gv"},
		{"nist-csf-2.0:gv.oc-01", "ref", "GV.OC-01"},
		{"nist-csf-2.0:gv.oc-01", "kind", "control"},
		{"nist-csf-2.0:gv.oc-01", "text", "The organizational mission is understood and informs cybersecurity risk management"},
		{"nist-csf-2.0:gv.oc-01", "withdrawn", false},
		{"nist-csf-2.0:id.be-01", "withdrawn", true},
	} {
		if got := xwNode(t, b, model.LabelClause, tt.id).Props[tt.key]; got != tt.want {
			t.Errorf("%s %s = %v, want %v", tt.id, tt.key, got, tt.want)
		}
	}
}

func TestParseOSCALCatalogTiny(t *testing.T) {
	t.Parallel()
	b, err := ingest.ParseOSCALCatalog("oscal_catalog_tiny.json", xwTestdata(t, "oscal_catalog_tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	xwCheckShape(t, b, false)
	xwGolden(t, "oscal_catalog_tiny.json", b)
	for _, tt := range []struct {
		name, id, key string
		want          any
	}{
		{"FlattenedStatement", "nist-sp800-53r5:ac-2", "text", "a. Define the types of accounts;\n" +
			"b. Require [Assignment: organization-defined prerequisites and criteria] for group membership;\n" +
			"c. Specify:\n  1. Authorized users; and\n" +
			"  2. Accounts to [Selection (one or more): disable; remove [Assignment: organization-defined prerequisites and criteria]]."},
		{"UnknownParameter", "nist-sp800-53r5:ac-2.1", "text", "Support the management of system accounts using [Assignment: ac-2.1_prm_1]."},
		{"LabelNotZeroPadded", "nist-sp800-53r5:ac-2.1", "ref", "AC-2(1)"},
		{"WithdrawnByStatus", "nist-sp800-53r5:ac-2.10", "withdrawn", true},
		{"WithdrawnHasNoText", "nist-sp800-53r5:ac-2.10", "text", ""},
		{"WithdrawnByStatement", "nist-sp800-53r5:id.be-01", "withdrawn", true},
		{"NestedGroup", "nist-sp800-53r5:gv.oc", "kind", "group"},
		{"RefFromID", "nist-sp800-53r5:gv.oc-01", "ref", "GV.OC-01"},
		{"MergedGroupKeepsFirstTitle", "nist-sp800-53r5:gv", "title", "GOVERN (GV): a CSF-style function group"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := xwNode(t, b, model.LabelClause, tt.id).Props[tt.key]; got != tt.want {
				t.Errorf("%s %s = %q, want %q", tt.id, tt.key, got, tt.want)
			}
		})
	}
	if g := xwNode(t, b, model.LabelGuideline, "nist-sp800-53r5"); g.Props["publisher"] != "NIST" {
		t.Errorf("publisher = %v", g.Props["publisher"])
	}
	xwWarned(t, b, `group id "gv" repeats the group at catalog.groups[1]`)
}

func TestParseOSCALCatalogGuidelineIDs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ title, want string }{
		{"NIST Special Publication 800-53 Revision 5: Security and Privacy Controls", "nist-sp800-53r5"},
		{"NIST SP 800-53 Rev 4", "nist-sp800-53r4"},
		{"NIST Cybersecurity Framework (CSF) v2.0", "nist-csf-2.0"},
		{"Cybersecurity Framework 2.0", "nist-csf-2.0"},
		{"ACME Plant Controls, Edition 3", "acme-plant-controls-edition-3"},
		{"NIST Special Publication 800-53 Revision 5 MODERATE IMPACT BASELINE", "nist-sp800-53r5-moderate"},
		{"NIST SP 800-53 Rev. 5 Privacy Baseline", "nist-sp800-53r5-privacy"},
		{"CSF 2.0 low-impact baseline", "nist-csf-2.0-low"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			doc := `{"catalog": {"metadata": {"title": ` + jsonString(tt.title) + `}, "controls": [{"id": "c-1", "title": "One"}]}}`
			b, err := ingest.ParseOSCALCatalog("t.json", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			xwNode(t, b, model.LabelGuideline, tt.want)
			c := xwNode(t, b, model.LabelClause, tt.want+":c-1")
			if c.Props["kind"] != "control" || c.Props["parentId"] != nil {
				t.Errorf("top-level control props = %v", c.Props)
			}
		})
	}
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestParseOSCALCatalogErrors(t *testing.T) {
	t.Parallel()
	tiny := string(xwTestdata(t, "oscal_catalog_tiny.json"))
	real := xwData(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	cut := len(real) * 2 / 3
	for _, tt := range []struct {
		name, in string
		line     int
		path     string
		msg      string
	}{
		{"TruncatedRealCatalog", string(real[:cut]), strings.Count(string(real[:cut]), "\n") + 1, "", "truncated"},
		{"NotACatalog", `{"profile": {}}`, 1, "", "no \"catalog\" object"},
		{"NoTitle", `{"catalog": {"metadata": {"version": "1"}}}`, 1, "catalog", "no metadata.title"},
		{"GroupsNotArray", `{"catalog": {"metadata": {"title": "x"},` + "\n" + `"groups": "ac"}}`, 2, "catalog.groups", "expected an array, found string"},
		{"TitleNotString", strings.Replace(tiny, `"title": "Account Management"`, `"title": ["Account Management"]`, 1), 20, "catalog.groups[0].controls[0].title", "expected a string, found array"},
		{"RepeatedControl", strings.Replace(tiny, `"id": "ac-2.10"`, `"id": "ac-2.1"`, 1), 53, "catalog.groups[0].controls[0].controls[1].id", `control id "ac-2.1" repeats the id of catalog.groups[0].controls[0].controls[0]`},
		{"ControlWithoutID", strings.Replace(tiny, `"id": "gv.oc-01", `, ``, 1), 71, "catalog.groups[1].groups[0].controls[0]", "no id"},
		{"BadIDCharacters", strings.Replace(tiny, `"id": "gv.oc-01"`, `"id": "gv oc/01"`, 1), 71, "catalog.groups[1].groups[0].controls[0].id", "cannot be part of a clause id"},
		{"GroupIDOfAControl", strings.Replace(tiny, `{"id": "gv", "title": "GOVERN (GV)", "groups": []}`, `{"id": "ac-2", "title": "x"}`, 1), 77, "catalog.groups[2].id", "already the id of the control"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ingest.ParseOSCALCatalog("bad.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; batch has %d nodes", len(b.Nodes))
			}
			xwWantError(t, err, "bad.json", tt.line, tt.path, tt.msg)
		})
	}
}

// xwLineageLinks counts the incorporated-into and moved-to links of an
// OSCAL catalog's controls, read without the parser ("other" counts those
// of controls that are not withdrawn).
func xwLineageLinks(t *testing.T, data []byte) map[string]int {
	t.Helper()
	type control struct {
		Props    []struct{ Name, Value string }
		Links    []struct{ Rel string }
		Controls []json.RawMessage
	}
	var doc struct {
		Catalog struct {
			Groups []struct{ Controls []json.RawMessage }
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	var walk func([]json.RawMessage)
	walk = func(raw []json.RawMessage) {
		for _, r := range raw {
			var c control
			if err := json.Unmarshal(r, &c); err != nil {
				t.Fatal(err)
			}
			withdrawn := false
			for _, p := range c.Props {
				withdrawn = withdrawn || (p.Name == "status" && p.Value == "withdrawn")
			}
			for _, l := range c.Links {
				switch {
				case l.Rel != "incorporated-into" && l.Rel != "moved-to":
				case withdrawn:
					out[l.Rel]++
				default:
					out["other"]++
				}
			}
			walk(c.Controls)
		}
	}
	for _, g := range doc.Catalog.Groups {
		walk(g.Controls)
	}
	return out
}

// xwWantLineage checks INCORPORATED_INTO relationships, given as "from to"
// with their kind.
func xwWantLineage(t *testing.T, b *ingest.Batch, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, r := range b.Rels {
		if r.Type == model.RelIncorporatedInto {
			got[r.From+" "+r.To], _ = r.Props["kind"].(string)
		}
	}
	for pair, kind := range want {
		if got[pair] != kind {
			t.Errorf("INCORPORATED_INTO %s: kind %q, want %q", pair, got[pair], kind)
		}
	}
}

func TestParseOSCALCatalogWithdrawnLinks(t *testing.T) {
	t.Parallel()
	const head = `{"catalog": {"metadata": {"title": "ACME Controls"}, "groups": [{"id": "ac", "title": "AC", "controls": [
  {"id": "ac-1", "title": "One", "props": [{"name": "label", "value": "AC-1"}], "parts": [{"id": "ac-1_smt", "name": "statement", "prose": "Do.",
    "parts": [{"id": "ac-1_smt.a", "name": "item", "prose": "a"}]}]},
  {"id": "ac-2", "title": "Two", "props": [{"name": "label", "value": "AC-2"}]},
`
	for _, tt := range []struct {
		name, control string
		want          string // "from to kind" of each INCORPORATED_INTO, sorted
		warn          string
	}{
		{"LinkToPart", `{"id": "ac-9", "props": [{"name": "status", "value": "withdrawn"}], "links": [{"href": "#ac-1_smt.a", "rel": "incorporated-into"}, {"href": "#ac-2", "rel": "moved-to"}]}`,
			"acme-controls:ac-9 acme-controls:ac-1 incorporated-into\nacme-controls:ac-9 acme-controls:ac-2 moved-to", ""},
		{"LinkToNothing", `{"id": "ac-9", "props": [{"name": "status", "value": "withdrawn"}], "links": [{"href": "#zz-1", "rel": "moved-to"}, {"href": "https://example.org", "rel": "incorporated-into"}, {"href": "#ac-1", "rel": "related"}]}`,
			"", `1 moved-to link(s) point at no control`},
		{"RepeatedLink", `{"id": "ac-9", "props": [{"name": "status", "value": "withdrawn"}], "links": [{"href": "#ac-1", "rel": "incorporated-into"}, {"href": "#ac-1_smt", "rel": "incorporated-into"}]}`,
			"acme-controls:ac-9 acme-controls:ac-1 incorporated-into", "1 link(s) of withdrawn clauses repeat an earlier link"},
		{"NoteWithList", `{"id": "ac-9", "parts": [{"id": "ac-9_smt", "name": "statement", "prose": "[Withdrawn: Incorporated into AC-1, AC-2k, and AC Family.]"}]}`,
			"acme-controls:ac-9 acme-controls:ac incorporated-into\nacme-controls:ac-9 acme-controls:ac-1 incorporated-into\nacme-controls:ac-9 acme-controls:ac-2 incorporated-into", ""},
		{"NoteMovedInto", `{"id": "ac-9", "parts": [{"id": "ac-9_smt", "name": "statement", "prose": "[Withdrawn: Moved into AC-2]"}]}`,
			"acme-controls:ac-9 acme-controls:ac-2 moved-to", ""},
		{"NoteNamingNothing", `{"id": "ac-9", "parts": [{"id": "ac-9_smt", "name": "statement", "prose": "[Withdrawn: Incorporated into ZZ-4 and AC-9.]"}]}`,
			"", "1 reference(s) of withdrawn clauses"},
		{"NoteWithoutClause", `{"id": "ac-9", "parts": [{"id": "ac-9_smt", "name": "statement", "prose": "[Withdrawn: Addressed through tailoring.]"}]}`, "", ""},
		{"NotWithdrawnNoteIgnored", `{"id": "ac-9", "parts": [{"id": "ac-9_smt", "name": "statement", "prose": "See [Withdrawn: Incorporated into AC-1.]"}]}`, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ingest.ParseOSCALCatalog("t.json", []byte(head+tt.control+"]}]}}"))
			if err != nil {
				t.Fatal(err)
			}
			xwCheckShape(t, b, false)
			var got []string
			for _, r := range b.Rels {
				if r.Type == model.RelIncorporatedInto {
					got = append(got, r.From+" "+r.To+" "+r.Props["kind"].(string))
				}
			}
			slices.Sort(got)
			if strings.Join(got, "\n") != tt.want {
				t.Errorf("INCORPORATED_INTO:\n%s\nwant:\n%s", strings.Join(got, "\n"), tt.want)
			}
			if tt.warn != "" {
				xwWarned(t, b, tt.warn)
			} else if len(b.Warnings) != 0 {
				t.Errorf("warnings %v, want none", b.Warnings)
			}
		})
	}
}

// TestLoadOSCALCatalogWithdrawn loads the real SP 800-53 catalog and reads
// back its withdrawn controls (182, SOURCE.md) and where they went (the
// file's 166 incorporated-into and 34 moved-to links); loading it again
// changes nothing.
func TestLoadOSCALCatalogWithdrawn(t *testing.T) {
	t.Parallel()
	p := neo4jtest.Prefix(t)
	_, b := xwLoad(t, p, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	rows := xwQuery(t, `
MATCH (c:Clause) WHERE c.id STARTS WITH $p
RETURN count(c) AS clauses, count(CASE WHEN c.withdrawn THEN 1 END) AS withdrawn,
       COUNT { MATCH (w:Clause)-[r:INCORPORATED_INTO {kind: 'incorporated-into'}]->(:Clause) WHERE w.id STARTS WITH $p } AS incorporated,
       COUNT { MATCH (w:Clause)-[r:INCORPORATED_INTO {kind: 'moved-to'}]->(:Clause) WHERE w.id STARTS WITH $p } AS moved,
       COUNT { MATCH (w:Clause)-[:INCORPORATED_INTO]->(:Clause) WHERE w.id STARTS WITH $p AND NOT w.withdrawn } AS fromInForce`,
		map[string]any{"p": p})
	if r := rows[0]; r["clauses"] != int64(1209) || r["withdrawn"] != int64(182) || r["incorporated"] != int64(166) || r["moved"] != int64(34) || r["fromInForce"] != int64(0) {
		t.Errorf("stored: %v; want 1,209 clauses, 182 withdrawn, 166 incorporated-into and 34 moved-to, all from withdrawn clauses", r)
	}
	rows = xwQuery(t, `MATCH (:Clause {id: $id})-[r:INCORPORATED_INTO]->(c:Clause) RETURN c.id AS id, r.kind AS kind ORDER BY id`,
		map[string]any{"id": p + "nist-sp800-53r5:ac-3.6"})
	if len(rows) != 2 || rows[0]["id"] != p+"nist-sp800-53r5:mp-4" || rows[1]["id"] != p+"nist-sp800-53r5:sc-28" || rows[0]["kind"] != "incorporated-into" {
		t.Errorf("AC-3(6) went to %v, want MP-4 and SC-28 (incorporated-into)", rows)
	}
	xwUnchanged(t, neo4jtest.Load(t, neo4jtest.PrefixBatch(b, p)))
}
