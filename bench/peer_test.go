package bench_test

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// TestPeerTypeDefsUseOurVocabulary keeps the peer's type definitions
// (bench/peer/server.mjs) on ssfgraph's labels and relationship types: the
// peer must read the same graph.
func TestPeerTypeDefsUseOurVocabulary(t *testing.T) {
	src, err := os.ReadFile("peer/server.mjs")
	if err != nil {
		t.Fatal(err)
	}
	found := func(re string) []string {
		var out []string
		for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s ...string) []string { slices.Sort(s); return s }
	labels := sorted(model.LabelTarget, model.LabelAnalysis, model.LabelClause, model.LabelAssessment, model.LabelIncident,
		model.LabelThreat, model.LabelTreatment, model.LabelMeasure)
	rels := sorted(model.RelAnalyzes, model.RelNotApplicable, model.RelHasAssessment, model.RelOf, model.RelCausedBy,
		model.RelTreatedBy, model.RelApplies, model.RelSatisfies)
	if got := found(`@node\(labels: \["(\w+)"\]\)`); !slices.Equal(got, labels) {
		t.Errorf("the peer's labels are %v, want %v", got, labels)
	}
	if got := found(`@relationship\(type: "(\w+)"`); !slices.Equal(got, rels) {
		t.Errorf("the peer's relationship types are %v, want %v", got, rels)
	}
	if n := len(regexp.MustCompile(`(?m)^  type \w+ @node`).FindAll(src, -1)); n != len(labels) {
		t.Errorf("%d node types, want one per label (%d): each with @node(labels: [...])", n, len(labels))
	}
}
