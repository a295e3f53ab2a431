package ingest_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// xwCSV reads CSV records with encoding/csv, independently of the parser.
func xwCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestParseCSVCrosswalkCSF2To80053(t *testing.T) {
	t.Parallel()
	const folder = "nist-csf2-to-sp800-53r5-oscal-mapping"
	data := xwData(t, folder, "csf2_to_800-53_crosswalk.csv")
	b, err := ingest.Parse("csf2_to_800-53_crosswalk.csv", data, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != ingest.FormatCSVCrosswalk {
		t.Fatalf("format %q, want csv-crosswalk", b.Format)
	}
	xwCheckShape(t, b, true)
	// SOURCE.md: 2 header rows + 185 data rows, 106 with targets, 79 empty.
	// The pairs are counted here from the records: source × each
	// space-separated target.
	recs := xwCSV(t, data)
	if len(recs) != 2+185 {
		t.Fatalf("%d records, want 2 + 185", len(recs))
	}
	withTargets, pairs := 0, map[string]bool{}
	for _, rec := range recs[2:] {
		if len(strings.Fields(rec[3])) > 0 {
			withTargets++
		}
		for _, tg := range strings.Fields(rec[3]) {
			pairs["nist-csf-2.0:"+rec[2]+" nist-sp800-53r5:"+tg] = true
		}
	}
	if withTargets != 106 || len(pairs) != 740 {
		t.Fatalf("the CSV has %d rows with targets and %d pairs; SOURCE.md says 106 rows", withTargets, len(pairs))
	}
	if len(b.Rels) != len(pairs) || len(b.Nodes) != 0 {
		t.Errorf("%d relationships and %d nodes, want %d MAPS_TO and no nodes", len(b.Rels), len(b.Nodes), len(pairs))
	}
	for _, r := range b.Rels {
		if !pairs[r.From+" "+r.To] {
			t.Errorf("unexpected pair %s → %s (at %s)", r.From, r.To, r.Where)
		}
		if r.Type != model.RelMapsTo || r.Props["relationship"] != "SUPERSET_OF" || r.Props["confidence"] != 1.0 ||
			r.Props["source"] != "csf2_to_800-53_crosswalk.csv" || r.Props["rationale"] != nil || r.Props["coverage"] != nil {
			t.Fatalf("%s %s → %s props %v", r.Type, r.From, r.To, r.Props)
		}
		xwWantPairwise(t, r)
		if !strings.HasPrefix(r.Where, "line ") || !strings.Contains(r.Where, "$$Map_Target_ID_Ref_list") || !strings.Contains(r.Hint, "nist-sp800-53r5") {
			t.Fatalf("where %q, hint %q", r.Where, r.Hint)
		}
	}
	xwWarned(t, b, "79 row(s) without targets skipped")
	if len(b.Warnings) != 1 {
		t.Errorf("warnings %v, want only the rows without targets", b.Warnings)
	}
	// The CSV holds the mapping collection's 737 pairs plus three family
	// targets (ir, cp, pt), which are group clauses of the catalog.
	mc, err := ingest.ParseOSCALMapping("mc.json", xwData(t, folder, "NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json"))
	if err != nil {
		t.Fatal(err)
	}
	extra := map[string]bool{}
	for k := range pairs {
		extra[k] = true
	}
	for _, r := range mc.Rels {
		if !extra[r.From+" "+r.To] {
			t.Errorf("mapping-collection pair %s → %s is not in the CSV", r.From, r.To)
		}
		delete(extra, r.From+" "+r.To)
	}
	wantExtra := []string{"nist-csf-2.0:gv.oc-03 nist-sp800-53r5:pt", "nist-csf-2.0:pr.ir-03 nist-sp800-53r5:cp", "nist-csf-2.0:pr.ir-03 nist-sp800-53r5:ir"}
	for _, k := range wantExtra {
		if !extra[k] {
			t.Errorf("the CSV lacks %s", k)
		}
	}
	if len(extra) != len(wantExtra) {
		t.Errorf("pairs only in the CSV: %v, want %v", extra, wantExtra)
	}
}

// xwIoTFiles are the NIST IoT catalog mapping tables with the counts their
// SOURCE.md gives: data rows, rows starting a capability and a
// sub-capability, rows with a mapping cell, (row, id) pairs and distinct
// ids (ids read with the regexes of SOURCE.md, so SP 800-53 enhancements
// count as their base control there).
var xwIoTFiles = []struct {
	file                                 string
	rows, caps, subs, mapped, pairs, ids int
	csf                                  bool
}{
	{"IoT_Catalog_to_800-53r5__Technical_Capabilities.csv", 161, 7, 38, 161, 232, 73, false},
	{"IoT_Catalog_to_800-53r5__Non_Technical_Manufacturers.csv", 213, 4, 14, 181, 219, 63, false},
	{"IoT_Catalog_to_CSF__Technical_Capabilities.csv", 161, 7, 38, 161, 212, 36, true},
	{"IoT_Catalog_to_CSF__Non_Technical_Manufacturers.csv", 213, 4, 14, 181, 324, 48, true},
}

func TestParseCSVCrosswalkIoTCatalog(t *testing.T) {
	t.Parallel()
	const folder = "nist-iot-device-capabilities-catalog-mappings"
	sp := xwClauseIDs(t, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json")
	csf11, err := ingest.ParseCISOLibrary("nist-csf-1.1.yaml", xwData(t, "ciso-assistant-libraries", "nist-csf-1.1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	csf11IDs := map[string]bool{}
	for _, n := range csf11.Nodes {
		if n.Label == model.LabelClause {
			csf11IDs[n.ID] = true
		}
	}
	clauseSets := map[string]map[string]bool{}
	nodeSets := map[string]map[string]ingest.Node{}
	for _, tt := range xwIoTFiles {
		t.Run(tt.file, func(t *testing.T) {
			data := xwData(t, folder, tt.file)
			recs := xwCSV(t, data)
			if len(recs)-1 != tt.rows {
				t.Fatalf("%d data rows, SOURCE.md says %d", len(recs)-1, tt.rows)
			}
			b, err := ingest.Parse(tt.file, data, ingest.FormatAuto, ingest.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			xwCheckShape(t, b, true)
			kinds := map[string]int{}
			clauses := map[string]bool{}
			for _, n := range b.Nodes {
				if n.Label == model.LabelClause {
					kinds[n.Props["kind"].(string)]++
					clauses[n.ID] = true
				}
			}
			// Every row starts an element or a sub-element; the capability
			// and sub-capability counts are SOURCE.md's.
			elements := 0
			for col, h := range recs[0] {
				if strings.Contains(h, "Element") {
					for _, rec := range recs[1:] {
						if strings.TrimSpace(rec[col]) != "" {
							elements++
						}
					}
				}
			}
			if kinds["capability"] != tt.caps || kinds["sub-capability"] != tt.subs {
				t.Errorf("clause kinds %v, want %d capabilities and %d sub-capabilities", kinds, tt.caps, tt.subs)
			}
			if kinds["element"]+kinds["sub-element"] != elements || elements == 0 {
				t.Errorf("clause kinds %v, want %d elements and sub-elements", kinds, elements)
			}
			if xwNodes(b)[model.LabelGuideline] != 1 {
				t.Errorf("nodes %v, want one Guideline", xwNodes(b))
			}
			xwNode(t, b, model.LabelGuideline, "nist-ir-8259-iot-catalog")
			// The pairs, reduced to SOURCE.md's ids, per row clause.
			mapped := 0
			for _, rec := range recs[1:] {
				if strings.TrimSpace(rec[len(rec)-1]) != "" {
					mapped++
				}
			}
			if mapped != tt.mapped {
				t.Errorf("%d rows with a mapping cell, SOURCE.md says %d", mapped, tt.mapped)
			}
			reduced, ids := map[string]bool{}, map[string]bool{}
			missing := map[string]bool{}
			for _, r := range b.Rels {
				if r.Type != model.RelMapsTo {
					continue
				}
				if !clauses[r.From] {
					t.Fatalf("MAPS_TO from %s, which the file does not make", r.From)
				}
				if r.Props["relationship"] != "INTERSECTS_WITH" || r.Props["source"] != tt.file {
					t.Fatalf("props %v", r.Props)
				}
				var id string
				if tt.csf {
					id = strings.ToUpper(r.To[strings.LastIndex(r.To, ":")+1:])
					if !csf11IDs[r.To] {
						missing[r.To] = true
					}
				} else {
					id = strings.ToUpper(strings.TrimPrefix(r.To, "nist-sp800-53r5:"))
					id, _, _ = strings.Cut(id, ".")
					if !sp[r.To] {
						missing[r.To] = true
					}
				}
				reduced[r.From+" "+id] = true
				ids[id] = true
			}
			if len(reduced) != tt.pairs || len(ids) != tt.ids {
				t.Errorf("%d (row, id) pairs and %d distinct ids, SOURCE.md says %d and %d", len(reduced), len(ids), tt.pairs, tt.ids)
			}
			// Targets resolve: SP 800-53 ones in the OSCAL catalog, CSF 1.1
			// ones in the CISO Assistant library, but for one typo of the
			// non-technical table ("PT.PT-1" for PR.PT-1).
			wantMissing := 0
			if tt.csf && strings.Contains(tt.file, "Non_Technical") {
				wantMissing = 1
				if !missing["ciso:intuitem:risk:req_node:nist-csf-1.1:pt.pt-1"] {
					t.Errorf("missing targets %v, want PT.PT-1", missing)
				}
			}
			if len(missing) != wantMissing {
				t.Errorf("targets not in their catalog: %v", missing)
			}
			xwWarned(t, b, "the table states no relationship: INTERSECTS_WITH assumed")
			key := strings.TrimPrefix(strings.TrimPrefix(tt.file, "IoT_Catalog_to_800-53r5__"), "IoT_Catalog_to_CSF__")
			clauseSets[tt.file] = clauses
			nodeSets[tt.file] = map[string]ingest.Node{}
			for _, n := range b.Nodes {
				nodeSets[tt.file][n.ID] = n
			}
			if other, ok := clauseSets[strings.Replace(tt.file, "CSF__", "800-53r5__", 1)]; ok && tt.csf {
				if len(other) != len(clauses) {
					t.Errorf("%s makes %d clauses, its 800-53 twin %d", key, len(clauses), len(other))
				}
				for id := range clauses {
					if !other[id] {
						t.Errorf("clause %s is not made by the 800-53 table of the same sheet", id)
					}
				}
				// Identical clauses: loading both tables, in any order and
				// again, changes nothing the other wrote.
				twin := nodeSets[strings.Replace(tt.file, "CSF__", "800-53r5__", 1)]
				for _, n := range b.Nodes {
					o, ok := twin[n.ID]
					if !ok || !reflect.DeepEqual(o.Props, n.Props) {
						t.Errorf("%s %s props %v differ from the 800-53 table's %v", n.Label, n.ID, n.Props, o.Props)
					}
				}
			}
		})
	}
}

func TestParseCSVCrosswalkTiny(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"csv_crosswalk_tiny.csv", "csv_trestle_tiny.csv", "csv_iot_tiny.csv", "csv_iot_csf_tiny.csv"} {
		t.Run(file, func(t *testing.T) {
			b, err := ingest.ParseCSVCrosswalk(file, xwTestdata(t, file))
			if err != nil {
				t.Fatal(err)
			}
			xwCheckShape(t, b, true)
			xwGolden(t, file, b)
		})
	}
}

// xwPairs renders a batch's MAPS_TO as "from → to relationship" lines.
func xwPairs(b *ingest.Batch) string {
	var out []string
	for _, r := range b.Rels {
		if r.Type == model.RelMapsTo {
			out = append(out, r.From+" → "+r.To+" "+r.Props["relationship"].(string))
		}
	}
	return strings.Join(out, "\n")
}

func TestParseCSVCrosswalkShapes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, pairs string
		props           map[string]any // of the first pair
		warn            string
	}{
		{"SemicolonsAndEnhancements", "source id,target ids,relationship\nNIST CSF 2.0: GV.OC-01,\"PM-11; AC-2(1)\",subset-of\n",
			"", nil, "cannot tell which catalog the source ids belong to"},
		{"CatalogsInHeaders", "CSF 2.0 subcategory,SP 800-53 controls,relationship,confidence,coverage,rationale\nGV.OC-01,\"PM-11; AC-2(1)\",subset of,80%,50,semantic\n",
			"nist-csf-2.0:gv.oc-01 → nist-sp800-53r5:pm-11 SUBSET_OF\nnist-csf-2.0:gv.oc-01 → nist-sp800-53r5:ac-2.1 SUBSET_OF",
			xwPairwise(map[string]any{"relationship": "SUBSET_OF", "confidence": 0.8, "coverage": 0.5, "rationale": "SEMANTIC", "source": "t.csv"}), ""},
		{"NoRelationshipColumn", "source catalog,source id,target catalog,target id\nCSF 2.0,PR.AA-01,SP 800-53,\"IA-2\nIA-5,IA-8\"\n",
			"nist-csf-2.0:pr.aa-01 → nist-sp800-53r5:ia-2 INTERSECTS_WITH\nnist-csf-2.0:pr.aa-01 → nist-sp800-53r5:ia-5 INTERSECTS_WITH\nnist-csf-2.0:pr.aa-01 → nist-sp800-53r5:ia-8 INTERSECTS_WITH",
			xwPairwise(map[string]any{"relationship": "INTERSECTS_WITH", "source": "t.csv"}), "has no relationship column: INTERSECTS_WITH assumed for the mappings of 1 row(s)"},
		{"EmptyRelationshipCell", "from framework,from,to framework,to,relationship\nSP 800-53,AC-2,CSF 2.0,PR.AA-01,\nSP 800-53,AC-3,CSF 2.0,PR.AA-05,equal-to\n",
			"nist-sp800-53r5:ac-2 → nist-csf-2.0:pr.aa-01 INTERSECTS_WITH\nnist-sp800-53r5:ac-3 → nist-csf-2.0:pr.aa-05 EQUAL_TO", nil,
			"leaves the relationship empty on some rows: INTERSECTS_WITH assumed for the mappings of 1 row(s)"},
		{"SelfMapping", "source catalog,source id,target catalog,target ids\nSP 800-53,AC-2,SP 800-53,\"AC-2, AC-3\"\n",
			"nist-sp800-53r5:ac-2 → nist-sp800-53r5:ac-3 INTERSECTS_WITH", nil, "1 pair(s) of a clause with itself skipped"},
		{"IoTCSF20Table", "\"Capability\",Element/Action,Related CSF Subcategories\nA,B,\"PR.AA-01; PR.AA-10\"\n",
			"nist-ir-8259-iot-catalog:iot-1.1 → nist-csf-2.0:pr.aa-01 INTERSECTS_WITH\nnist-ir-8259-iot-catalog:iot-1.1 → nist-csf-2.0:pr.aa-10 INTERSECTS_WITH", nil, ""},
		{"BlankRowsSkipped", "source catalog,source id,target catalog,target ids\n,,,\nSP 800-53,AC-2,CSF 2.0,GV.OC-01\n",
			"nist-sp800-53r5:ac-2 → nist-csf-2.0:gv.oc-01 INTERSECTS_WITH", nil, ""},
		{"BlankLinesSkipped", "source catalog,source id,target catalog,target ids\r\n\r\nSP 800-53,AC-2,CSF 2.0,GV.OC-01\r\n  \n\n \t\n",
			"nist-sp800-53r5:ac-2 → nist-csf-2.0:gv.oc-01 INTERSECTS_WITH", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ingest.ParseCSVCrosswalk("t.csv", []byte(tt.in))
			if tt.pairs == "" {
				if err == nil || !strings.Contains(err.Error(), tt.warn) {
					t.Fatalf("error %v, want one saying %q", err, tt.warn)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := xwPairs(b); got != tt.pairs {
				t.Errorf("pairs:\n%s\nwant:\n%s", got, tt.pairs)
			}
			if tt.props != nil {
				got := b.Rels[0].Props
				if len(got) != len(tt.props) {
					t.Errorf("props %v, want %v", got, tt.props)
				}
				for k, v := range tt.props {
					if got[k] != v {
						t.Errorf("%s = %v, want %v", k, got[k], v)
					}
				}
			}
			if tt.warn != "" {
				xwWarned(t, b, tt.warn)
			}
		})
	}
}

func TestParseCSVCrosswalkTinyDetails(t *testing.T) {
	t.Parallel()
	b, err := ingest.ParseCSVCrosswalk("csv_crosswalk_tiny.csv", xwTestdata(t, "csv_crosswalk_tiny.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"nist-csf-2.0:gv.oc-01 → nist-sp800-53r5:pm-11 SUBSET_OF",
		"nist-csf-2.0:gv.oc-01 → nist-sp800-53r5:ac-2.1 SUBSET_OF",
		"nist-csf-2.0:de.ae-02 → nist-sp800-53r5:au-6 INTERSECTS_WITH",
		"nist-csf-2.0:de.ae-02 → nist-sp800-53r5:ca-7 INTERSECTS_WITH",
		"nist-csf-2.0:de.ae-02 → nist-sp800-53r5:si-4 INTERSECTS_WITH",
		"nist-csf-2.0:pr.aa-02 → nist-sp800-53r5:ia-2 EQUIVALENT_TO",
		"nist-csf-2.0:pr.aa-02 → nist-sp800-53r5:ia-5 EQUIVALENT_TO",
	}, "\n")
	if got := xwPairs(b); got != want {
		t.Errorf("pairs:\n%s\nwant:\n%s", got, want)
	}
	if w := b.Rels[3].Where; w != "line 3, column Target IDs [1]" {
		t.Errorf("where = %q", w)
	}
	xwWarned(t, b, "1 row(s) without targets skipped")
	xwWarned(t, b, "1 pair(s) skipped: the same source and target are mapped earlier")

	iot, err := ingest.ParseCSVCrosswalk("csv_iot_tiny.csv", xwTestdata(t, "csv_iot_tiny.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want = strings.Join([]string{
		"nist-ir-8259-iot-catalog:tech-1.1.1 → nist-sp800-53r5:ia-3 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:tech-1.1.2 → nist-sp800-53r5:si-4 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:tech-1.1.2 → nist-sp800-53r5:au-2 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:tech-1.2.1 → nist-sp800-53r5:ac-2.1 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:tech-1.2.1 → nist-sp800-53r5:ac-2.2 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:tech-1.2.1 → nist-sp800-53r5:ia-2.1 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:tech-1.2.2 → nist-sp800-53r5:si-2 INTERSECTS_WITH",
	}, "\n")
	if got := xwPairs(iot); got != want {
		t.Errorf("IoT pairs:\n%s\nwant:\n%s", got, want)
	}
	for _, tt := range []struct{ id, key, want string }{
		{"nist-ir-8259-iot-catalog:tech-1", "kind", "capability"},
		{"nist-ir-8259-iot-catalog:tech-1", "title", "Device Identity"},
		{"nist-ir-8259-iot-catalog:tech-1.2", "parentId", "nist-ir-8259-iot-catalog:tech-1"},
		{"nist-ir-8259-iot-catalog:tech-1.2", "text", "Actions Based on Device Identity\nAbility to perform actions:\nIf updates are applied automatically:"},
		{"nist-ir-8259-iot-catalog:tech-1.2.1", "ref", "T-1.2.1"},
		{"nist-ir-8259-iot-catalog:tech-1.2.1", "title", "Ability to configure IoT device access control policies using IoT device identity."},
		{"nist-ir-8259-iot-catalog:tech-1.2.1", "text", "Ability to configure IoT device access control policies using IoT device identity.\no Ability to hide IoT device identity from non-authorized entities."},
		{"nist-ir-8259-iot-catalog:tech-2.1.2", "kind", "element"},
	} {
		if got := xwNode(t, iot, model.LabelClause, tt.id).Props[tt.key]; got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.id, tt.key, got, tt.want)
		}
	}
	xwWarned(t, iot, "1 pair(s) skipped: the same source and target are mapped earlier")
	xwWarned(t, iot, `name no control or subcategory id and were skipped: "see the appendix"`)
	xwWarned(t, iot, "map to nothing")

	csf, err := ingest.ParseCSVCrosswalk("csv_iot_csf_tiny.csv", xwTestdata(t, "csv_iot_csf_tiny.csv"))
	if err != nil {
		t.Fatal(err)
	}
	const c11 = "ciso:intuitem:risk:req_node:nist-csf-1.1:"
	want = strings.Join([]string{
		"nist-ir-8259-iot-catalog:nontech-1.1.2.1 → " + c11 + "id.sc-3 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:nontech-1.1.2.2 → " + c11 + "pr.ma-1 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:nontech-1.1.2.2 → " + c11 + "pr.ma-2 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:nontech-1.1.2.3 → " + c11 + "id.sc-3 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:nontech-1.1.2.3 → " + c11 + "pr.ip-6 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:nontech-1.1.2.4 → " + c11 + "pr.ip-12 INTERSECTS_WITH",
		"nist-ir-8259-iot-catalog:nontech-1.1.2.5 → " + c11 + "pr.ip-1 INTERSECTS_WITH",
	}, "\n")
	if got := xwPairs(csf); got != want {
		t.Errorf("IoT CSF pairs:\n%s\nwant:\n%s", got, want)
	}
	xwNode(t, csf, model.LabelClause, "nist-ir-8259-iot-catalog:nontech-2.1")
	xwWarned(t, csf, `skipped: "ID-SC-3"`)
	for _, r := range csf.Rels {
		if strings.HasPrefix(r.To, c11) && !strings.Contains(r.Hint, "CISO Assistant NIST CSF 1.1 library") {
			t.Fatalf("hint %q", r.Hint)
		}
	}
}

func TestParseCSVCrosswalkErrors(t *testing.T) {
	t.Parallel()
	tiny := string(xwTestdata(t, "csv_crosswalk_tiny.csv"))
	for _, tt := range []struct {
		name, in string
		line     int
		path     string
		msg      string
	}{
		{"Empty", "", 1, "", "empty"},
		{"BareQuote", "source catalog,source id,target catalog,target ids\nSP 800-53,AC\"2,CSF 2.0,GV.OC-01\n", 2, "", "invalid CSV at character 13 of the line"},
		{"UnclosedQuote", tiny[:strings.Index(tiny, "CA-7")], 3, "", "invalid CSV"},
		{"NotUTF8", "source catalog,source id,target catalog,target ids\nSP 800-53,AC-2,CSF 2.0,\xff\n", 2, "", "not UTF-8"},
		{"NoTargetColumn", "source catalog,source id,notes\n", 1, "header", "no column of target ids"},
		{"NoSourceColumn", "target catalog,target ids\n", 1, "header", "no column of source ids"},
		{"UnknownRelationship", strings.Replace(tiny, "equal-to", "overlaps", 1), 7, "Relationship", `unknown relationship "overlaps"`},
		{"UnknownRationale", strings.Replace(tiny, "syntactic", "vibes", 1), 2, "Rationale", `unknown rationale "vibes"`},
		{"BadConfidence", strings.Replace(tiny, "80%", "high", 1), 2, "Confidence", `confidence "high" is not a percent`},
		{"ConfidenceOver100", strings.Replace(tiny, "80%", "180%", 1), 2, "Confidence", "is not a percent"},
		{"BadCoverage", strings.Replace(tiny, ",0.5", ",-0.5", 1), 2, "Coverage", `coverage "-0.5" is not a percent`},
		{"UnknownCatalog", strings.Replace(tiny, "NIST CSF 2.0,DE.AE-02", "ACME 1,DE.AE-02", 1), 3, "Source Guideline", `cannot tell which catalog "ACME 1" is`},
		{"NoCatalog", strings.Replace(tiny, "NIST CSF 2.0,PR.AA-02", ",PR.AA-02", 1), 6, "Source Guideline", "no catalog named"},
		{"BadTargetID", strings.Replace(tiny, "ia-2 ia-5", "ia-2 ia/5", 1), 6, "Target IDs", `"ia/5" is not a control id`},
		{"BadSourceID", strings.Replace(tiny, "PR.AA-02", "PR.AA/02", 1), 6, "Source ID", `"PR.AA/02" is not a control id`},
		{"IoTWithoutCatalog", "\"TECHNICAL\nCapability\",Element/Action,Related things\nX,Y,Z\n", 2, "Related things", "cannot tell which catalog this column names"},
		{"IoTWithoutElements", "Capability,Related 800-53 controls\nX,AC-2\n", 1, "header", "needs an \"Element/Action\" column"},
		{"RowCutShort", tiny[:strings.Index(tiny, "NIST CSF 2.0,DE.AE-02,")+len("NIST CSF 2.0,DE.AE-02,")], 3, "",
			"3 fields, want 8 like the header (Source Guideline, Source ID, Target Guideline, Target IDs, Relationship, Rationale, Confidence, Coverage): is the file cut short"},
		{"CommaTooMany", strings.Replace(tiny, "syntactic", "syntactic,", 1), 2, "", "9 fields, want 8 like the header"},
		{"OneField", "source catalog,source id,target catalog,target ids\nSP 800-53\n", 2, "", "1 field, want 4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ingest.ParseCSVCrosswalk("bad.csv", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; batch has %d relationships", len(b.Rels))
			}
			xwWantError(t, err, "bad.csv", tt.line, tt.path, tt.msg)
		})
	}
}

