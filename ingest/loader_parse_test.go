package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// loaderDataDir returns the shared real data sets (SSFGRAPH_DATA, or
// ../shared/data beside the repository), failing when they are missing.
func loaderDataDir(t testing.TB) string {
	t.Helper()
	return neo4jtest.DataDir(t)
}

func TestDetectFormat(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, doc string
		want      ingest.Format
		err       string // in the error, when want is ""
	}{
		{"STIX", `{"type": "bundle", "id": "bundle--1", "objects": []}`, ingest.FormatSTIX, ""},
		{"STIXTypeLater", `{"id": "bundle--1", "objects": [], "type": "bundle"}`, ingest.FormatSTIX, ""},
		{"STIXTruncated", "{\"type\": \"bundle\",\n \"objects\": [{\"type\": \"attack-pat", ingest.FormatSTIX, ""},
		{"OSCALCatalog", `{"catalog": {"uuid": "x", "metadata": {}}}`, ingest.FormatOSCALCatalog, ""},
		{"OSCALMapping", "\ufeff" + `{"mapping-collection": {"uuid": "x"}}`, ingest.FormatOSCALMapping, ""},
		{"OSCALProfile", `{"profile": {"uuid": "x", "imports": []}}`, ingest.FormatOSCALProfile, ""},
		{"NativeJSON", `{"apiVersion": "ssfgraph/v1", "kind": "AnalysisDocument"}`, ingest.FormatNative, ""},
		{"NativeYAML", "# a comment\napiVersion: ssfgraph/v1\nkind: AnalysisDocument\n", ingest.FormatNative, ""},
		{"NativeYAMLQuoted", "kind: AnalysisDocument\n\"apiVersion\": 'ssfgraph/v1' # pinned\n", ingest.FormatNative, ""},
		{"CISO", "urn: urn:intuitem:risk:library:x\nref_id: x\nobjects:\n  framework:\n    urn: y\n", ingest.FormatCISOLibrary, ""},
		{"CSV", "source id,target ids,relationship\nA-1,B-2 B-3,equal\n", ingest.FormatCSVCrosswalk, ""},
		{"CSVQuoted", "\"a, b\",c\n\"multi\nline\",d\n", ingest.FormatCSVCrosswalk, ""},
		{"JSONUnknown", `{"hello": "world"}`, "", "cannot tell the format of this JSON"},
		{"JSONArray", `[1, 2]`, "", "must be an object"},
		{"JSONBroken", "{\n\n \"x\" 5}", "", ":3: not valid JSON"},
		{"JSONTruncatedEarly", "{\n \"typ", "", "ends early"},
		{"YAMLOtherAPI", "apiVersion: v1\nkind: Pod\n", "", "cannot tell the format"},
		{"OneColumn", "just\nwords\n", "", "cannot tell the format"},
		{"RaggedCSV", "a,b\n1,2,3\n", "", "cannot tell the format"},
		{"Empty", " \n\t", "", "empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ingest.DetectFormat("doc", []byte(tt.doc))
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Errorf("DetectFormat = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			ie, ok := errors.AsType[*ingest.Error](err)
			if !ok || ie.File != "doc" || !strings.Contains(ie.Error(), tt.err) {
				t.Errorf("DetectFormat = %q, %v; want an *ingest.Error for doc containing %q", got, err, tt.err)
			}
		})
	}
}

func TestDetectFormatOfEveryRealDataSet(t *testing.T) {
	t.Parallel()
	data := loaderDataDir(t)
	want := map[string]ingest.Format{
		"mitre-attack-ics/ics-attack-18.1.json":                                                              ingest.FormatSTIX,
		"nist-sp800-53r5-oscal/NIST_SP-800-53_rev5_catalog.json":                                             ingest.FormatOSCALCatalog,
		"nist-sp800-53r5-oscal/NIST_SP-800-53_rev5_HIGH-baseline_profile.json":                               ingest.FormatOSCALProfile,
		"nist-csf2-to-sp800-53r5-oscal-mapping/NIST_CSF_v2.0.catalog.json":                                   ingest.FormatOSCALCatalog,
		"nist-csf2-to-sp800-53r5-oscal-mapping/NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json": ingest.FormatOSCALMapping,
		"nist-csf2-to-sp800-53r5-oscal-mapping/csf2_to_800-53_crosswalk.csv":                                 ingest.FormatCSVCrosswalk,
	}
	for _, glob := range []string{"ciso-assistant-libraries/*.yaml", "nist-iot-device-capabilities-catalog-mappings/*.csv"} {
		files, _ := filepath.Glob(filepath.Join(data, glob))
		if len(files) == 0 {
			t.Fatalf("no %s in %s", glob, data)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(data, f)
			want[rel] = map[bool]ingest.Format{true: ingest.FormatCISOLibrary, false: ingest.FormatCSVCrosswalk}[strings.HasSuffix(f, ".yaml")]
		}
	}
	for rel, format := range want {
		b, err := os.ReadFile(filepath.Join(data, rel))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ingest.DetectFormat(rel, b); got != format || err != nil {
			t.Errorf("%s: DetectFormat = %q, %v; want %q", rel, got, err, format)
		}
	}
}

