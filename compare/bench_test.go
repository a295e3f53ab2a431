package compare_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ssfgraph/ssfgraph/compare"
)

// benchAnalyses returns n analyses of incidents incidents each, with three
// threats, two assets and three measures per assessment, from a fixed seed.
func benchAnalyses(n, incidents int) []compare.Analysis {
	r := rand.New(rand.NewPCG(17, 18))
	out := make([]compare.Analysis, n)
	for k := range out {
		out[k] = compare.Analysis{ID: fmt.Sprint("A", k), Organization: fmt.Sprint("Org", k)}
		out[k].Assessments = make([]compare.Assessment, incidents)
		for x := range incidents {
			out[k].Assessments[x] = compare.Assessment{
				Incident:        fmt.Sprintf("I%04d", x),
				Axis1:           i(1 + r.IntN(5)),
				Axis2:           i(1 + r.IntN(5)),
				Category:        i(1 + r.IntN(4)),
				Threats:         []string{fmt.Sprint("T", r.IntN(200)), fmt.Sprint("T", r.IntN(200)), fmt.Sprint("T", r.IntN(200))},
				Assets:          []string{fmt.Sprint("X", r.IntN(50)), fmt.Sprint("X", r.IntN(50))},
				OwnerDepartment: fmt.Sprint("D", r.IntN(3)),
				Measures: []compare.MeasureRef{
					m(fmt.Sprint("M", r.IntN(300)), fmt.Sprint("P", 1+r.IntN(4)), "implemented"),
					m(fmt.Sprint("M", r.IntN(300)), fmt.Sprint("P", 1+r.IntN(4)), "planned"),
					m(fmt.Sprint("M", r.IntN(300)), fmt.Sprint("P", 1+r.IntN(4)), "verified"),
				},
			}
		}
	}
	return out
}

// BenchmarkCompare compares 10 analyses of 1,000 incidents each.
func BenchmarkCompare(b *testing.B) {
	analyses := benchAnalyses(10, 1000)
	b.ReportAllocs()
	for b.Loop() {
		compare.Compare(analyses, compare.Options{})
	}
}

// BenchmarkDiff diffs two analyses of 1,000 incidents each.
func BenchmarkDiff(b *testing.B) {
	analyses := benchAnalyses(2, 1000)
	b.ReportAllocs()
	for b.Loop() {
		compare.Diff(analyses[0], analyses[1])
	}
}