// xwCutInRow returns data cut after the second comma of the first record,
// from the k-th on, whose first two fields are plain (unquoted) text, so
// that its last record has 3 fields; and the line that record starts on.
func xwCutInRow(t *testing.T, data []byte, k int) ([]byte, int) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	for i := 0; ; i++ {
		start := r.InputOffset()
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("no record from the %dth on to cut: %v", k, err)
		}
		prefix := rec[0] + "," + rec[1] + ","
		if i >= k && len(rec) > 3 && bytes.HasPrefix(data[start:], []byte(prefix)) {
			line, _ := r.FieldPos(0)
			return data[:start+int64(len(prefix))], line
		}
	}
}

// TestParseCSVCrosswalkTruncatedRealFiles cuts real crosswalks in the
// middle of a row: each fails, naming the line of the cut row and the
// header's fields, so that nothing of it is loaded. The same files cut
// between rows, or with blank lines after them, parse.
func TestParseCSVCrosswalkTruncatedRealFiles(t *testing.T) {
	for _, tt := range []struct {
		folder, file string
		fields       int
		header       string // the header's first field as the error names it
	}{
		{"nist-csf2-to-sp800-53r5-oscal-mapping", "csf2_to_800-53_crosswalk.csv", 7, "$$Source_Resource, $$Target_Resource, $$Map_Source_ID_Ref_list"},
		{"nist-iot-device-capabilities-catalog-mappings", "IoT_Catalog_to_800-53r5__Technical_Capabilities.csv", 5, "TECHNICAL Capability, Sub-Capabilities"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			data := xwData(t, tt.folder, tt.file)
			whole, err := ingest.Parse(tt.file, data, ingest.FormatAuto, ingest.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cut, line := xwCutInRow(t, data, len(xwCSV(t, data))/3)
			b, err := ingest.Parse(tt.file, cut, ingest.FormatAuto, ingest.ParseOptions{})
			if err == nil {
				t.Fatalf("the file cut in the row of line %d parsed, to %d relationships", line, len(b.Rels))
			}
			xwWantError(t, err, tt.file, line, "", fmt.Sprintf("3 fields, want %d like the header (%s", tt.fields, tt.header))
			if want := fmt.Sprintf("%s:%d: 3 fields, want %d", tt.file, line, tt.fields); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}

			// Cut where that row starts instead, with blank lines after.
			rowStart := bytes.LastIndexByte(cut[:len(cut)-1], '\n') + 1
			b, err = ingest.Parse(tt.file, append(cut[:rowStart:rowStart], "\n\r\n  \n"...), ingest.FormatAuto, ingest.ParseOptions{})
			if err != nil {
				t.Fatalf("the file cut between rows: %v", err)
			}
			if len(b.Rels) == 0 || len(b.Rels) >= len(whole.Rels) {
				t.Errorf("the file cut between rows has %d relationships; the whole file %d", len(b.Rels), len(whole.Rels))
			}
		})
	}
}

// xwPairwise returns props with the group properties of a pairwise
// mapping: set to null, so that a load removes any group an OSCAL map put
// on the same edge.
func xwPairwise(props map[string]any) map[string]any {
	props["group"], props["groupSources"], props["groupTargets"] = nil, nil, nil
	return props
}

// xwWantPairwise fails unless r, a MAPS_TO, sets the group properties to
// null.
func xwWantPairwise(t *testing.T, r ingest.Rel) {
	t.Helper()
	for _, k := range []string{"group", "groupSources", "groupTargets"} {
		if v, ok := r.Props[k]; !ok || v != nil {
			t.Fatalf("%s → %s: %s = %v (set: %v), want it set to null (a pairwise mapping)", r.From, r.To, k, v, ok)
		}
	}
}