func TestParseDispatchesAndLimits(t *testing.T) {
	t.Parallel()
	tiny, err := os.ReadFile(filepath.Join("testdata", "stix_tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ingest.Parse("tiny.json", tiny, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Source != "tiny.json" || b.Format != ingest.FormatSTIX || len(b.Nodes) == 0 {
		t.Errorf("Parse(auto) = source %q, format %q, %d nodes", b.Source, b.Format, len(b.Nodes))
	}
	if _, err := ingest.Parse("tiny.json", tiny, ingest.FormatOSCALCatalog, ingest.ParseOptions{}); err == nil {
		t.Error("a STIX bundle parsed as an OSCAL catalog")
	}
	for _, tt := range []struct {
		name   string
		data   []byte
		format ingest.Format
		want   string
	}{
		{"TooLarge", bytes.Repeat([]byte(" "), ingest.MaxFileBytes+1), ingest.FormatAuto, "the limit is 67108864 (64 MiB)"},
		{"Empty", []byte("\ufeff \n"), ingest.FormatSTIX, "the document is empty"},
		{"UnknownFormat", tiny, "xml", `unknown format "xml"`},
		{"CannotTell", []byte("just words"), ingest.FormatAuto, "cannot tell the format"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.Parse("doc", tt.data, tt.format, ingest.ParseOptions{})
			if ie, ok := errors.AsType[*ingest.Error](err); !ok || ie.File != "doc" || !strings.Contains(ie.Message, tt.want) {
				t.Errorf("Parse = %v, want an *ingest.Error for doc containing %q", err, tt.want)
			}
		})
	}
	for _, s := range []string{"auto", "native", "stix", "oscal-catalog", "oscal-profile", "oscal-mapping", "csv-crosswalk", "ciso-library"} {
		if f, err := ingest.ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, err)
		}
	}
	if _, err := ingest.ParseFormat("STIX"); err == nil || !strings.Contains(err.Error(), "use one of auto, native, stix") {
		t.Errorf("ParseFormat(STIX) = %v", err)
	}
}

func TestOrder(t *testing.T) {
	t.Parallel()
	file := func(name, content string) ingest.File { return ingest.File{Name: name, Data: []byte(content)} }
	var (
		stix     = file("attack.json", `{"type": "bundle", "objects": []}`)
		catalog  = file("800-53.json", `{"catalog": {}}`)
		csf      = file("csf.json", `{"catalog": {}}`)
		mapping  = file("mapping.json", `{"mapping-collection": {}}`)
		profile  = file("high.json", `{"profile": {}}`)
		baseline = file("high-catalog.json", `{"catalog": {"metadata": {"title": "NIST SP 800-53 Rev 5 LOW IMPACT BASELINE"}}}`)
		csv      = file("crosswalk.csv", "a,b\n1,2\n")
		native   = file("analysis.yaml", "apiVersion: ssfgraph/v1\n")
		broken   = file("broken.txt", "words")
		controls = file("controls.yaml", "urn: urn:intuitem:risk:library:doc-pol\nobjects:\n  reference_controls: []\n")
		iso      = file("iso.yaml", "urn: urn:intuitem:risk:library:iso27001-2022\ndependencies:\n- urn:intuitem:risk:library:doc-pol\nobjects:\n  framework: {}\n")
		csf11    = file("csf11.yaml", "urn: urn:intuitem:risk:library:nist-csf-1.1\nobjects:\n  framework: {}\n")
		cisoMap  = file("map.yaml", "urn: urn:intuitem:risk:library:map\ndependencies:\n  - urn:intuitem:risk:library:iso27001-2022\nobjects:\n  requirement_mapping_set:\n    urn: x\n")
		explicit = ingest.File{Name: "typed.csv", Data: []byte("{not csv at all"), Format: ingest.FormatCSVCrosswalk}
	)
	for _, tt := range []struct {
		name  string
		files []ingest.File
		want  string
	}{
		{"MappingBeforeCatalogs", []ingest.File{mapping, catalog, csf}, "800-53.json csf.json mapping.json"},
		{"BaselinesAfterCatalogs", []ingest.File{profile, baseline, catalog}, "800-53.json high.json high-catalog.json"},
		{"AllKinds", []ingest.File{broken, native, csv, mapping, stix, catalog}, "attack.json 800-53.json crosswalk.csv mapping.json analysis.yaml broken.txt"},
		{"Kept", []ingest.File{stix, catalog, mapping, native}, "attack.json 800-53.json mapping.json analysis.yaml"},
		{"CISODependencies", []ingest.File{cisoMap, iso, csf11, controls}, "csf11.yaml controls.yaml iso.yaml map.yaml"},
		{"ExplicitFormat", []ingest.File{explicit, catalog}, "800-53.json typed.csv"},
		{"None", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]ingest.File(nil), tt.files...)
			var names []string
			for _, f := range ingest.Order(tt.files) {
				names = append(names, f.Name)
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Errorf("Order = %s, want %s", got, tt.want)
			}
			for i := range in {
				if in[i].Name != tt.files[i].Name {
					t.Fatal("Order modified its argument")
				}
			}
		})
	}
}

