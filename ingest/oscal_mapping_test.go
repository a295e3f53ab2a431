package ingest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
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
	xwCheckGroups(t, b, data)
}

// xwMap is one map of the real CSF 2.0 → SP 800-53 mapping collection, as
// the file writes it.
type xwMap struct {
	UUID             string
	Sources, Targets []struct {
		IDRef string `json:"id-ref"`
	}
}

// xwMaps reads the maps of the real mapping collection's one mapping
// independently of the parser.
func xwMaps(t *testing.T, data []byte) []xwMap {
	t.Helper()
	var doc struct {
		MC struct {
			Mappings []struct{ Maps []xwMap }
		} `json:"mapping-collection"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.MC.Mappings) != 1 {
		t.Fatalf("%d mappings, SOURCE.md says 1", len(doc.MC.Mappings))
	}
	return doc.MC.Mappings[0].Maps
}

// xwCSFMultiMaps is how many maps of the real CSF 2.0 → SP 800-53 mapping
// collection list several sources or targets (measured: all 95 have one
// source and 2 to 40 targets; the other 11 maps are single pairs).
const xwCSFMultiMaps = 95

// xwCheckGroups checks the group properties of the MAPS_TO of the real
// CSF 2.0 → SP 800-53 mapping collection against the maps the file lists:
// every pair of a map with several sources or targets carries the map's
// uuid and its item counts, every pair of a single-pair map sets them to
// null.
func xwCheckGroups(t *testing.T, b *ingest.Batch, data []byte) {
	t.Helper()
	maps := xwMaps(t, data)
	byUUID := map[string]xwMap{}
	multi := 0
	for _, m := range maps {
		byUUID[m.UUID] = m
		if len(m.Sources) > 1 || len(m.Targets) > 1 {
			multi++
		}
	}
	if multi != xwCSFMultiMaps || len(maps) != 106 {
		t.Errorf("the file has %d maps, %d with several sources or targets; want 106 and %d", len(maps), multi, xwCSFMultiMaps)
	}
	groups := map[string]int{}
	single := 0
	for _, r := range b.Rels {
		var i int
		if _, err := fmt.Sscanf(r.Where, "mapping-collection.mappings[0].maps[%d]", &i); err != nil || i >= len(maps) {
			t.Fatalf("where %q names no map", r.Where)
		}
		m := maps[i]
		if len(m.Sources) == 1 && len(m.Targets) == 1 {
			single++
			xwWantPairwise(t, r)
			continue
		}
		g, _ := r.Props["group"].(string)
		if g != m.UUID || r.Props["groupSources"] != int64(len(m.Sources)) || r.Props["groupTargets"] != int64(len(m.Targets)) {
			t.Fatalf("%s → %s: group %v of %v × %v, want %s of %d × %d", r.From, r.To, r.Props["group"], r.Props["groupSources"],
				r.Props["groupTargets"], m.UUID, len(m.Sources), len(m.Targets))
		}
		groups[g]++
	}
	if len(groups) != xwCSFMultiMaps || single != 106-xwCSFMultiMaps {
		t.Errorf("%d groups and %d single pairs, want %d and %d", len(groups), single, xwCSFMultiMaps, 106-xwCSFMultiMaps)
	}
	// DE.AE-02 superset-of {AU-6, CA-7, IR-4, SI-4}: one group of four.
	const deae02 = "f472e83e-e0df-465a-8a2a-8147aecf43ac"
	if m := byUUID[deae02]; len(m.Sources) != 1 || m.Sources[0].IDRef != "de.ae-02" || len(m.Targets) != 4 || groups[deae02] != 4 {
		t.Errorf("map %s: %+v, %d pairs in its group; want de.ae-02 → au-6, ca-7, ir-4, si-4", deae02, m, groups[deae02])
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

// TestLoadOSCALMappingGroups loads the two real catalogs and the real
// CSF 2.0 → SP 800-53 mapping collection and reads back the groups: the
// pairs of each of the 95 maps with several targets share the map's uuid
// and its item counts, the pairs of single maps carry no group, and loading
// the collection again changes nothing. The CSV crosswalk of the same
// pairs is pairwise: loaded after it, it leaves no group on the pairs it
// writes, and loading the collection once more puts them back.
func TestLoadOSCALMappingGroups(t *testing.T) {
	t.Parallel()
	const folder = "nist-csf2-to-sp800-53r5-oscal-mapping"
	p := neo4jtest.Prefix(t)
	xwLoad(t, p, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	xwLoad(t, p, folder, "NIST_CSF_v2.0.catalog.json")
	rep, b := xwLoad(t, p, folder, "NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json")

	// What the loader keeps: the pairs whose target the 5.0.1 catalog has
	// (8 of the 737 pairs name controls added later, see
	// TestParseOSCALMappingCSFTo80053); measured, 719 of the 729 stored
	// pairs are of the 95 groups and the other 10 of 10 of the 11 single
	// maps.
	sp := xwClauseIDs(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	grouped, single := 0, 0
	for _, r := range b.Rels {
		switch {
		case !sp[r.To]:
		case r.Props["group"] != nil:
			grouped++
		default:
			single++
		}
	}
	if grouped != 719 || single != 10 {
		t.Errorf("the batch has %d grouped and %d single pairs with both ends in the catalogs, want 719 and 10", grouped, single)
	}
	if c := rep.Rels["MAPS_TO"]; c.Created != grouped+single {
		t.Errorf("MAPS_TO %+v, want %d created", c, grouped+single)
	}

	const countGroups = `
MATCH (s:Clause)-[r:MAPS_TO]->(:Clause) WHERE s.id STARTS WITH $p
RETURN count(r) AS edges, count(r.group) AS grouped, count(DISTINCT r.group) AS groups,
       count(r.groupSources) AS withSources, count(r.groupTargets) AS withTargets`
	row := xwQuery(t, countGroups, map[string]any{"p": p})[0]
	if row["edges"] != int64(grouped+single) || row["grouped"] != int64(grouped) || row["groups"] != int64(xwCSFMultiMaps) ||
		row["withSources"] != int64(grouped) || row["withTargets"] != int64(grouped) {
		t.Errorf("stored MAPS_TO: %v; want %d edges, %d of them in %d groups with both counts", row, grouped+single, grouped, xwCSFMultiMaps)
	}

	// DE.AE-02 superset-of {AU-6, CA-7, IR-4, SI-4}: four edges, one group,
	// found through the group index as well as from the clause.
	const deae02 = "f472e83e-e0df-465a-8a2a-8147aecf43ac"
	rows := xwQuery(t, `
MATCH (s:Clause {id: $s})-[r:MAPS_TO]->(t:Clause)
RETURN t.id AS target, r.group AS grp, r.groupSources AS sources, r.groupTargets AS targets, r.relationship AS rel
ORDER BY target`, map[string]any{"s": p + "nist-csf-2.0:de.ae-02"})
	var targets []string
	for _, r := range rows {
		targets = append(targets, strings.TrimPrefix(r["target"].(string), p+"nist-sp800-53r5:"))
		if r["grp"] != deae02 || r["sources"] != int64(1) || r["targets"] != int64(4) || r["rel"] != "SUPERSET_OF" {
			t.Errorf("DE.AE-02 → %s: %v", r["target"], r)
		}
	}
	if strings.Join(targets, " ") != "au-6 ca-7 ir-4 si-4" {
		t.Errorf("DE.AE-02 maps to %v, want au-6 ca-7 ir-4 si-4", targets)
	}
	byGroup := xwQuery(t, `MATCH (s:Clause)-[r:MAPS_TO {group: $g}]->(:Clause) WHERE s.id STARTS WITH $p RETURN count(r) AS n`,
		map[string]any{"g": deae02, "p": p})
	if byGroup[0]["n"] != int64(4) {
		t.Errorf("%v edges of group %s, want 4", byGroup[0]["n"], deae02)
	}
	if ix := xwQuery(t, `SHOW INDEXES YIELD name, entityType, labelsOrTypes, properties WHERE name = 'maps_to_group'
RETURN entityType, labelsOrTypes, properties`, nil); len(ix) != 1 || ix[0]["entityType"] != "RELATIONSHIP" ||
		fmt.Sprint(ix[0]["labelsOrTypes"], ix[0]["properties"]) != "[MAPS_TO] [group]" {
		t.Errorf("index maps_to_group: %v, want one on MAPS_TO(group)", ix)
	}

	again := neo4jtest.Load(t, neo4jtest.PrefixBatch(b, p))
	xwUnchanged(t, again)
	if c := again.Rels["MAPS_TO"]; c.Unchanged != grouped+single {
		t.Errorf("loading again: MAPS_TO %+v, want %d unchanged", c, grouped+single)
	}

	// The CSV crosswalk says the same pairs one by one.
	csv := neo4jtest.Load(t, neo4jtest.PrefixBatch(xwParse(t, folder, "csf2_to_800-53_crosswalk.csv"), p))
	row = xwQuery(t, countGroups, map[string]any{"p": p})[0]
	if row["grouped"] != int64(0) || row["withSources"] != int64(0) || row["withTargets"] != int64(0) {
		t.Errorf("after the CSV crosswalk: %v; want no group left", row)
	}
	if c := csv.Rels["MAPS_TO"]; c.Updated < grouped {
		t.Errorf("CSV crosswalk: MAPS_TO %+v, want at least the %d grouped pairs updated", c, grouped)
	}
	back := neo4jtest.Load(t, neo4jtest.PrefixBatch(b, p))
	if c := back.Rels["MAPS_TO"]; c.Updated < grouped {
		t.Errorf("the collection after the CSV: MAPS_TO %+v, want at least %d updated", c, grouped)
	}
	if row = xwQuery(t, countGroups, map[string]any{"p": p})[0]; row["grouped"] != int64(grouped) || row["groups"] != int64(xwCSFMultiMaps) {
		t.Errorf("after loading the collection again: %v; want %d edges in %d groups", row, grouped, xwCSFMultiMaps)
	}
}
