package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ssfgraph/ssfgraph/coverage"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// BenchmarkGuidelineCoverage computes, through GraphQL over HTTP, the
// coverage of SP 800-53 by an analysis with 200 measures that each satisfy
// a CSF 2.0 subcategory, reached through the CSF 2.0 → SP 800-53 mapping
// collection (every clause with its status and path), and reports the
// Cypher round trips per request.
func BenchmarkGuidelineCoverage(b *testing.B) {
	trips := &neo4jtest.Counter{}
	db := neo4jtest.OpenObserved(b, trips)
	e := newEnv(b, resolvers.Options{Store: db})
	loadData(b, db, sp80053Catalog, csf2Catalog, csf2To80053)
	subcategories := neo4jtest.AnalysisExec(b, `MATCH (:Guideline {id: 'nist-csf-2.0'})-[:HAS_CLAUSE]->(c:Clause)
		WHERE c.kind <> 'group' AND NOT coalesce(c.withdrawn, false) RETURN c.id AS id ORDER BY id`, nil)
	if len(subcategories) < 100 {
		b.Fatalf("%d CSF 2.0 subcategories loaded", len(subcategories))
	}
	var claims []claim
	for i := range 200 {
		status := "IMPLEMENTED"
		if i%5 == 4 {
			status = "PLANNED"
		}
		claims = append(claims, claim{fmt.Sprintf("m%03d", i), subcategories[i%len(subcategories)]["id"].(string), "EQUAL_TO", status})
	}
	p := e.p + "bench"
	loadDocument(b, db, p+".yaml", coverageDocument(p, "PUBLIC", claims))

	query := `query($a: ID!) { guidelineCoverage(analysisId: $a, guidelineId: "nist-sp800-53r5") {
		summary { covered partial planned gaps score } families { family { id } summary { covered gaps } }
		clauses { clause { id ref title } status score path { measure { id name } relationship score hops
		  steps { kind from { id } to { id } storedRelationship reversed relationship origin } } } } }`
	body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"a": p + "-analysis"}})
	status, raw := postBytes(b, e.srv.URL+"/graphql", body)
	var out struct {
		Data struct {
			GuidelineCoverage struct {
				Summary struct{ Covered, Partial, Planned, Gaps int }
			}
		}
	}
	if err := json.Unmarshal(raw, &out); status != 200 || err != nil || out.Data.GuidelineCoverage.Summary.Covered < 100 {
		b.Fatalf("HTTP %d: %.400s", status, raw)
	}
	b.Logf("summary %+v", out.Data.GuidelineCoverage.Summary)
	ctx := context.Background()
	in, err := db.CoverageInput(ctx, p+"-analysis", "nist-sp800-53r5", nil, coverage.DefaultMaxHops)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("input: %d clauses, %d claims, %d edges", len(in.Clauses), len(in.Claims), len(in.Edges))
	b.Run("read", func(b *testing.B) { // the store's statements alone
		trips.Take()
		for b.Loop() {
			if _, err := db.CoverageInput(ctx, p+"-analysis", "nist-sp800-53r5", nil, coverage.DefaultMaxHops); err != nil {
				b.Fatal(err)
			}
		}
		n, _ := trips.Take()
		b.ReportMetric(float64(n)/float64(b.N), "roundtrips/op")
	})
	b.Run("compute", func(b *testing.B) { // package coverage alone
		b.ReportAllocs()
		for b.Loop() {
			coverage.Compute(*in)
		}
	})
	b.Run("graphql", func(b *testing.B) { // the whole request
		trips.Take()
		b.ReportAllocs()
		for b.Loop() {
			if status, raw := postBytes(b, e.srv.URL+"/graphql", body); status != 200 || len(raw) < 1000 {
				b.Fatalf("HTTP %d: %.300s", status, raw)
			}
		}
		n, _ := trips.Take()
		b.ReportMetric(float64(n)/float64(b.N), "roundtrips/op")
	})
}

// BenchmarkCrosswalk infers, through GraphQL over HTTP, the crosswalk from
// the NIST IoT capability catalog to CSF 2.0 through SP 800-53 (the hub),
// and reports the Cypher round trips per request.
func BenchmarkCrosswalk(b *testing.B) {
	trips := &neo4jtest.Counter{}
	db := neo4jtest.OpenObserved(b, trips)
	e := newEnv(b, resolvers.Options{Store: db})
	loadData(b, db, sp80053Catalog, csf2Catalog, csf2To80053, iotTo80053)
	for _, bc := range []struct{ name, from, to string }{
		{"iot-to-csf2", "nist-ir-8259-iot-catalog", "nist-csf-2.0"},
		{"csf2-to-iot", "nist-csf-2.0", "nist-ir-8259-iot-catalog"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			query := `query($f: ID!, $t: ID!) { crosswalk(fromGuidelineId: $f, toGuidelineId: $t) {
				unmappedFrom { id } unmappedTo { id }
				mappings { source { id } target { id } relationship path { score confidence hops steps { kind to { id } relationship } } } } }`
			body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"f": bc.from, "t": bc.to}})
			if status, raw := postBytes(b, e.srv.URL+"/graphql", body); status != 200 || len(raw) < 1000 {
				b.Fatalf("HTTP %d: %.300s", status, raw)
			}
			trips.Take()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if status, raw := postBytes(b, e.srv.URL+"/graphql", body); status != 200 || len(raw) < 1000 {
					b.Fatalf("HTTP %d: %.300s", status, raw)
				}
			}
			n, _ := trips.Take()
			b.ReportMetric(float64(n)/float64(b.N), "roundtrips/op")
		})
	}
}
