package ingest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// The -update flag rewrites golden files. Other test files of the package
// may define it too, so it is looked up rather than declared twice.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

// xwUpdate reports whether the test run was asked to rewrite golden files.
func xwUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// xwData reads a file of the shared data sets: $SSFGRAPH_DATA, or
// ../shared/data beside the repository. A missing folder fails the test.
func xwData(t testing.TB, folder, file string) []byte {
	t.Helper()
	p := filepath.Join(neo4jtest.DataDir(t), folder, file)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("the shared data set is missing (set SSFGRAPH_DATA to the data folder, default ../shared/data from the repository root): %v", err)
	}
	return data
}

// xwTestdata reads a file of ingest/testdata.
func xwTestdata(t testing.TB, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// xwGolden compares a batch with testdata/<input>.golden.json, or rewrites
// that file with -update.
func xwGolden(t *testing.T, input string, b *ingest.Batch) {
	t.Helper()
	got, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	p := filepath.Join("testdata", input+".golden.json")
	if xwUpdate() {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("batch of %s differs from %s (run go test ./ingest -update and review the diff):\n%s", input, p, xwFirstDiff(string(want), string(got)))
	}
}

// xwFirstDiff shows the first differing line of two texts.
func xwFirstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n want " + a + "\n got  " + b
		}
	}
	return "(same lines)"
}

// xwNodes counts a batch's nodes by label and xwRels its relationships by
// type.
func xwNodes(b *ingest.Batch) map[string]int {
	m := map[string]int{}
	for _, n := range b.Nodes {
		m[n.Label]++
	}
	return m
}

func xwRels(b *ingest.Batch) map[string]int {
	m := map[string]int{}
	for _, r := range b.Rels {
		m[r.Type]++
	}
	return m
}

// xwNode returns the node with the given label and id, failing without it.
func xwNode(t *testing.T, b *ingest.Batch, label, id string) ingest.Node {
	t.Helper()
	for _, n := range b.Nodes {
		if n.Label == label && n.ID == id {
			return n
		}
	}
	t.Fatalf("no %s node %q in the batch", label, id)
	return ingest.Node{}
}

