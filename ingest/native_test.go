package ingest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// The -update flag rewrites golden files; other test files of the package
// may define it too, so it is looked up rather than declared twice.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

// ntUpdate reports whether the run was asked to rewrite golden files.
func ntUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// ntScales are scales like the seeded IoT-SSF defaults: ranks 1 to 4 on
// both axes, perspectives P1 to P4, category = the larger rank.
func ntScales() *model.Scales {
	s := &model.Scales{}
	for axis := 1; axis <= 2; axis++ {
		for rank := 1; rank <= 4; rank++ {
			s.Levels = append(s.Levels, &model.AxisLevel{Axis: axis, Rank: rank})
		}
	}
	for _, c := range []string{"P1", "P2", "P3", "P4"} {
		s.Perspectives = append(s.Perspectives, &model.Perspective{Code: c})
	}
	for a1 := 1; a1 <= 4; a1++ {
		for a2 := 1; a2 <= 4; a2++ {
			s.Rules = append(s.Rules, &model.CategoryRule{Axis1Rank: a1, Axis2Rank: a2, Category: max(a1, a2)})
		}
	}
	return s
}

// ntExample reads the handmade example document.
func ntExample(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "native", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ntLine returns the 1-based line of the first occurrence of needle.
func ntLine(t testing.TB, doc, needle string) int {
	t.Helper()
	i := strings.Index(doc, needle)
	if i < 0 {
		t.Fatalf("needle %q is not in the document", needle)
	}
	return 1 + strings.Count(doc[:i], "\n")
}

// ntBatchJSON is a batch as its golden file shows it.
func ntBatchJSON(t testing.TB, b *ingest.Batch) []byte {
	t.Helper()
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func TestParseNativeExample(t *testing.T) {
	t.Parallel()
	b, err := ingest.ParseNative("example.yaml", ntExample(t), ntScales())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "native", "example.batch.golden.json")
	got := ntBatchJSON(t, b)
	if ntUpdate() {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./ingest -run TestParseNativeExample -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the batch differs from %s; review the change and rerun with -update", golden)
	}

	labels := map[string]int{}
	props := map[string]map[string]any{}
	for _, n := range b.Nodes {
		labels[n.Label]++
		props[n.ID] = n.Props
	}
	for label, want := range map[string]int{model.LabelOrganization: 1, model.LabelDepartment: 2, model.LabelTarget: 1, model.LabelAsset: 4,
		model.LabelIncident: 2, model.LabelThreat: 2, model.LabelMeasure: 4, model.LabelInsurancePolicy: 1, model.LabelCoverageLine: 1,
		model.LabelAnalysis: 1, model.LabelAssessment: 2, model.LabelTreatment: 4} {
		if labels[label] != want {
			t.Errorf("%d %s nodes, want %d", labels[label], label, want)
		}
	}
	derived := "example-analysis-heatworks:as:example-inc-overpressure"
	for _, tt := range []struct {
		id, key string
		want    any
	}{
		{derived, "category", int64(4)},
		{derived, "axis1", int64(4)},
		{derived, "estimatedLossJPY", 8e8},
		{derived, "ownerDepartmentId", "example-heatworks-ot"},
		{derived + ":tr:example-measure-signed-commands", "perspective", "P1"}, // the measure's default
		{derived + ":tr:example-measure-cyber-insurance", "perspective", "P4"},
		{"example-analysis-heatworks-stop", "category", int64(2)},
		{"example-analysis-heatworks", "status", "DRAFT"},
		{"example-analysis-heatworks", "version", int64(1)},
		{"example-analysis-heatworks", "sharedWithOrganizationIds", []string{}},
		{"example-analysis-heatworks-stop", "ownerDepartmentId", "example-heatworks-ops"},
		{"example-policy-cyber", "holderId", "example-heatworks"},
		{"example-policy-cyber-bi", "deductibleJPY", 5e6},
	} {
		got, ok := props[tt.id][tt.key]
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s.%s = %#v (present %v), want %#v", tt.id, tt.key, got, ok, tt.want)
		}
	}
	if _, ok := props["example-threat-ddos"]["externalId"]; ok {
		t.Error("a threat without externalId states one: a load would remove the stored one of a shared threat")
	}
	hinted := 0
	for _, r := range b.Rels {
		if r.Where == "" {
			t.Errorf("%s %s → %s has no Where", r.Type, r.From, r.To)
		}
		if r.ToLabel == model.LabelClause {
			hinted++
			if !strings.Contains(r.Hint, "guideline ciso:iec-62443-3-3-2013") {
				t.Errorf("%s → %s: hint %q does not name the guideline to load", r.Type, r.To, r.Hint)
			}
		} else if r.Hint != "" {
			t.Errorf("%s %s → %s: both ends are in the document, yet the hint is %q", r.Type, r.From, r.To, r.Hint)
		}
	}
	if hinted != 6 {
		t.Errorf("%d relationships to clauses, want 6 (3 SATISFIES, 1 REQUIRES, 2 NOT_APPLICABLE)", hinted)
	}
	var marks []string
	for _, r := range b.Rels {
		if r.Type == model.RelNotApplicable {
			marks = append(marks, fmt.Sprintf("%s %s %s→%s %s: %.30s", r.Where, r.FromLabel, r.From, r.ToLabel, r.To, r.Props["reason"]))
		}
	}
	wantMarks := []string{
		"analysis.notApplicable[0] Analysis example-analysis-heatworks→Clause ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-2.2: The plant network has no wirel",
		"analysis.notApplicable[1] Analysis example-analysis-heatworks→Clause ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-1.12: The boiler controller has no i",
	}
	if !slices.Equal(marks, wantMarks) {
		t.Errorf("NOT_APPLICABLE relationships:\n%s\nwant\n%s", strings.Join(marks, "\n"), strings.Join(wantMarks, "\n"))
	}

	again, err := ingest.ParseNative("example.yaml", ntExample(t), ntScales())
	if err != nil || !reflect.DeepEqual(again, b) {
		t.Errorf("parsing the same document twice gives different batches (err %v)", err)
	}
}

