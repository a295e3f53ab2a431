package resolvers

import (
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/ssfgraph/ssfgraph/graph"
)

// nestedRead is the document of BenchmarkNestedRead (roundtrip_test.go).
const nestedRead = `query($text: String!, $first: Int!) {
  targets(text: $text, first: $first) { nodes { id analyses { id notApplicable { reason clause { ref } } assessments {
    id category axis1 { labelEn } incident { name } threats { name }
    treatments { status measure { name clauses { clause { ref } } } }
  } } } }
}`

// BenchmarkLimitChecks is what the limits add to one request of the
// nested read: the lexer pass on the raw text and the cost walk of the
// parsed operation (gqlgen's query cache spares the parse). Compare it
// with BenchmarkNestedRead's time per read.
func BenchmarkLimitChecks(b *testing.B) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	doc, err := gqlparser.LoadQuery(schema, nestedRead)
	if err != nil {
		b.Fatal(err)
	}
	vars := map[string]any{"text": "w", "first": 500}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := countDocument(nestedRead, DefaultMaxTokens); !ok {
			b.Fatal("over the token limit")
		}
		if c := operationCostOf(doc, doc.Operations[0], vars); c > DefaultComplexityLimit {
			b.Fatalf("cost %d", c)
		}
	}
}

func TestCostOfTheNestedRead(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	for _, tt := range []struct {
		doc  string
		vars map[string]any
		want int
	}{
		{nestedRead, map[string]any{"text": "w", "first": 500}, 1 + 500*24},
		{`{ targets { totalCount nodes { id } } }`, nil, 1 + 1 + 50*2}, // 50 without first or last; totalCount once
		{`{ analyses(last: 200) { pageInfo { hasPreviousPage } edges { cursor node { id } } } }`, nil, 1 + 2 + 200*4},
		{`{ auditLog(before: "x") { edges { node { id } } } }`, nil, 1 + 50*3},
		{`{ __schema { queryType { name } } __typename }`, nil, introspectionCost + 2},
		{`mutation($in: AnalysisInput!) { createAnalysis(input: $in) { id } }`, // 1 + id + 3 sectors
			map[string]any{"in": map[string]any{"targetId": "t", "title": "x", "sharedWithSectors": []any{"a", "b", "c"}}}, 5},
	} {
		doc, errs := gqlparser.LoadQuery(schema, tt.doc)
		if errs != nil {
			t.Fatalf("%s: %v", tt.doc, errs)
		}
		if got := operationCostOf(doc, doc.Operations[0], tt.vars); got != tt.want {
			t.Errorf("%s: cost %d, want %d", tt.doc, got, tt.want)
		}
	}
}