// xwIDPattern is the API's rule for ids.
var xwIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:\-]{0,199}$`)

// xwCheckShape checks what every batch must satisfy: valid and unique node
// ids, allowed labels and types, property values of the storage types, and
// relationship ends that are in the batch (unless allowExternal, for
// mappings whose ends are stored catalogs).
func xwCheckShape(t *testing.T, b *ingest.Batch, allowExternal bool) {
	t.Helper()
	ids := map[[2]string]bool{}
	for _, n := range b.Nodes {
		if !xwIDPattern.MatchString(n.ID) {
			t.Errorf("node id %q is not a valid id", n.ID)
		}
		k := [2]string{n.Label, n.ID}
		if ids[k] {
			t.Errorf("node %s %q appears twice", n.Label, n.ID)
		}
		ids[k] = true
		for key, v := range n.Props {
			switch v.(type) {
			case string, bool, int64, float64, []string:
			default:
				t.Errorf("node %q property %s has type %T", n.ID, key, v)
			}
		}
	}
	pairs := map[[3]string]bool{}
	for _, r := range b.Rels {
		if !xwIDPattern.MatchString(r.From) || !xwIDPattern.MatchString(r.To) {
			t.Errorf("%s relationship %q → %q has an invalid end id", r.Type, r.From, r.To)
		}
		k := [3]string{r.Type, r.From, r.To}
		if pairs[k] {
			t.Errorf("%s relationship %q → %q appears twice", r.Type, r.From, r.To)
		}
		pairs[k] = true
		if !allowExternal && (!ids[[2]string{r.FromLabel, r.From}] || !ids[[2]string{r.ToLabel, r.To}]) {
			t.Errorf("%s relationship %q → %q has an end outside the batch", r.Type, r.From, r.To)
		}
		for key, v := range r.Props {
			switch v.(type) {
			case string, bool, int64, float64, []string, nil: // nil removes a property
			default:
				t.Errorf("%s %q → %q property %s has type %T", r.Type, r.From, r.To, key, v)
			}
		}
	}
}

// xwWarned fails unless some warning's message contains all the parts.
func xwWarned(t *testing.T, b *ingest.Batch, parts ...string) {
	t.Helper()
	for _, w := range b.Warnings {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(w.Message, p)
		}
		if ok {
			return
		}
	}
	t.Errorf("no warning says %q; warnings: %+v", parts, b.Warnings)
}

func TestParseSTIXAttackICS(t *testing.T) {
	t.Parallel()
	data := xwData(t, "mitre-attack-ics", "ics-attack-18.1.json")
	b, err := ingest.Parse("ics-attack-18.1.json", data, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	xwCheckShape(t, b, false)
	if b.Format != ingest.FormatSTIX || b.Source != "ics-attack-18.1.json" {
		t.Errorf("format, source = %q, %q", b.Format, b.Source)
	}
	// SOURCE.md: 95 attack-pattern, 52 course-of-action, 18 x-mitre-asset;
	// 331 mitigates and 685 targets relationships, none dangling.
	nodes, rels := xwNodes(b), xwRels(b)
	for label, want := range map[string]int{model.LabelThreat: 95, model.LabelMeasure: 52, model.LabelAssetKind: 18} {
		if nodes[label] != want {
			t.Errorf("%d %s nodes, want %d", nodes[label], label, want)
		}
	}
	if len(nodes) != 3 {
		t.Errorf("labels %v, want only Threat, Measure and AssetKind", nodes)
	}
	for typ, want := range map[string]int{model.RelMitigatedBy: 331, model.RelTargets: 685} {
		if rels[typ] != want {
			t.Errorf("%d %s relationships, want %d", rels[typ], typ, want)
		}
	}
	// No SUBTECHNIQUE_OF or REVOKED_BY: ICS has no sub-techniques
	// (x_mitre_is_subtechnique is always false) and its two revoked-by
	// relationships link intrusion sets (skipped below).
	if len(rels) != 2 {
		t.Errorf("relationship types %v, want only MITIGATED_BY and TARGETS", rels)
	}
	// SOURCE.md: 83 active techniques (12 revoked or deprecated), 52 active
	// mitigations; the other 27 of the 39 revoked or deprecated objects are
	// of skipped types.
	flagged := map[string]int{}
	externalIDs := map[string]bool{}
	for _, n := range b.Nodes {
		if n.Props["revoked"] == true || n.Props["deprecated"] == true {
			flagged[n.Label]++
		}
		if n.Props["revoked"] == true {
			flagged["revoked"]++ // measured: the 12 are deprecated, none revoked
		}
		if id, _ := n.Props["externalId"].(string); id != "" {
			externalIDs[id] = true
		}
	}
	if flagged[model.LabelThreat] != 12 || flagged[model.LabelMeasure] != 0 || flagged[model.LabelAssetKind] != 0 || flagged["revoked"] != 0 {
		t.Errorf("flagged revoked/deprecated %v, want 12 deprecated threats and nothing else", flagged)
	}
	if len(externalIDs) != 95+52+18 {
		t.Errorf("%d distinct ATT&CK ids, want %d (every object has one)", len(externalIDs), 95+52+18)
	}
	xwWarned(t, b, "12 attack-pattern", "revoked or deprecated", "kept and flagged")
	for typ, n := range map[string]string{
		"x-mitre-detection-strategy": "83", "x-mitre-analytic": "82", "x-mitre-data-component": "36", "malware": "30",
		"x-mitre-data-source": "17", "intrusion-set": "16", "x-mitre-tactic": "12", "campaign": "8", "identity": "1",
		"marking-definition": "1", "x-mitre-matrix": "1", "x-mitre-collection": "1",
	} {
		xwWarned(t, b, n+" "+typ+" object(s) skipped")
	}
	for typ, n := range map[string]string{"uses": "267", "detects": "83", "attributed-to": "5", "revoked-by": "2"} {
		xwWarned(t, b, n+" \""+typ+"\" relationship(s) skipped")
	}
	for _, w := range b.Warnings {
		if strings.Contains(w.Message, "not in the bundle") {
			t.Errorf("SOURCE.md says no relationship dangles; got %q", w.Message)
		}
	}

	th := xwNode(t, b, model.LabelThreat, "mitre-attack-ics:T0803")
	if th.Props["name"] != "Block Command Message" || th.Props["kind"] != "cyber-attack" || th.Props["externalId"] != "T0803" ||
		th.Props["source"] != "mitre-attack-ics" || th.Props["stixId"] != "attack-pattern--008b8f56-6107-48be-aa9f-746f927dbb61" ||
		th.Props["revoked"] != false || th.Props["deprecated"] != false {
		t.Errorf("T0803 props = %v", th.Props)
	}
	if tac, _ := th.Props["tactics"].([]string); len(tac) != 1 || tac[0] != "inhibit-response-function" {
		t.Errorf("T0803 tactics = %v", th.Props["tactics"])
	}
	dep := xwNode(t, b, model.LabelThreat, "mitre-attack-ics:T0850")
	if dep.Props["deprecated"] != true {
		t.Errorf("T0850 (deprecated, ATT&CK id under source mitre-ics-attack) props = %v", dep.Props)
	}
	m := xwNode(t, b, model.LabelMeasure, "mitre-attack-ics:M0948")
	if m.Props["name"] != "Application Isolation and Sandboxing" || m.Props["perspective"] != "P1" || m.Props["kind"] != "technical" {
		t.Errorf("M0948 props = %v", m.Props)
	}
	a := xwNode(t, b, model.LabelAssetKind, "mitre-attack-ics:A0008")
	if a.Props["name"] != "Application Server" {
		t.Errorf("A0008 props = %v", a.Props)
	}
	withRationale := 0
	for _, r := range b.Rels {
		if r.Type == model.RelMitigatedBy {
			if r.FromLabel != model.LabelThreat || r.ToLabel != model.LabelMeasure {
				t.Fatalf("MITIGATED_BY %s → %s, want Threat → Measure", r.FromLabel, r.ToLabel)
			}
			if s, _ := r.Props["rationale"].(string); s != "" {
				withRationale++
			}
		}
		if r.Type == model.RelTargets && (r.FromLabel != model.LabelThreat || r.ToLabel != model.LabelAssetKind) {
			t.Fatalf("TARGETS %s → %s, want Threat → AssetKind", r.FromLabel, r.ToLabel)
		}
	}
	if withRationale != 331 {
		t.Errorf("%d MITIGATED_BY with a rationale, want 331 (every mitigates relationship has a description)", withRationale)
	}
}

func TestParseSTIXTiny(t *testing.T) {
	t.Parallel()
	b, err := ingest.ParseSTIX("stix_tiny.json", xwTestdata(t, "stix_tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	xwCheckShape(t, b, false)
	xwGolden(t, "stix_tiny.json", b)

	for _, tt := range []struct {
		name  string
		label string
		id    string
		key   string
		want  any
	}{
		{"TechniqueName", model.LabelThreat, "mitre-attack-ics:T0803", "name", "Block Command Message"},
		{"DescriptionKeptAsMarkdown", model.LabelThreat, "mitre-attack-ics:T0803", "description", "Adversaries may *block* a command message."},
		{"DeprecatedKeptAndFlagged", model.LabelThreat, "mitre-attack-ics:T0850", "deprecated", true},
		{"NotRevoked", model.LabelThreat, "mitre-attack-ics:T0850", "revoked", false},
		{"MeasurePerspective", model.LabelMeasure, "mitre-attack-ics:M0948", "perspective", "P1"},
		{"AssetByAttackID", model.LabelAssetKind, "mitre-attack-ics:A0003", "externalId", "A0003"},
		{"AssetWithoutAttackID", model.LabelAssetKind, "mitre-attack-ics:x-mitre-asset--00000000-0000-4000-8000-000000000005", "stixId", "x-mitre-asset--00000000-0000-4000-8000-000000000005"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := xwNode(t, b, tt.label, tt.id).Props[tt.key]; got != tt.want {
				t.Errorf("%s %s = %v, want %v", tt.id, tt.key, got, tt.want)
			}
		})
	}
	if n := len(b.Nodes); n != 5 {
		t.Errorf("%d nodes, want 5", n)
	}
	want := []string{
		"MITIGATED_BY mitre-attack-ics:T0803 → mitre-attack-ics:M0948 (Sandboxing limits what a *blocked* command can do.)",
		"TARGETS mitre-attack-ics:T0803 → mitre-attack-ics:A0003 ()",
		"TARGETS mitre-attack-ics:T0850 → mitre-attack-ics:x-mitre-asset--00000000-0000-4000-8000-000000000005 ()",
	}
	var got []string
	for _, r := range b.Rels {
		ra, _ := r.Props["rationale"].(string)
		got = append(got, r.Type+" "+r.From+" → "+r.To+" ("+ra+")")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("relationships:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	xwWarned(t, b, "2 x-mitre-tactic object(s) skipped")
	xwWarned(t, b, "1 malware object(s) skipped")
	xwWarned(t, b, "1 \"uses\" relationship(s) skipped")
	xwWarned(t, b, "1 \"mitigates\" relationship(s) skipped: they are revoked or deprecated")
	xwWarned(t, b, "1 \"mitigates\" relationship(s) skipped: an end is not in the bundle")
	xwWarned(t, b, "1 attack-pattern object(s) are revoked or deprecated")
	xwWarned(t, b, "1 x-mitre-asset object(s) have no ATT&CK id")
}

// xwWantError checks that err is an *ingest.Error for file, at line (0:
// any line but 0, -1: no check), whose path and message contain the parts.
func xwWantError(t *testing.T, err error, file string, line int, path, msg string) {
	t.Helper()
	var e *ingest.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *ingest.Error", err, err)
	}
	if e.File != file {
		t.Errorf("error file %q, want %q", e.File, file)
	}
	switch {
	case line > 0 && e.Line != line:
		t.Errorf("error line %d, want %d (%v)", e.Line, line, e)
	case line == 0 && e.Line == 0:
		t.Errorf("error has no line: %v", e)
	}
	if path != "" && e.Path != path {
		t.Errorf("error path %q, want %q (%v)", e.Path, path, e)
	}
	if !strings.Contains(e.Message, msg) {
		t.Errorf("error message %q does not contain %q", e.Message, msg)
	}
}

func TestParseSTIXErrors(t *testing.T) {
	t.Parallel()
	tiny := string(xwTestdata(t, "stix_tiny.json"))
	real := xwData(t, "mitre-attack-ics", "ics-attack-18.1.json")
	truncatedAt := bytes.Count(real[:len(real)/2], []byte("\n")) + 1
	for _, tt := range []struct {
		name string
		in   string
		line int
		path string
		msg  string
	}{
		{"TruncatedRealBundle", string(real[:len(real)/2]), truncatedAt, "", "truncated"},
		{"TruncatedTiny", tiny[:len(tiny)-10], 102, "objects[13]", "truncated"},
		{"Empty", "  \n", 1, "", "empty"},
		{"NotJSON", "type: bundle\n", 1, "", "invalid JSON"},
		{"ExtraComma", "{\"type\": \"bundle\",\n \"objects\": [{}, ,]}", 2, "objects[1]", "invalid character ','"},
		{"NameNotString", strings.Replace(tiny, `"name": "Role Identification"`, `"name": 5`, 1), 26, "objects[1].name", "expected a string, found number"},
		{"RevokedNotBool", strings.Replace(tiny, `"revoked": true`, `"revoked": "yes"`, 1), 92, "objects[12].revoked", "expected true or false, found string"},
		{"ObjectsNotArray", `{"type": "bundle", "objects": {"a": 1}}`, 1, "objects", "expected an array, found object"},
		{"ExternalRefsNotArray", strings.Replace(tiny, `"external_references": [{"source_name": "mitre-attack", "external_id": "M0948"}]`, `"external_references": "M0948"`, 1), 40, "objects[2].external_references", "expected an array"},
		{"MissingID", strings.Replace(tiny, `"id": "course-of-action--00000000-0000-4000-8000-000000000003",`, ``, 1), 34, "objects[2]", "course-of-action object has no id"},
		{"MissingType", strings.Replace(tiny, `"type": "x-mitre-asset",
      "spec_version": "2.1",
      "id": "x-mitre-asset--00000000-0000-4000-8000-000000000004"`, `"id": "x-mitre-asset--00000000-0000-4000-8000-000000000004"`, 1), 42, "objects[3]", "object has no type"},
		{"IDOfOtherType", strings.Replace(tiny, `"id": "x-mitre-asset--00000000-0000-4000-8000-000000000005"`, `"id": "malware--00000000-0000-4000-8000-000000000005"`, 1), 53, "objects[4].id", "does not start with its type"},
		{"RelationshipWithoutTarget", strings.Replace(tiny, `"target_ref": "attack-pattern--00000000-0000-4000-8000-000000000002"`, `"x": 1`, 1), 88, "objects[12]", "no source_ref or target_ref"},
		{"NotABundle", `{"type": "attack-pattern", "objects": []}`, 1, "type", "not a STIX bundle"},
		{"NoType", `{"objects": []}`, 1, "", "not a STIX bundle"},
		{"TopLevelArray", `[{"type": "bundle"}]`, 1, "", "expected an object, found array"},
		{"TooDeep", `{"type": "bundle", "objects": [{"type": "x", "id": "x--1", "deep": ` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}]}`, 1, "objects[0].deep[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]", "nested more than 64 deep"},
		{"TrailingData", `{"type": "bundle", "objects": []} {}`, 1, "", "invalid JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ingest.ParseSTIX("bad.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; batch has %d nodes", len(b.Nodes))
			}
			xwWantError(t, err, "bad.json", tt.line, tt.path, tt.msg)
		})
	}
}