// TestParseNativeJSON reads the example as JSON: the same batch.
func TestParseNativeJSON(t *testing.T) {
	t.Parallel()
	doc, err := ingest.ParseDocument("example.yaml", ntExample(t))
	if err != nil {
		t.Fatal(err)
	}
	j, err := ingest.MarshalDocument(doc, ingest.ExportJSON)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := ingest.ParseNative("example.json", j, ntScales())
	if err != nil {
		t.Fatal(err)
	}
	y, _ := ingest.MarshalDocument(doc, ingest.ExportYAML)
	fromYAML, err := ingest.ParseNative("example.json", y, ntScales())
	if err != nil {
		t.Fatal(err)
	}
	sortBatch := func(b *ingest.Batch) {
		slices.SortFunc(b.Nodes, func(x, y ingest.Node) int { return strings.Compare(x.Label+x.ID, y.Label+y.ID) })
		slices.SortFunc(b.Rels, func(x, y ingest.Rel) int { return strings.Compare(x.Type+x.From+x.To, y.Type+y.From+y.To) })
		for i := range b.Rels {
			b.Rels[i].Where = "" // list positions follow the sorted order of the export
		}
	}
	sortBatch(fromJSON)
	sortBatch(fromYAML)
	if !reflect.DeepEqual(fromJSON, fromYAML) {
		t.Error("the JSON and YAML forms of one document give different batches")
	}
}

// ntCase is a broken variant of the example and the error it must give.
type ntCase struct {
	name     string
	old, new string // replace the first old with new (old "" appends new)
	path     string // the error's path
	needle   string // the error's line is the line of needle in the broken document ("" for line 0; "?" for any line)
	msg      string // a part of the message
}

func TestParseNativeErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []ntCase{
		{"BadRank", "      axis1: 2\n", "      axis1: 9\n", "analysis.assessments[1].axis1", "axis1: 9", "axis 1 has no level of rank 9 (ranks 1, 2, 3, 4)"},
		{"BadRankAxis2", "axis2: 3", "axis2: 5", "analysis.assessments[0].axis2", "axis2: 5", "axis 2 has no level of rank 5"},
		{"RankNotAnInteger", "axis2: 3", "axis2: high", "analysis.assessments[0].axis2", "axis2: high", `must be an integer, not a string "high"`},
		{"RankFraction", "axis2: 3", "axis2: 2.5", "analysis.assessments[0].axis2", "axis2: 2.5", "must be an integer"},
		{"CategoryDiffers", "category: 4", "category: 3", "analysis.assessments[0].category", "category: 3", "differs from 4"},
		{"UnknownField", "  version: 1\n", "  version: 1\n  colour: red\n", "analysis.colour", "colour: red", `unknown field "colour"`},
		{"FieldInWrongCase", "  version: 1\n", "  version: 1\n  Visibility: PUBLIC\n", "analysis.Visibility", "Visibility: PUBLIC", `did you mean "visibility"?`},
		{"MissingRequired", "      consequence: service-stop\n", "", "target.incidents[1]", "- id: example-inc-stop", `missing required field "consequence"`},
		{"APIVersion", "apiVersion: ssfgraph/v1", "apiVersion: ssfgraph/v2", "apiVersion", "apiVersion: ssfgraph/v2", `unsupported apiVersion "ssfgraph/v2"`},
		{"Kind", "kind: AnalysisDocument", "kind: Analysis", "kind", "kind: Analysis", `kind must be "AnalysisDocument"`},
		{"NoAPIVersion", "apiVersion: ssfgraph/v1\n", "", "", "kind: AnalysisDocument", `missing required field "apiVersion"`},
		{"Enum", "status: IMPLEMENTED", "status: DONE", "analysis.assessments[0].treatments[0].status", "status: DONE", "must be one of PLANNED, IMPLEMENTED, VERIFIED"},
		{"BadID", "- id: example-operators", "- id: example operators", "target.assets[3].id", "example operators", "must be an id of 1 to 200 letters"},
		{"DuplicateID", "- id: example-threat-ddos", "- id: example-inc-stop", "threats[1].id", "- id: example-inc-stop\n    name: Flooding", "already used by target.incidents[1].id"},
		{"UnknownIncident", "incident: example-inc-stop", "incident: example-inc-nope", "analysis.assessments[1].incident", "example-inc-nope", "not an incident of target"},
		{"IncidentTwice", "incident: example-inc-stop", "incident: example-inc-overpressure", "analysis.assessments[1].incident", "      incident: example-inc-overpressure", "assessed twice"},
		{"UnknownAsset", "assets: [example-cloud]\n", "assets: [example-nope]\n", "analysis.assessments[1].assets[0]", "example-nope", "not an asset of target"},
		{"UnknownDepartment", "ownerDepartment: example-heatworks-ops", "ownerDepartment: example-nope", "analysis.assessments[1].ownerDepartment", "example-nope", "not a department of organization"},
		{"UnknownPerspective", "perspective: P4\n", "perspective: P9\n", "analysis.assessments[0].treatments[2].perspective", "P9", "unknown perspective \"P9\" (want one of P1, P2, P3, P4)"},
		{"MeasurePerspective", "    perspective: P2\n", "    perspective: P0\n", "measures[2].perspective", "P0", "unknown perspective"},
		{"CatalogMeasureNeedsPerspective", "- measure: example-measure-local-fallback", "- measure: mitre-attack-ics:M0800", "analysis.assessments[1].treatments[0].perspective",
			"mitre-attack-ics:M0800", "give the perspective"},
		{"TreatmentTwice", "- measure: example-measure-relief-valve", "- measure: example-measure-signed-commands", "analysis.assessments[0].treatments[1].measure",
			"- measure: example-measure-signed-commands\n          status: VERIFIED", "applied twice"},
		{"ThreatIsAMeasure", "threats: [example-threat-ddos]", "threats: [example-measure-relief-valve]", "analysis.assessments[1].threats[0]",
			"threats: [example-measure-relief-valve]", "is not a threat"},
		{"DatesReversed", `periodEnd: "2027-03-31"`, `periodEnd: "2025-03-31"`, "policies[0].periodEnd", "2025-03-31", "is before periodStart"},
		{"NotADay", `periodStart: "2026-04-01"`, `periodStart: "2026-02-30"`, "policies[0].periodStart", "2026-02-30", "not a day of the calendar"},
		{"NotADate", `periodStart: "2026-04-01"`, `periodStart: "April"`, "policies[0].periodStart", "April", "must be a date of the form YYYY-MM-DD"},
		{"LimitAboveAggregate", "limitJPY: 200000000", "limitJPY: 900000000", "policies[0].lines[0].limitJPY", "900000000", "above the policy's aggregateLimitJPY"},
		{"NoLines", "    lines:\n", "    lines: []\n    x-lines:\n", "policies[0].lines", "lines: []", "needs at least 1 item"},
		{"SharedWithNothing", "  sharedWithSectors: [factory, insurance]\n", "", "analysis.visibility", "visibility: SHARED", "must be shared with at least one"},
		{"PrivateButShared", "visibility: SHARED", "visibility: PRIVATE", "analysis.sharedWithSectors", "sharedWithSectors", "use visibility SHARED"},
		{"SectorTwice", "[factory, insurance]", "[factory, factory]", "analysis.sharedWithSectors[1]", "[factory, factory]", "listed twice"},
		{"ConnectsToSelf", "connectsTo: [example-boiler-plc]", "connectsTo: [example-edge-gateway]", "target.assets[1].connectsTo[0]",
			"connectsTo: [example-edge-gateway]\n    - id: example-cloud", "cannot connect to itself"},
		{"ConnectsToUnknown", "connectsTo: [example-edge-gateway]", "connectsTo: [example-elsewhere]", "target.assets[2].connectsTo[0]", "example-elsewhere", "not an asset of target"},
		{"ClauseTwice", "sr-3.1\n", "sr-1.1\n", "measures[0].clauses[1].clause", "sr-1.1\n        relationship: INTERSECTS", "linked twice"},
		{"CoverageAboveOne", "coverage: 0.6", "coverage: 1.5", "measures[0].clauses[0].coverage", "coverage: 1.5", "must be at most 1"},
		{"NegativeMoney", "estimatedLossJPY: 30000000", "estimatedLossJPY: -1", "analysis.assessments[1].estimatedLossJPY", "estimatedLossJPY: -1", "must be at least 0"},
		{"Infinity", "estimatedLossJPY: 30000000", "estimatedLossJPY: .inf", "analysis.assessments[1].estimatedLossJPY", ".inf", "must be a finite number"},
		{"Relationship", "relationship: SUBSET_OF", "relationship: subset", "measures[0].clauses[0].relationship", "relationship: subset", "must be one of EQUIVALENT_TO"},
		{"NotApplicableTwice", "iec-62443-3-3-2013:sr-1.12\n", "iec-62443-3-3-2013:sr-2.2\n", "analysis.notApplicable[1].clause",
			"sr-2.2\n      reason: |", "marked twice (also at analysis.notApplicable[0])"},
		{"NotApplicableNotAClause", "- clause: ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-2.2", "- clause: example-inc-stop",
			"analysis.notApplicable[0].clause", "- clause: example-inc-stop", `"example-inc-stop" is not a clause: this document defines it as target.incidents[1].id`},
		{"NotApplicableEmptyReason", "reason: The plant network has no wireless links; the gateway reaches the cloud over a leased line.", `reason: ""`,
			"analysis.notApplicable[0].reason", `reason: ""`, "must not be empty"},
		{"NotApplicableNoReason", "\n      reason: The plant network has no wireless links; the gateway reaches the cloud over a leased line.", "",
			"analysis.notApplicable[0]", "sr-2.2", `missing required field "reason"`},
		{"NotApplicableLongReason", "reason: The plant network has no wireless links; the gateway reaches the cloud over a leased line.",
			"reason: " + strings.Repeat("x", model.MaxText+1), "analysis.notApplicable[0].reason", "reason: xxx", "has 20001 characters; the limit is 20000"},
		{"NotApplicableBadClause", "- clause: ciso:intuitem:risk:req_node:iec-62443-3-3-2013:sr-2.2", "- clause: not a clause id",
			"analysis.notApplicable[0].clause", "not a clause id", "must be an id"},
		{"SubmittedAtOnDraft", "  version: 1\n", "  version: 1\n  submittedAt: 2026-04-01T00:00:00Z\n", "analysis.submittedAt", "submittedAt", "only a SUBMITTED one does"},
		{"BadTime", "  version: 1\n", "  version: 1\n  createdAt: 2026-02-30T00:00:00Z\n", "analysis.createdAt", "createdAt", "not a time of the calendar"},
		{"TimeWithoutZone", "  version: 1\n", "  version: 1\n  createdAt: 2026-02-03T00:00:00\n", "analysis.createdAt", "createdAt", "must be an RFC 3339 time"},
		{"VersionZero", "  version: 1\n", "  version: 0\n", "analysis.version", "version: 0", "must be at least 1"},
		{"DuplicateKey", "  version: 1\n", "  version: 1\n  title: again\n", "", "title: again", `mapping key "title" already defined`},
		{"WrongType", "  assets:\n    - id: example-boiler-plc", "  assets: {id: example-boiler-plc}\n  x:\n    - id: example-boiler-plc", "target.assets", "assets: {", "must be a list, not a mapping"},
		{"Alias", "  sector: factory\n  departments", "  sector: &s factory\n  departments", "target.sector", "?", ""}, // an anchor alone is fine…
		{"YAMLSyntax", "  name: Remote boiler monitoring service", "  name: \"Remote boiler", "", "?", "YAML syntax"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(string(ntExample(t)), tt.old, tt.new, 1)
			if tt.old == "" {
				doc += tt.new
			}
			if tt.name == "Alias" { // … but not a use of it
				doc = strings.Replace(doc, "  sector: factory\n  description", "  sector: *s\n  description", 1)
				tt.needle, tt.msg = "*s", "YAML aliases (*name) are not supported"
			}
			ntCheck(t, "broken.yaml", doc, tt)
		})
	}
}

