package neo4j_test

import (
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// BenchmarkTargetAnalyses splits the store's part of a cold comparison
// (10 analyses × 1,000 incidents): the whole read (store), the query
// alone with Neo4j's own time as server-ms/op (query: server, transfer and
// the driver's decoding of the records), and the decoding of the records
// into snapshots alone (decode). Its fixture takes a minute to write.
func BenchmarkTargetAnalyses(b *testing.B) {
	db := neo4jtest.Open(b)
	prefix := neo4jtest.Prefix(b)
	fx := neo4jtest.ComparisonFixture(b, prefix, 10, 1000)
	neo4jtest.SubmitThroughStore(b, fx) // with what each assessment rated, as real submitted analyses keep it
	ctx := b.Context()
	if _, _, err := db.TargetAnalyses(ctx, fx.TargetID); err != nil { // warm the plan
		b.Fatal(err)
	}
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			snaps, _, err := db.TargetAnalyses(ctx, fx.TargetID)
			if err != nil || len(snaps) != 10 || len(snaps[0].Assessments) != 1000 {
				b.Fatalf("TargetAnalyses: %d snapshots, %v", len(snaps), err)
			}
		}
	})
	b.Run("query", func(b *testing.B) {
		b.ReportAllocs()
		var server time.Duration
		for b.Loop() {
			d, _, err := neo4j.TargetAnalysesParts(ctx, db, fx.TargetID)
			if err != nil {
				b.Fatal(err)
			}
			server += d
		}
		b.ReportMetric(float64(server.Microseconds())/1000/float64(b.N), "server-ms/op")
	})
	b.Run("decode", func(b *testing.B) {
		_, decode, err := neo4j.TargetAnalysesParts(ctx, db, fx.TargetID)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if snaps := decode(); len(snaps) != 10 {
				b.Fatalf("decoded %d snapshots", len(snaps))
			}
		}
	})
}