func TestProgressAndReports(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := ingest.NewProgress(&buf, 2000)
	p.File("catalog.json")
	ctx := ingest.WithProgress(context.Background(), p.Add)
	ingest.ReportProgress(ctx, 1000)
	ingest.ReportProgress(ctx, 1000)
	ingest.ReportProgress(context.Background(), 5) // no progress function: nothing happens
	p.Clear()
	out := buf.String()
	for _, want := range []string{"\r\033[Kcatalog.json", "  0% 0/2,000 records", "[==============================] 100% 2,000/2,000 records", "\r\033[K"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output %q does not contain %q", out, want)
		}
	}
	if ingest.IsTerminal(&buf) {
		t.Error("a buffer is a terminal")
	}

	rep := &ingest.Report{Source: "a.json", Format: ingest.FormatOSCALCatalog, DryRun: true, Took: 1500 * time.Millisecond,
		Nodes: map[string]ingest.Counts{"Clause": {Created: 1200, Unchanged: 9}, "Guideline": {Created: 1}},
		Rels:  map[string]ingest.Counts{"HAS_CLAUSE": {Updated: 3}},
		Warnings: []ingest.Warning{{Location: "catalog.groups[1]", Message: "repeated"}, {Location: "catalog.groups[3]", Message: "repeated"},
			{Location: "catalog.groups[5]", Message: "repeated"}}}
	buf.Reset()
	if err := ingest.WriteReport(&buf, rep, 2); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a.json (oscal-catalog, dry run: nothing written): 1,210 nodes, 3 relationships in 1.5s",
		"Clause                      1,200          0          9", "HAS_CLAUSE", "3 warning(s):", "catalog.groups[3]: repeated", "… and 1 more"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report %q does not contain %q", buf.String(), want)
		}
	}

	s := ingest.Summary{DryRun: true, Took: 2 * time.Second}
	s.Add(rep)
	s.Add(nil)
	s.Add(&ingest.Report{Nodes: map[string]ingest.Counts{"Threat": {Created: 5}}})
	if want := "ingest (dry run: nothing written): 3 files, 1 failed: nodes 1,206 created, 0 updated, 9 unchanged; relationships 0 created, 3 updated, 0 unchanged; 3 warnings; 2s"; s.String() != want {
		t.Errorf("summary\n%s\nwant\n%s", s, want)
	}
}

// FuzzParseAuto feeds the dispatcher (format detection, then whichever
// parser it picks) arbitrary documents seeded from testdata: it must not
// panic, and must return a batch or an error carrying an *ingest.Error.
func FuzzParseAuto(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, name := range files {
		if strings.HasSuffix(name, ".golden.json") {
			continue
		}
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"type": "bundle"`))
	f.Add([]byte("urn: x\nobjects:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ingest.Parse("fuzz", data, ingest.FormatAuto, ingest.ParseOptions{})
		if err != nil {
			if _, ok := errors.AsType[*ingest.Error](err); !ok {
				t.Fatalf("error without an *ingest.Error: %v", err)
			}
			return
		}
		if b == nil {
			t.Fatal("no batch and no error")
		}
	})
}
