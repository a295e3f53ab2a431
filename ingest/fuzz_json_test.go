package ingest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/ingest"
)

// xwFuzz seeds a fuzz target with the testdata inputs whose names start
// with prefix (and their first halves, so that truncation is explored from
// the start), then checks that the parser returns either a well-formed
// batch or an error carrying an *ingest.Error, and never panics.
func xwFuzz(f *testing.F, prefix string, parse func(string, []byte) (*ingest.Batch, error)) {
	seeds, err := filepath.Glob(filepath.Join("testdata", prefix+"*"))
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, p := range seeds {
		if strings.HasSuffix(p, ".golden.json") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
		n++
	}
	if n == 0 {
		f.Fatalf("no testdata/%s* seeds", prefix)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := parse("fuzz", data)
		if err != nil {
			var e *ingest.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) carries no *ingest.Error", err, err)
			}
			if e.File != "fuzz" {
				t.Fatalf("error names file %q", e.File)
			}
			return
		}
		if b == nil {
			t.Fatal("no batch and no error")
		}
		xwCheckShape(t, b, true)
	})
}

func FuzzParseSTIX(f *testing.F) { xwFuzz(f, "stix_", ingest.ParseSTIX) }

func FuzzParseOSCALCatalog(f *testing.F) { xwFuzz(f, "oscal_catalog_", ingest.ParseOSCALCatalog) }

func FuzzParseOSCALMapping(f *testing.F) { xwFuzz(f, "oscal_mapping_", ingest.ParseOSCALMapping) }

func FuzzParseCSVCrosswalk(f *testing.F) { xwFuzz(f, "csv_", ingest.ParseCSVCrosswalk) }
