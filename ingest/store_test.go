package ingest_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// Tests that load real files into the shared test database and read back
// what was stored. The files' ids are fixed (nist-sp800-53r5:ac-2, …), so
// each test loads them under a prefix of its own (neo4jtest.PrefixBatch):
// its copy sits beside other tests' and goes when the test ends.

// xwParse parses a real file, failing the test on error.
func xwParse(t *testing.T, folder, file string) *ingest.Batch {
	t.Helper()
	b, err := ingest.Parse(file, xwData(t, folder, file), ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// xwLoad parses a real file, prefixes its ids with p and loads it into the
// test database, failing the test on any error. It returns the report and
// the batch as parsed (unprefixed).
func xwLoad(t *testing.T, p, folder, file string) (*ingest.Report, *ingest.Batch) {
	t.Helper()
	b := xwParse(t, folder, file)
	return neo4jtest.Load(t, neo4jtest.PrefixBatch(b, p)), b
}

// xwUnchanged fails unless rep created and updated nothing.
func xwUnchanged(t *testing.T, rep *ingest.Report) {
	t.Helper()
	for _, counts := range []map[string]ingest.Counts{rep.Nodes, rep.Rels} {
		for _, k := range slices.Sorted(maps.Keys(counts)) {
			if c := counts[k]; c.Created != 0 || c.Updated != 0 {
				t.Errorf("loading %s again: %s %+v, want 0 created and 0 updated", rep.Source, k, c)
			}
		}
	}
}

// xwQuery runs one statement on the test database and returns its rows.
func xwQuery(t *testing.T, cypher string, params map[string]any) []map[string]any {
	t.Helper()
	return neo4jtest.AnalysisExec(t, cypher, params)
}

// xwParseTestdata parses a file of ingest/testdata, failing the test on
// error.
func xwParseTestdata(t *testing.T, file string) *ingest.Batch {
	t.Helper()
	b, err := ingest.Parse(file, xwTestdata(t, file), ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
