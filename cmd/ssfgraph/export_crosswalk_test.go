package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// TestExportCrosswalkThroughHub loads the NIST IoT capability catalog's
// crosswalk to SP 800-53 and the CSF 2.0 → SP 800-53 collection, exports
// the inferred IoT → CSF 2.0 crosswalk as an OSCAL mapping collection, and
// reads it back: every map is an intersects-with pair from the IoT catalog
// to CSF 2.0 with the path in its remarks, and a dry-run ingest of the file
// accepts it.
func TestExportCrosswalkThroughHub(t *testing.T) {
	t.Parallel()
	data := ingestDataDir(t)
	files := []string{
		filepath.Join(data, "nist-sp800-53r5-oscal", "NIST_SP-800-53_rev5_catalog.json"),
		filepath.Join(data, "nist-csf2-to-sp800-53r5-oscal-mapping", "NIST_CSF_v2.0.catalog.json"),
		filepath.Join(data, "nist-csf2-to-sp800-53r5-oscal-mapping", "NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json"),
		filepath.Join(data, "nist-iot-device-capabilities-catalog-mappings", "IoT_Catalog_to_800-53r5__Technical_Capabilities.csv"),
	}
	uri := []string{"--neo4j-uri", neo4jtest.URI()}
	if code, _, stderr := ingestCLI(t, append(uri, files...)...); code != exitOK {
		t.Fatalf("loading the data: exit %d: %s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "iot-to-csf.json")
	var stdout, stderr bytes.Buffer
	args := append([]string{"export", "crosswalk", "nist-ir-8259-iot-catalog", "nist-csf-2.0", "--out", out, "--log-level", "warn"}, uri...)
	if code := run(t.Context(), args, &stdout, &stderr); code != exitOK {
		t.Fatalf("export crosswalk: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "exported crosswalk nist-ir-8259-iot-catalog → nist-csf-2.0 (") {
		t.Errorf("stderr: %s", stderr.String())
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ingest.Parse(out, doc, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatalf("the exported collection does not parse: %v", err)
	}
	if b.Format != ingest.FormatOSCALMapping || len(b.Rels) < 100 {
		t.Fatalf("format %s, %d pairs", b.Format, len(b.Rels))
	}
	for _, r := range b.Rels {
		if !strings.HasPrefix(r.From, "nist-ir-8259-iot-catalog:") || !strings.HasPrefix(r.To, "nist-csf-2.0:") ||
			r.Props["relationship"] != "INTERSECTS_WITH" || r.Props["coverage"] != 0.125 {
			t.Fatalf("pair %s → %s %v", r.From, r.To, r.Props)
		}
	}
	if !bytes.Contains(doc, []byte(`"remarks": "Inferred by ssfgraph through nist-ir-8259-iot-catalog:`)) || !bytes.Contains(doc, []byte(`"target-gap-summary"`)) {
		t.Error("the maps must name their paths and the collection its gaps")
	}
	if code, _, stderr := ingestCLI(t, append(uri, "--dry-run", out)...); code != exitOK {
		t.Fatalf("a dry-run ingest of the export: exit %d: %s", code, stderr)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "crosswalk", "nist-csf-2.0"}, "needs two guideline ids"},
		{[]string{"export", "crosswalk", "nist-csf-2.0", "nist-sp800-53r5", "--max-hops", "9"}, "--max-hops must be from 1 to 6"},
		{[]string{"export", "crosswalk", "nist-csf-2.0", "nist-sp800-53r5", "--format", "yaml"}, "OSCAL JSON only"},
		{append([]string{"export", "crosswalk", "nope", "nist-sp800-53r5"}, uri...), `no guideline "nope"`},
	} {
		stdout.Reset()
		stderr.Reset()
		if code := run(t.Context(), c.args, &stdout, &stderr); code == exitOK || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to say %q", c.args, code, stderr.String(), c.want)
		}
	}
}
