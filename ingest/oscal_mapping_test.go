package ingest_test

import (
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// xwClauseIDs parses a real catalog and returns its clause ids.
func xwClauseIDs(t *testing.T, folder, file string) map[string]bool {
	t.Helper()
	b, err := ingest.ParseOSCALCatalog(file, xwData(t, folder, file))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, n := range b.Nodes {
		if n.Label == model.LabelClause {
			ids[n.ID] = true
		}
	}
	return ids
}

func TestParseOSCALMappingCSFTo80053(t *testing.T) {
	t.Parallel()
	const folder = "nist-csf2-to-sp800-53r5-oscal-mapping"
	data := xwData(t, folder, "NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json")
	b, err := ingest.Parse("mapping-collection.json", data, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != ingest.FormatOSCALMapping {
		t.Errorf("format %q, want %q", b.Format, ingest.FormatOSCALMapping)
	}
	xwCheckShape(t, b, true)
	if len(b.Nodes) != 0 {
		t.Errorf("%d nodes, want none (clauses come from the catalogs)", len(b.Nodes))
	}
	// SOURCE.md: 106 maps, all superset-of with confidence 100 %, 737
	// source→target pairs, 210 distinct 800-53 targets (17 enhancements),
	// 79 unmapped CSF ids in the source-gap-summary.
	if n := xwRels(b)[model.RelMapsTo]; n != 737 || len(b.Rels) != 737 {
		t.Errorf("%d MAPS_TO of %d relationships, want 737", n, len(b.Rels))
	}
	sources, targets, enhancements := map[string]bool{}, map[string]bool{}, map[string]bool{}
	csf := xwClauseIDs(t, folder, "NIST_CSF_v2.0.catalog.json")
	// The crosswalk follows SP 800-53 release 5.2.0 (OLIR reference
	// "…-Rev-5-2-0"), the shared catalog is release 5.0.1: four targets added
	// since (IA-13, SA-15(13), SA-24, SI-2(7)) are not in it, in 8 pairs.
	missing := map[string]int{}
	sp := xwClauseIDs(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	for _, r := range b.Rels {
		sources[r.From] = true
		targets[r.To] = true
		if strings.Contains(strings.TrimPrefix(r.To, "nist-sp800-53r5:"), ".") {
			enhancements[r.To] = true
		}
		if !csf[r.From] {
			t.Errorf("source %s (at %s) is not a clause of the CSF 2.0 catalog", r.From, r.Where)
		}
		if !sp[r.To] {
			missing[r.To]++
		}
		if r.Props["relationship"] != "SUPERSET_OF" || r.Props["rationale"] != "SEMANTIC" || r.Props["confidence"] != 1.0 ||
			r.Props["source"] != "NIST_CSF_v2.0 to NIST_SP-800-53_rev5" {
			t.Fatalf("props of %s → %s = %v", r.From, r.To, r.Props)
		}
		if _, ok := r.Props["coverage"]; ok {
			t.Fatalf("coverage %v, but the file states none", r.Props["coverage"])
		}
		if !strings.HasPrefix(r.Where, "mapping-collection.mappings[0].maps[") || !strings.Contains(r.Where, "].targets[") {
			t.Fatalf("where = %q", r.Where)
		}
		if !strings.Contains(r.Hint, "nist-csf-2.0") || !strings.Contains(r.Hint, "nist-sp800-53r5") {
			t.Fatalf("hint = %q", r.Hint)
		}
	}
	wantMissing := map[string]int{"nist-sp800-53r5:ia-13": 2, "nist-sp800-53r5:sa-15.13": 2, "nist-sp800-53r5:sa-24": 3, "nist-sp800-53r5:si-2.7": 1}
	if len(missing) != len(wantMissing) {
		t.Errorf("targets missing from the 5.0.1 catalog: %v, want %v", missing, wantMissing)
	}
	for id, n := range wantMissing {
		if missing[id] != n {
			t.Errorf("target %s missing from the catalog in %d pairs, want %d", id, missing[id], n)
		}
	}
	if len(sources) != 106 || len(targets) != 210 || len(enhancements) != 17 {
		t.Errorf("%d sources, %d targets, %d enhancement targets; want 106, 210, 17", len(sources), len(targets), len(enhancements))
	}
	if b.Rels[0].From != "nist-csf-2.0:de.ae-02" || b.Rels[0].To != "nist-sp800-53r5:au-6" || b.Rels[0].Where != "mapping-collection.mappings[0].maps[0].targets[0]" {
		t.Errorf("first relationship = %+v", b.Rels[0])
	}
	xwWarned(t, b, "79 source controls of nist-csf-2.0 are listed as unmapped")
	if len(b.Warnings) != 1 {
		t.Errorf("warnings %v, want only the source-gap-summary", b.Warnings)
	}
}

func TestParseOSCALMappingTiny(t *testing.T) {
	t.Parallel()
	b, err := ingest.ParseOSCALMapping("oscal_mapping_tiny.json", xwTestdata(t, "oscal_mapping_tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	xwCheckShape(t, b, true)
	xwGolden(t, "oscal_mapping_tiny.json", b)
	got := map[string]ingest.Rel{}
	for _, r := range b.Rels {
		got[r.From+" "+r.To] = r
	}
	for _, tt := range []struct {
		name, pair, key string
		want            any
	}{
		{"Relationship", "nist-csf-2.0:de.ae-02 nist-sp800-53r5:au-6", "relationship", "SUPERSET_OF"},
		{"RationaleFromProvenance", "nist-csf-2.0:de.ae-02 nist-sp800-53r5:au-6", "rationale", "SEMANTIC"},
		{"ConfidenceFraction", "nist-csf-2.0:de.ae-02 nist-sp800-53r5:au-6", "confidence", 1.0},
		{"EnhancementNormalised", "nist-csf-2.0:de.ae-02 nist-sp800-53r5:ac-2.1", "relationship", "SUPERSET_OF"},
		{"RationaleOfTheMap", "nist-csf-2.0:gv.oc-02 nist-sp800-53r5:pm-11", "rationale", "FUNCTIONAL"},
		{"ConfidencePercent", "nist-csf-2.0:gv.oc-01 nist-sp800-53r5:pm-11", "confidence", 0.8},
		{"Coverage", "nist-csf-2.0:gv.oc-01 nist-sp800-53r5:pm-11", "coverage", 0.5},
		{"Source", "nist-csf-2.0:gv.oc-01 nist-sp800-53r5:pm-11", "source", "Tiny CSF 2.0 to SP 800-53 mapping"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := got[tt.pair]
			if !ok {
				t.Fatalf("no MAPS_TO %s", tt.pair)
			}
			if r.Props[tt.key] != tt.want {
				t.Errorf("%s = %v, want %v", tt.key, r.Props[tt.key], tt.want)
			}
		})
	}
	if len(b.Rels) != 4 {
		t.Errorf("%d relationships, want 4 (2 + 2×1; the statement target and the repeated pair skipped)", len(b.Rels))
	}
	if r := got["nist-csf-2.0:gv.oc-02 nist-sp800-53r5:pm-11"]; r.Where != "mapping-collection.mappings[0].maps[1].targets[0]" {
		t.Errorf("where = %q", r.Where)
	}
	xwWarned(t, b, "3 source controls of nist-csf-2.0 are listed as unmapped")
	xwWarned(t, b, `1 item(s) of type "statement" skipped`)
	xwWarned(t, b, "1 pair(s) skipped: the same source and target are mapped earlier")
}

func TestParseOSCALMappingErrors(t *testing.T) {
	t.Parallel()
	tiny := string(xwTestdata(t, "oscal_mapping_tiny.json"))
	real := xwData(t, "nist-csf2-to-sp800-53r5-oscal-mapping", "NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json")
	cut := len(real) / 3
	for _, tt := range []struct {
		name, in string
		line     int
		path     string
		msg      string
	}{
		{"TruncatedRealMapping", string(real[:cut]), strings.Count(string(real[:cut]), "\n") + 1, "", "truncated"},
		{"NotAMappingCollection", `{"catalog": {}}`, 1, "", "no \"mapping-collection\""},
		{"UnknownRelationship", strings.Replace(tiny, `"relationship": "equal-to"`, `"relationship": "kind-of"`, 1), 30, "mapping-collection.mappings[0].maps[2].relationship", `unknown relationship "kind-of"`},
		{"NoRelationship", strings.Replace(tiny, `"relationship": "equal-to",`, ``, 1), 28, "mapping-collection.mappings[0].maps[2].relationship", "no relationship"},
		{"UnknownRationale", strings.Replace(tiny, `"matching-rationale": "functional"`, `"matching-rationale": "gut feeling"`, 1), 22, "mapping-collection.mappings[0].maps[1].matching-rationale", "unknown matching-rationale"},
		{"ConfidenceOver100", strings.Replace(tiny, `"percentage": 80`, `"percentage": 180`, 1), 25, "mapping-collection.mappings[0].maps[1].confidence-score.percentage", "not a fraction"},
		{"ConfidenceNotNumber", strings.Replace(tiny, `"percentage": 80`, `"percentage": "80%"`, 1), 25, "mapping-collection.mappings[0].maps[1].confidence-score.percentage", "expected a number, found string"},
		{"UnknownCatalog", strings.Replace(tiny, `catalogs/NIST_CSF_v2.0/catalog.json`, `catalogs/ACME/catalog.json`, 1), 9, "mapping-collection.mappings[0].source-resource.href", "cannot tell which catalog"},
		{"NoTargetResource", strings.Replace(tiny, `"target-resource": {"type": "catalog", "href": "#00000000-0000-4000-8000-0000000000aa"},`, ``, 1), 7, "mapping-collection.mappings[0].target-resource", "no resource reference"},
		{"BadIDRef", strings.Replace(tiny, `"id-ref": "au-6"}, {`, `"id-ref": "au 6!"}, {`, 1), 16, "mapping-collection.mappings[0].maps[0].targets[0].id-ref", "not a control id"},
		{"MissingIDRef", strings.Replace(tiny, `{"type": "control", "id-ref": "de.ae-02"}],
            "targets": [{"type": "control", "id-ref": "au-6"}, {`, `{"type": "control"}],
            "targets": [{"type": "control", "id-ref": "au-6"}, {`, 1), 15, "mapping-collection.mappings[0].maps[0].sources[0].id-ref", "no id-ref"},
		{"TargetsNotArray", `{"mapping-collection": {"mappings": [{"source-resource": {"href": "csf 2.0"}, "target-resource": {"href": "800-53"},` + "\n" + `"maps": [{"relationship": "equal-to", "targets": {}}]}]}}`, 2, "mapping-collection.mappings[0].maps[0].targets", "expected an array, found object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ingest.ParseOSCALMapping("bad.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; batch has %d relationships", len(b.Rels))
			}
			xwWantError(t, err, "bad.json", tt.line, tt.path, tt.msg)
		})
	}
}