// ntCheck parses doc and checks the error against tt.
func ntCheck(t *testing.T, name, doc string, tt ntCase) {
	t.Helper()
	b, err := ingest.ParseNative(name, []byte(doc), ntScales())
	if err == nil {
		t.Fatalf("no error; batch of %d nodes", len(b.Nodes))
	}
	e, ok := errors.AsType[*ingest.Error](err)
	if !ok {
		t.Fatalf("%v is not an *ingest.Error", err)
	}
	if e.File != name || e.Path != tt.path || !strings.Contains(e.Message, tt.msg) {
		t.Errorf("error %q: file %q, path %q, message %q; want %q, %q and a message containing %q", err, e.File, e.Path, e.Message, name, tt.path, tt.msg)
	}
	switch tt.needle {
	case "":
		if e.Line != 0 {
			t.Errorf("line %d, want 0", e.Line)
		}
	case "?":
		if e.Line <= 0 {
			t.Errorf("line %d, want a line", e.Line)
		}
	default:
		if want := ntLine(t, doc, tt.needle); e.Line != want {
			t.Errorf("line %d, want %d (%q); error %q", e.Line, want, tt.needle, err)
		}
	}
}

// TestParseNativeJSONErrors checks that JSON documents get lines too.
func TestParseNativeJSONErrors(t *testing.T) {
	t.Parallel()
	doc, err := ingest.ParseDocument("example.yaml", ntExample(t))
	if err != nil {
		t.Fatal(err)
	}
	j, err := ingest.MarshalDocument(doc, ingest.ExportJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []ntCase{
		{"BadRank", `"axis1": 2,`, `"axis1": 7,`, "analysis.assessments[1].axis1", `"axis1": 7`, "axis 1 has no level of rank 7"},
		{"UnknownField", `"kind": "AnalysisDocument",`, `"kind": "AnalysisDocument", "extra": 1,`, "extra", `"extra"`, `unknown field "extra"`},
		{"DuplicateKey", `"kind": "AnalysisDocument",`, `"kind": "AnalysisDocument", "kind": "AnalysisDocument",`, "kind", `"kind": "AnalysisDocument", "kind"`, "duplicate key"},
		{"Syntax", `"axis1": 2,`, `"axis1": 2 "x": 1,`, "analysis.assessments[1]", `"axis1": 2 "x"`, "JSON syntax: invalid character"},
		{"Truncated", `"policies": [`, `"policies": [{`, "analysis.policies[0]", "?", "JSON syntax: unexpected end of input"},
		{"Trailing", "", "{}", "", "?", "unexpected data after the JSON document"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := strings.Replace(string(j), tt.old, tt.new, 1)
			if tt.old == "" {
				s += tt.new
			}
			if tt.name == "Truncated" {
				s = s[:strings.Index(s, `"policies": [{`)+len(`"policies": [{`)]
			}
			if s == string(j) {
				t.Fatalf("%q is not in the JSON export", tt.old)
			}
			ntCheck(t, "broken.json", s, tt)
		})
	}
}

