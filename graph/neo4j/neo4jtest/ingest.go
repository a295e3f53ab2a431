package neo4jtest

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/ssfgraph/ssfgraph/ingest"
)

// batchIDProps are the properties of ingested nodes that hold node ids,
// which PrefixBatch prefixes like the ids themselves.
var batchIDProps = []string{"guidelineId", "parentId"}

// PrefixBatch returns a copy of b whose node ids, relationship ends and id
// properties (guidelineId, parentId) start with p, so that a
// real file, whose ids are fixed (nist-sp800-53r5:ac-2, …), loads into the
// shared test database beside other tests' copies; Prefix deletes it when
// the test ends. Other properties, Where and Hint are kept.
func PrefixBatch(b *ingest.Batch, p string) *ingest.Batch {
	out := *b
	out.Nodes = make([]ingest.Node, len(b.Nodes))
	for i, n := range b.Nodes {
		n.ID = p + n.ID
		n.Props = maps.Clone(n.Props)
		for _, k := range batchIDProps {
			if s, ok := n.Props[k].(string); ok && s != "" {
				n.Props[k] = p + s
			}
		}
		out.Nodes[i] = n
	}
	out.Rels = make([]ingest.Rel, len(b.Rels))
	for i, r := range b.Rels {
		r.From, r.To = p+r.From, p+r.To
		r.Props = maps.Clone(r.Props)
		out.Rels[i] = r
	}
	return &out
}

// Load loads b into the test database in one transaction (the ingest
// loader, committed) and returns its report, failing the test on error.
func Load(t testing.TB, b *ingest.Batch) *ingest.Report {
	t.Helper()
	rep, err := Open(t).LoadBatch(t.Context(), b, false)
	if err != nil {
		t.Fatalf("neo4jtest.Load %s: %v", b.Source, err)
	}
	return rep
}

// RealBatch reads a file of the shared real data sets ($SSFGRAPH_DATA, or
// ../shared/data beside the repository) and parses it, failing the test
// when it is missing or does not parse.
func RealBatch(t testing.TB, folder, file string) *ingest.Batch {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(DataDir(t), folder, file))
	if err != nil {
		t.Fatalf("the shared data set is missing a file: %v", err)
	}
	b, err := ingest.Parse(file, data, ingest.FormatAuto, ingest.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