func TestParseSTIXEdgeCases(t *testing.T) {
	t.Parallel()
	const ap1 = `{"type": "attack-pattern", "id": "attack-pattern--1", "name": "One", "external_references": [{"source_name": "mitre-attack", "external_id": "T0001"}]}`
	const coa = `{"type": "course-of-action", "id": "course-of-action--1", "name": "Fix", "external_references": [{"source_name": "mitre-attack", "external_id": "M0001"}]}`
	bundle := func(objects ...string) string {
		return `{"type": "bundle", "id": "bundle--1", "objects": [` + strings.Join(objects, ",") + `]}`
	}
	for _, tt := range []struct {
		name, in string
		nodes    []string
		rels     int
		warn     string
	}{
		{"DuplicateObject", bundle(ap1, ap1), []string{"stix:T0001"}, 0, "1 attack-pattern object(s) repeat the STIX id"},
		{"SharedAttackID", bundle(ap1, strings.Replace(ap1, "attack-pattern--1", "attack-pattern--2", 1)),
			[]string{"stix:T0001", "stix:attack-pattern--2"}, 0, "ATT&CK id T0001 is used by attack-pattern--1 too"},
		{"UnusableAttackID", bundle(strings.Replace(ap1, `"T0001"`, `"T 0001"`, 1)), []string{"stix:attack-pattern--1"}, 0, "cannot be part of a node id"},
		{"MitigatesReversed", bundle(ap1, coa, `{"type": "relationship", "id": "relationship--1", "relationship_type": "mitigates", "source_ref": "attack-pattern--1", "target_ref": "course-of-action--1"}`),
			[]string{"stix:T0001", "stix:M0001"}, 0, `1 "mitigates" relationship(s) skipped: their ends are not of the types`},
		{"RepeatedRelationship", bundle(ap1, coa,
			`{"type": "relationship", "id": "relationship--1", "relationship_type": "mitigates", "source_ref": "course-of-action--1", "target_ref": "attack-pattern--1"}`,
			`{"type": "relationship", "id": "relationship--2", "relationship_type": "mitigates", "source_ref": "course-of-action--1", "target_ref": "attack-pattern--1"}`),
			[]string{"stix:T0001", "stix:M0001"}, 1, `1 "mitigates" relationship(s) skipped: the same pair is linked earlier`},
		{"EmptyBundle", bundle(), nil, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ingest.ParseSTIX("t.json", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			xwCheckShape(t, b, false)
			var ids []string
			for _, n := range b.Nodes {
				ids = append(ids, n.ID)
			}
			if strings.Join(ids, " ") != strings.Join(tt.nodes, " ") || len(b.Rels) != tt.rels {
				t.Errorf("nodes %v and %d relationships, want %v and %d", ids, len(b.Rels), tt.nodes, tt.rels)
			}
			if tt.warn != "" {
				xwWarned(t, b, tt.warn)
			}
		})
	}
}