// TestParseNativeLimits checks nesting, size and shape limits.
func TestParseNativeLimits(t *testing.T) {
	t.Parallel()
	deep := "apiVersion: ssfgraph/v1\nkind: AnalysisDocument\nanalysis:\n  id: " + strings.Repeat("[", ingest.MaxDepth) + strings.Repeat("]", ingest.MaxDepth) + "\n"
	bomb := strings.Repeat("[", 1_000_000)
	for _, tt := range []struct {
		name, doc, msg string
	}{
		{"TooDeep", deep, "nests deeper than 64 levels"},
		{"TooDeepJSON", `{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}", "nests deeper than 64 levels"},
		{"BracketBomb", bomb, "nests deeper than 64 levels"},
		{"DashBomb", strings.Repeat("- ", 1_000_000) + "x\n", "nests deeper than 64 levels"},
		{"Empty", "", "empty"},
		{"TwoDocuments", "a: 1\n---\nb: 2\n", "more than one YAML document"},
		{"Comments", "# nothing here\n", "empty"},
		{"List", "- a\n- b\n", "must be a mapping, not a list"},
		{"Scalar", "hello\n", "must be a mapping, not a string"},
		{"NotUTF8", "apiVersion: \xff\n", "not valid UTF-8"},
		{"TooLarge", strings.Repeat(" ", ingest.MaxFileBytes+1), "the limit is 67108864"},
		{"MergeKey", "a: {b: 1}\nc:\n  <<: {d: 2}\n", "merge keys"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.ParseNative("limits.yaml", []byte(tt.doc), ntScales())
			if e, ok := errors.AsType[*ingest.Error](err); !ok || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("error %v; want an *ingest.Error containing %q", err, tt.msg)
			}
		})
	}
	for _, bom := range [][]byte{append([]byte("\xef\xbb\xbf"), ntExample(t)...), []byte("\xef\xbb\xbf{}")} {
		if _, err := ingest.ParseNative("bom.yaml", bom, ntScales()); err != nil && !strings.Contains(err.Error(), "missing required field") {
			t.Errorf("a document with a byte-order mark: %v", err)
		}
	}
	if _, err := ingest.ParseNative("example.yaml", ntExample(t), nil); err == nil {
		t.Error("ParseNative without scales: no error")
	}
}

// TestParseNativeDerivedIDs checks that omitted ids are derived the same way
// every time, and hashed when the derived id would be too long.
func TestParseNativeDerivedIDs(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("i", 190)
	doc := strings.NewReplacer("example-inc-overpressure", long).Replace(string(ntExample(t)))
	var ids [2][]string
	for i := range ids {
		b, err := ingest.ParseNative("long.yaml", []byte(doc), ntScales())
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range b.Nodes {
			if n.Label == model.LabelAssessment || n.Label == model.LabelTreatment {
				ids[i] = append(ids[i], n.ID)
				if len(n.ID) > 200 {
					t.Errorf("derived id %q is longer than 200", n.ID)
				}
			}
		}
	}
	if !reflect.DeepEqual(ids[0], ids[1]) || len(ids[0]) != 6 {
		t.Errorf("derived ids differ between two parses or are missing: %v / %v", ids[0], ids[1])
	}
	if !strings.HasPrefix(ids[0][0], "as-") || ids[0][1] != ids[0][0]+":tr:example-measure-signed-commands" {
		t.Errorf("ids %v: want a hashed assessment id (as-…) and its treatments' ids after it", ids[0])
	}
}

// TestNativeSchemaMatchesTheModel checks that the published schema's
// enumerations are the model's, and that it uses only what the validator
// enforces (ParseDocument fails otherwise).
func TestNativeSchemaMatchesTheModel(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("native_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	enums := map[string][]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if e, ok := x["enum"].([]any); ok {
				for _, s := range e {
					enums[path] = append(enums[path], s.(string))
				}
			}
			for k, c := range x {
				walk(path+"/"+k, c)
			}
		case []any:
			for _, c := range x {
				walk(path, c)
			}
		}
	}
	var root any
	_ = json.Unmarshal(data, &root)
	walk("#", root)
	str := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, reflect.ValueOf(v).String())
		}
		return out
	}
	want := map[string][]string{
		"#/$defs/analysis/properties/status":     str(model.AnalysisStatusDraft, model.AnalysisStatusSubmitted),
		"#/$defs/analysis/properties/visibility": str(model.VisibilityPrivate, model.VisibilityShared, model.VisibilityPublic),
		"#/$defs/policy/properties/visibility":   str(model.VisibilityPrivate, model.VisibilityShared, model.VisibilityPublic),
		"#/$defs/assessment/properties/treatments/items/properties/status": str(model.TreatmentStatusPlanned, model.TreatmentStatusImplemented,
			model.TreatmentStatusVerified),
		"#/$defs/measure/properties/clauses/items/properties/relationship": str(model.MappingRelationshipEquivalentTo, model.MappingRelationshipEqualTo,
			model.MappingRelationshipSubsetOf, model.MappingRelationshipSupersetOf, model.MappingRelationshipIntersectsWith, model.MappingRelationshipNoRelationship),
	}
	if !reflect.DeepEqual(enums, want) {
		t.Errorf("schema enums = %v\nwant %v", enums, want)
	}
	for _, e := range model.AllTreatmentStatus {
		if !slices.Contains(want["#/$defs/assessment/properties/treatments/items/properties/status"], string(e)) {
			t.Errorf("treatment status %s is missing from the schema", e)
		}
	}
	for _, e := range model.AllMappingRelationship {
		if !slices.Contains(want["#/$defs/measure/properties/clauses/items/properties/relationship"], string(e)) {
			t.Errorf("relationship %s is missing from the schema", e)
		}
	}
	if _, err := ingest.ParseDocument("example.yaml", ntExample(t)); err != nil {
		t.Errorf("the schema does not load or rejects the example: %v", err)
	}
}

// TestParseNativeExponents reads plain exponent numbers (3e7) as numbers,
// as YAML 1.2 does, and quoted ones as strings.
func TestParseNativeExponents(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(string(ntExample(t)), "estimatedLossJPY: 30000000", "estimatedLossJPY: 3e7", 1)
	b, err := ingest.ParseNative("exp.yaml", []byte(doc), ntScales())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(b.Nodes, func(n ingest.Node) bool { return n.ID == "example-analysis-heatworks-stop" })
	if got := b.Nodes[i].Props["estimatedLossJPY"]; got != 3e7 {
		t.Errorf("estimatedLossJPY = %v, want 3e7", got)
	}
	doc = strings.Replace(string(ntExample(t)), "name: OT security", `name: "1e3"`, 1)
	if _, err := ingest.ParseNative("exp.yaml", []byte(doc), ntScales()); err != nil {
		t.Errorf("a quoted 1e3 as a name: %v", err)
	}
	doc = strings.Replace(string(ntExample(t)), "name: OT security", `name: 1e3`, 1)
	if _, err := ingest.ParseNative("exp.yaml", []byte(doc), ntScales()); err == nil || !strings.Contains(err.Error(), "must be a string, not a number") {
		t.Errorf("a plain 1e3 as a name: %v, want a type error", err)
	}
}
