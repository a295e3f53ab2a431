package resolvers_test

import (
	"net/http/httptest"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// BenchmarkNestedRead reads 100 targets × 5 analyses × 50 assessments, each
// with its levels, incident, threats and treatments with their measures'
// clauses, through real GraphQL over real HTTP on the real Neo4j. It
// reports round trips to Neo4j per read besides time and allocations (of
// client and server: both run in this process). The data is created once
// with batched UNWIND fixtures and deleted in batches afterwards. The same
// read runs compiled (one projection, compiled.go) and through the
// resolvers and their loaders, on the same data in the same run.
//
//	go test -run '^$' -bench BenchmarkNestedRead -benchmem -benchtime 3x ./resolvers/
func BenchmarkNestedRead(b *testing.B) {
	size := neo4jtest.AnalysisBulkSize{Targets: 100, AnalysesPerTarget: 5, AssessmentsPerAnalysis: 50}
	p := neo4jtest.Prefix(b)
	bulk := neo4jtest.AnalysisBulkCreate(b, p, size)
	counter := &neo4jtest.Counter{}
	db := neo4jtest.OpenObserved(b, counter)
	for _, path := range []struct {
		name string
		o    resolvers.Options
	}{
		{"compiled", resolvers.Options{Store: db}},
		{"resolvers", resolvers.WithResolverReads(resolvers.Options{Store: db})},
	} {
		b.Run(path.name, func(b *testing.B) {
			srv := httptest.NewServer(resolvers.NewHandler(path.o))
			b.Cleanup(srv.Close)

			// One checked read first: the benchmark must read everything.
			assessments, treatments, _ := countNested(b, postNested(b, srv, bulk.Word, 500), size)
			if assessments != bulk.Assessments || treatments != 2*bulk.Assessments {
				b.Fatalf("read %d assessments and %d treatments, want %d and %d", assessments, treatments, bulk.Assessments, 2*bulk.Assessments)
			}
			counter.Take()

			b.ReportAllocs()
			reads := 0
			for b.Loop() {
				postNested(b, srv, bulk.Word, 500)
				reads++
			}
			trips, by := counter.Take()
			b.ReportMetric(float64(trips)/float64(reads), "roundtrips/op")
			b.Logf("%d reads, %d round trips: %s", reads, trips, by)
		})
	}
}