// TestParseSTIXLineage reads sub-techniques and revocations: the
// sub-technique's SUBTECHNIQUE_OF its technique, REVOKED_BY from a revoked
// technique or mitigation to its replacement, and, skipped, revoked-by
// across types or from other types, ends outside the bundle and links of an
// object to itself.
func TestParseSTIXLineage(t *testing.T) {
	t.Parallel()
	b, err := ingest.ParseSTIX("stix_lineage_tiny.json", xwTestdata(t, "stix_lineage_tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	xwCheckShape(t, b, false)
	xwGolden(t, "stix_lineage_tiny.json", b)
	var got []string
	for _, r := range b.Rels {
		got = append(got, r.Type+" "+r.FromLabel+" "+r.From+" → "+r.ToLabel+" "+r.To)
	}
	want := []string{
		"SUBTECHNIQUE_OF Threat mitre-attack-enterprise:T1059.001 → Threat mitre-attack-enterprise:T1059",
		"REVOKED_BY Threat mitre-attack-enterprise:T1086 → Threat mitre-attack-enterprise:T1059.001",
		"REVOKED_BY Measure mitre-attack-enterprise:T1086-M → Measure mitre-attack-enterprise:M1038",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("relationships:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for id, want := range map[string][2]bool{"T1059": {false, false}, "T1086": {true, false}, "T1999": {false, true}} {
		n := xwNode(t, b, model.LabelThreat, "mitre-attack-enterprise:"+id)
		if n.Props["revoked"] != want[0] || n.Props["deprecated"] != want[1] {
			t.Errorf("%s: revoked %v, deprecated %v; want %v, %v", id, n.Props["revoked"], n.Props["deprecated"], want[0], want[1])
		}
	}
	if n := xwNode(t, b, model.LabelMeasure, "mitre-attack-enterprise:T1086-M"); n.Props["revoked"] != true {
		t.Errorf("the revoked mitigation: %v", n.Props)
	}
	xwWarned(t, b, `2 "revoked-by" relationship(s) skipped: their ends are not of the types`)
	xwWarned(t, b, `1 "subtechnique-of" relationship(s) skipped: an end is not in the bundle`)
	xwWarned(t, b, `1 "subtechnique-of" relationship(s) skipped: they link an object to itself`)
	xwWarned(t, b, "2 attack-pattern object(s) are revoked or deprecated")
	xwWarned(t, b, "1 course-of-action object(s) are revoked or deprecated")
}

// TestLoadSTIXLineage loads the lineage bundle: the sub-technique and
// revocation relationships are stored between the flagged nodes, and
// loading the bundle again changes nothing.
func TestLoadSTIXLineage(t *testing.T) {
	t.Parallel()
	p := neo4jtest.Prefix(t)
	b, err := ingest.ParseSTIX("stix_lineage_tiny.json", xwTestdata(t, "stix_lineage_tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep := neo4jtest.Load(t, neo4jtest.PrefixBatch(b, p))
	if rep.Rels[model.RelSubtechniqueOf].Created != 1 || rep.Rels[model.RelRevokedBy].Created != 2 {
		t.Errorf("relationships %v, want 1 SUBTECHNIQUE_OF and 2 REVOKED_BY created", rep.Rels)
	}
	rows := xwQuery(t, `
MATCH (a)-[r:SUBTECHNIQUE_OF|REVOKED_BY]->(b) WHERE a.id STARTS WITH $p
RETURN type(r) + ' ' + [l IN labels(a) WHERE l <> 'Entity'][0] + ' ' + a.id + ' ' + toString(a.revoked) + ' → ' +
       [l IN labels(b) WHERE l <> 'Entity'][0] + ' ' + b.id AS rel ORDER BY rel`,
		map[string]any{"p": p})
	var got []string
	for _, r := range rows {
		got = append(got, strings.ReplaceAll(r["rel"].(string), p+"mitre-attack-enterprise:", ""))
	}
	want := "REVOKED_BY Measure T1086-M true → Measure M1038\nREVOKED_BY Threat T1086 true → Threat T1059.001\nSUBTECHNIQUE_OF Threat T1059.001 false → Threat T1059"
	if strings.Join(got, "\n") != want {
		t.Errorf("stored:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	xwUnchanged(t, neo4jtest.Load(t, neo4jtest.PrefixBatch(b, p)))
}
