package ingest_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// xwHighBaseline is the real SP 800-53 Rev. 5 HIGH baseline profile.
const xwHighBaseline = "NIST_SP-800-53_rev5_HIGH-baseline_profile.json"

// xwProfileIDs reads the control ids a profile's one import includes,
// without the parser.
func xwProfileIDs(t *testing.T, data []byte) []string {
	t.Helper()
	var doc struct {
		Profile struct {
			Imports []struct {
				IncludeControls []struct {
					WithIDs []string `json:"with-ids"`
				} `json:"include-controls"`
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Profile.Imports) != 1 {
		t.Fatalf("%d imports, SOURCE.md says 1", len(doc.Profile.Imports))
	}
	var ids []string
	for _, ic := range doc.Profile.Imports[0].IncludeControls {
		ids = append(ids, ic.WithIDs...)
	}
	return ids
}

// TestParseOSCALProfileHighBaseline reads the real HIGH baseline: a
// guideline of its own, nist-sp800-53r5-high, with a clause per selected
// control (370, SOURCE.md), each mapped EQUAL_TO the full catalog's clause
// of the same id, every one of which the catalog has.
func TestParseOSCALProfileHighBaseline(t *testing.T) {
	t.Parallel()
	data := xwData(t, "nist-sp800-53r5-oscal", xwHighBaseline)
	b, err := ingest.Parse(xwHighBaseline, data, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != ingest.FormatOSCALProfile {
		t.Fatalf("format %q, want %q", b.Format, ingest.FormatOSCALProfile)
	}
	xwCheckShape(t, b, true)
	ids := xwProfileIDs(t, data)
	enhancements := 0
	for _, id := range ids {
		if strings.Contains(id, ".") {
			enhancements++
		}
	}
	// Measured: 188 controls and 182 enhancements, each enhancement with
	// its control in the baseline.
	if len(ids) != 370 || enhancements != 182 {
		t.Fatalf("the profile lists %d ids, %d of them enhancements; want 370 (SOURCE.md) and 182", len(ids), enhancements)
	}
	nodes, rels := xwNodes(b), xwRels(b)
	if nodes[model.LabelGuideline] != 1 || nodes[model.LabelClause] != 370 || len(nodes) != 2 {
		t.Errorf("nodes %v, want 1 guideline and 370 clauses", nodes)
	}
	if rels[model.RelHasClause] != 370 || rels[model.RelMapsTo] != 370 || rels[model.RelPartOf] != enhancements || len(rels) != 3 {
		t.Errorf("relationships %v, want 370 HAS_CLAUSE, 370 MAPS_TO and %d PART_OF", rels, enhancements)
	}
	g := xwNode(t, b, model.LabelGuideline, "nist-sp800-53r5-high")
	if g.Props["title"] != "NIST Special Publication 800-53 Revision 5 HIGH IMPACT BASELINE" || g.Props["version"] != "Final" || g.Props["source"] != xwHighBaseline {
		t.Errorf("guideline props %v", g.Props)
	}
	catalog := xwClauseIDs(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	for _, r := range b.Rels {
		if r.Type != model.RelMapsTo {
			continue
		}
		if !catalog[r.To] || r.From != "nist-sp800-53r5-high:"+strings.TrimPrefix(r.To, "nist-sp800-53r5:") {
			t.Fatalf("MAPS_TO %s → %s: not the same control of the full catalog", r.From, r.To)
		}
		if r.Props["relationship"] != "EQUAL_TO" || r.Props["rationale"] != "SYNTACTIC" || r.Props["confidence"] != 1.0 || !strings.Contains(r.Hint, "nist-sp800-53r5)") {
			t.Fatalf("MAPS_TO %s → %s: props %v, hint %q", r.From, r.To, r.Props, r.Hint)
		}
		xwWantPairwise(t, r)
	}
	for id, want := range map[string]map[string]any{
		"nist-sp800-53r5-high:ac-2":   {"ref": "AC-2", "kind": "control", "guidelineId": "nist-sp800-53r5-high"},
		"nist-sp800-53r5-high:ac-2.1": {"ref": "AC-2(1)", "kind": "enhancement", "parentId": "nist-sp800-53r5-high:ac-2"},
	} {
		n := xwNode(t, b, model.LabelClause, id)
		for k, v := range want {
			if n.Props[k] != v {
				t.Errorf("%s %s = %v, want %v", id, k, n.Props[k], v)
			}
		}
		if _, ok := n.Props["title"]; ok {
			t.Errorf("%s has a title %v; a profile names controls only", id, n.Props["title"])
		}
	}
	if len(b.Warnings) != 0 {
		t.Errorf("warnings %v, want none", b.Warnings)
	}
}

func TestParseOSCALProfileTiny(t *testing.T) {
	t.Parallel()
	b, err := ingest.ParseOSCALProfile("oscal_profile_tiny.json", xwTestdata(t, "oscal_profile_tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	xwCheckShape(t, b, true)
	xwGolden(t, "oscal_profile_tiny.json", b)
	var clauses []string
	for _, n := range b.Nodes[1:] {
		clauses = append(clauses, n.ID)
	}
	// AC-2(10) normalised; AC-2 given twice once; AC-3 excluded, so
	// AC-3(4) has no parent in the baseline.
	if want := "nist-sp800-53r5-moderate:ac-2 nist-sp800-53r5-moderate:ac-2.1 nist-sp800-53r5-moderate:ac-2.10 nist-sp800-53r5-moderate:ac-3.4"; strings.Join(clauses, " ") != want {
		t.Errorf("clauses %v, want %s", clauses, want)
	}
	if p, ok := xwNode(t, b, model.LabelClause, "nist-sp800-53r5-moderate:ac-3.4").Props["parentId"]; ok {
		t.Errorf("AC-3(4) has parent %v, but AC-3 is excluded", p)
	}
	xwWarned(t, b, "1 control alteration(s) (tailoring) are not represented")
}

func TestParseOSCALProfileErrors(t *testing.T) {
	t.Parallel()
	tiny := string(xwTestdata(t, "oscal_profile_tiny.json"))
	for _, tt := range []struct {
		name, in string
		line     int
		path     string
		msg      string
	}{
		{"NotAProfile", `{"catalog": {}}`, 1, "", `no "profile" object`},
		{"NoTitle", `{"profile": {"metadata": {}, "imports": []}}`, 1, "profile", "no metadata.title"},
		{"NoImports", `{"profile": {"metadata": {"title": "x"}}}`, 1, "profile", "imports no catalog"},
		{"UnknownCatalog", strings.Replace(tiny, `"href": "#00000000-0000-4000-8000-2000000000aa"`, `"href": "acme.json"`, 1), 11, "profile.imports[0].href", "cannot tell which catalog"},
		{"IncludeAll", strings.Replace(tiny, `"include-controls": [`, `"include-all": {}, "include-controls": [`, 1), 12, "profile.imports[0].include-all", "resolved profile catalog"},
		{"IncludeMatching", strings.Replace(tiny, `{"with-ids": ["ac-3"]}`+"\n", `{"matching": [{"pattern": "ac-*"}]}`+"\n", 1), 14, "profile.imports[0].include-controls[1].matching", "selected by pattern"},
		{"ExcludeMatching", strings.Replace(tiny, `[{"with-ids": ["ac-3"]}]`, `[{"matching": [{"pattern": "ac-*"}]}]`, 1), 16, "profile.imports[0].exclude-controls[0].matching", "excluded by pattern"},
		{"BadID", strings.Replace(tiny, `"ac-3.4"`, `"ac 3/4"`, 1), 13, "profile.imports[0].include-controls[0].with-ids[3]", "not a control id"},
		{"NoSelection", strings.Replace(tiny, `"include-controls"`, `"x-include"`, 1), 10, "profile.imports[0]", "selects no controls"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ingest.ParseOSCALProfile("bad.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; batch has %d nodes", len(b.Nodes))
			}
			xwWantError(t, err, "bad.json", tt.line, tt.path, tt.msg)
		})
	}
}

func FuzzParseOSCALProfile(f *testing.F) { xwFuzz(f, "oscal_profile_", ingest.ParseOSCALProfile) }

// TestLoadOSCALProfileHighBaseline loads the real HIGH baseline: alone it
// fails, naming the catalog to load first, and writes nothing; after the
// catalog it is a guideline of its own whose 370 clauses map EQUAL_TO the
// catalog's, and the catalog's guideline keeps its title, version and
// clauses. Loading it again changes nothing.
func TestLoadOSCALProfileHighBaseline(t *testing.T) {
	t.Parallel()
	p := neo4jtest.Prefix(t)
	profile := neo4jtest.PrefixBatch(xwParse(t, "nist-sp800-53r5-oscal", xwHighBaseline), p)
	_, err := neo4jtest.Open(t).LoadBatch(t.Context(), profile, false)
	if e, ok := errors.AsType[*ingest.Error](err); !ok || !strings.Contains(e.Error(), "ingest the NIST SP 800-53 Rev. 5 OSCAL catalog (guideline nist-sp800-53r5) first") {
		t.Errorf("loading the profile before its catalog: %v; want an *ingest.Error naming the catalog", err)
	}
	if n := neo4jtest.Count(t, p); n != 0 {
		t.Fatalf("the failed load wrote %d nodes", n)
	}

	xwLoad(t, p, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	rep := neo4jtest.Load(t, profile)
	if rep.Nodes[model.LabelClause].Created != 370 || rep.Nodes[model.LabelGuideline].Created != 1 || rep.Rels[model.RelMapsTo].Created != 370 || len(rep.Warnings) != 0 {
		t.Errorf("report: nodes %v, relationships %v, warnings %v; want 1 guideline, 370 clauses and 370 MAPS_TO created, no warning", rep.Nodes, rep.Rels, rep.Warnings)
	}
	rows := xwQuery(t, `
MATCH (g:Guideline) WHERE g.id IN [$full, $high]
RETURN g.id AS id, g.title AS title, g.version AS version,
       COUNT { (g)-[:HAS_CLAUSE]->(:Clause) } AS clauses,
       COUNT { (g)-[:HAS_CLAUSE]->(c:Clause)-[m:MAPS_TO {relationship: 'EQUAL_TO'}]->(d:Clause)<-[:HAS_CLAUSE]-(:Guideline {id: $full}) WHERE c.ref = d.ref } AS equal
ORDER BY id`, map[string]any{"full": p + "nist-sp800-53r5", "high": p + "nist-sp800-53r5-high"})
	if len(rows) != 2 {
		t.Fatalf("guidelines %v, want the catalog and the baseline", rows)
	}
	full, high := rows[0], rows[1]
	if full["version"] != "5.0.1" || !strings.HasPrefix(full["title"].(string), "NIST Special Publication 800-53 Revision 5:") || full["clauses"] != int64(1209) || full["equal"] != int64(0) {
		t.Errorf("the full catalog: %v; want version 5.0.1, its own title and 1,209 clauses", full)
	}
	if high["title"] != "NIST Special Publication 800-53 Revision 5 HIGH IMPACT BASELINE" || high["version"] != "Final" || high["clauses"] != int64(370) || high["equal"] != int64(370) {
		t.Errorf("the baseline: %v; want its own title, version Final and 370 clauses, each EQUAL_TO the catalog's of the same ref", high)
	}
	xwUnchanged(t, neo4jtest.Load(t, profile))
}

// xwResolvedBaseline builds what resolving the HIGH baseline gives: the
// real catalog with only the controls the profile selects, under the
// profile's title (NIST publishes such "resolved profile catalogs"; the
// shared data has the profile only).
func xwResolvedBaseline(t *testing.T) []byte {
	t.Helper()
	selected := map[string]bool{}
	for _, id := range xwProfileIDs(t, xwData(t, "nist-sp800-53r5-oscal", xwHighBaseline)) {
		selected[id] = true
	}
	var doc map[string]any
	if err := json.Unmarshal(xwData(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json"), &doc); err != nil {
		t.Fatal(err)
	}
	cat := doc["catalog"].(map[string]any)
	cat["metadata"].(map[string]any)["title"] = "NIST Special Publication 800-53 Revision 5 HIGH IMPACT BASELINE"
	var keep func(controls []any) []any
	keep = func(controls []any) []any {
		var out []any
		for _, c := range controls {
			m := c.(map[string]any)
			if !selected[m["id"].(string)] {
				continue
			}
			if sub, ok := m["controls"].([]any); ok {
				m["controls"] = keep(sub)
			}
			out = append(out, m)
		}
		return out
	}
	var groups []any
	for _, g := range cat["groups"].([]any) {
		m := g.(map[string]any)
		if cs := keep(m["controls"].([]any)); len(cs) > 0 {
			m["controls"] = cs
			groups = append(groups, m)
		}
	}
	cat["groups"] = groups
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestResolvedBaselineCatalog reads a resolved HIGH baseline catalog: it is
// guideline nist-sp800-53r5-high, not the full catalog, its 370 controls
// and enhancements map EQUAL_TO the full catalog's (its families, which
// hold some of a family's controls, do not), and ingest orders it after
// the full catalog. Loaded after the catalog, it leaves the catalog as it
// was; the profile loaded after it keeps the resolved clauses' titles and
// texts, and says that it changes the guideline's version.
func TestResolvedBaselineCatalog(t *testing.T) {
	t.Parallel()
	resolved := xwResolvedBaseline(t)
	b, err := ingest.Parse("high-resolved.json", resolved, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	xwCheckShape(t, b, true)
	s := xwClauses(b)
	rels := xwRels(b)
	// Measured: the HIGH baseline draws on 18 of the 20 families (none of
	// PM, program management, and PT, PII processing).
	if s.kinds["control"] != 188 || s.kinds["enhancement"] != 182 || s.kinds["group"] != 18 || rels[model.RelMapsTo] != 370 {
		t.Errorf("clauses %v and relationships %v; want 188 controls, 182 enhancements, 18 families and 370 MAPS_TO", s.kinds, rels)
	}
	xwNode(t, b, model.LabelGuideline, "nist-sp800-53r5-high")
	for _, r := range b.Rels {
		if r.Type == model.RelMapsTo && (r.Props["relationship"] != "EQUAL_TO" || r.To != "nist-sp800-53r5:"+strings.TrimPrefix(r.From, "nist-sp800-53r5-high:")) {
			t.Fatalf("MAPS_TO %s → %s %v", r.From, r.To, r.Props)
		}
	}
	full := xwData(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	var order []string
	for _, f := range ingest.Order([]ingest.File{{Name: "resolved", Data: resolved}, {Name: "profile", Data: xwData(t, "nist-sp800-53r5-oscal", xwHighBaseline)}, {Name: "full", Data: full}}) {
		order = append(order, f.Name)
	}
	if strings.Join(order, " ") != "full resolved profile" {
		t.Errorf("load order %v, want the full catalog first", order)
	}

	p := neo4jtest.Prefix(t)
	xwLoad(t, p, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	rep := neo4jtest.Load(t, neo4jtest.PrefixBatch(b, p))
	if rep.Nodes[model.LabelGuideline].Created != 1 || rep.Nodes[model.LabelClause].Created != 370+18 || len(rep.Warnings) != 0 {
		t.Errorf("the resolved baseline: nodes %v, warnings %v; want a new guideline and 388 new clauses", rep.Nodes, rep.Warnings)
	}
	rep = neo4jtest.Load(t, neo4jtest.PrefixBatch(xwParse(t, "nist-sp800-53r5-oscal", xwHighBaseline), p))
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0].Message, `version "5.0.1" → "Final"`) || rep.Warnings[0].Location != "guideline "+p+"nist-sp800-53r5-high" {
		t.Errorf("the profile after its resolved catalog: warnings %v, want one naming the version change", rep.Warnings)
	}
	rows := xwQuery(t, `MATCH (c:Clause {id: $id}) RETURN c.title AS title, c.text AS text`, map[string]any{"id": p + "nist-sp800-53r5-high:ac-2"})
	if len(rows) != 1 || rows[0]["title"] != "Account Management" || !strings.HasPrefix(rows[0]["text"].(string), "a. Define and document") {
		t.Errorf("AC-2 of the baseline after the profile: %v; want the resolved catalog's title and text kept", rows)
	}
	if n := xwQuery(t, `MATCH (g:Guideline {id: $id}) RETURN g.version AS v`, map[string]any{"id": p + "nist-sp800-53r5"}); n[0]["v"] != "5.0.1" {
		t.Errorf("the full catalog's version became %v", n[0]["v"])
	}
}

// TestLoadWarnsWhenAGuidelineChangesIdentity loads two documents that
// claim one guideline id: the second load goes through, and its report
// names the title and version it replaces (a dry run says the same).
func TestLoadWarnsWhenAGuidelineChangesIdentity(t *testing.T) {
	t.Parallel()
	p := neo4jtest.Prefix(t)
	neo4jtest.Load(t, neo4jtest.PrefixBatch(xwParseTestdata(t, "oscal_catalog_tiny.json"), p))
	other := strings.NewReplacer(`"title": "NIST Special Publication 800-53 Revision 5 (tiny excerpt for tests)"`, `"title": "NIST SP 800-53 Rev. 5, release 5.1.1 (tiny)"`,
		`"version": "5.0.1"`, `"version": "5.1.1"`).Replace(string(xwTestdata(t, "oscal_catalog_tiny.json")))
	b, err := ingest.ParseOSCALCatalog("release-5.1.1.json", []byte(other))
	if err != nil {
		t.Fatal(err)
	}
	b = neo4jtest.PrefixBatch(b, p)
	want := `this document changes the stored guideline's title "NIST Special Publication 800-53 Revision 5 (tiny excerpt for tests)" → "NIST SP 800-53 Rev. 5, release 5.1.1 (tiny)" and version "5.0.1" → "5.1.1"`
	for _, dry := range []bool{true, false} {
		rep, err := neo4jtest.Open(t).LoadBatch(t.Context(), b, dry)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Warnings) == 0 || !strings.HasPrefix(rep.Warnings[0].Message, want) || rep.Warnings[0].Location != "guideline "+p+"nist-sp800-53r5" {
			t.Errorf("dry run %v: warnings %v, want first %q", dry, rep.Warnings, want)
		}
	}
	rows := xwQuery(t, `MATCH (g:Guideline {id: $id}) RETURN g.version AS v`, map[string]any{"id": p + "nist-sp800-53r5"})
	if rows[0]["v"] != "5.1.1" {
		t.Errorf("version %v after the load, want 5.1.1", rows[0]["v"])
	}
	if rep := neo4jtest.Load(t, b); slices.ContainsFunc(rep.Warnings, func(w ingest.Warning) bool { return strings.Contains(w.Message, "changes the stored guideline") }) {
		t.Errorf("loading the same document again warns: %v", rep.Warnings)
	}
}
