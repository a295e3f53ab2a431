package bench

import (
	"fmt"
	"regexp"
)

// Size is the shape of the benchmark's data set.
type Size struct {
	// Targets, each with AnalysesPerTarget PUBLIC analyses, each with
	// AssessmentsPerAnalysis assessments (one per incident of the target;
	// each names two threats and has two treatments whose measures each
	// satisfy a clause).
	Targets, AnalysesPerTarget, AssessmentsPerAnalysis int
}

// DefaultSize is issue 11's data set: 20 targets × 5 analyses × 50 assessments.
var DefaultSize = Size{Targets: 20, AnalysesPerTarget: 5, AssessmentsPerAnalysis: 50}

// String is "20 targets × 5 analyses × 50 assessments".
func (s Size) String() string {
	return fmt.Sprintf("%d targets × %d analyses × %d assessments", s.Targets, s.AnalysesPerTarget, s.AssessmentsPerAnalysis)
}

// Counts are what a nested read of the whole data set holds (or what one
// answer held, see CountAnswer).
type Counts struct {
	Targets, Analyses, Assessments, Treatments, Clauses int
}

// Counts returns what the nested read of all targets holds: each treatment's
// measure satisfies one clause.
func (s Size) Counts() Counts {
	a := s.Targets * s.AnalysesPerTarget
	n := a * s.AssessmentsPerAnalysis
	return Counts{Targets: s.Targets, Analyses: a, Assessments: n, Treatments: 2 * n, Clauses: 2 * n}
}

// Dataset is one data set of the benchmark: its ids, and the rows that
// graph/neo4j/neo4jbench's DB.Load writes.
type Dataset struct {
	Size   Size
	Prefix string
	// Org is the organization that authored every analysis.
	Org string
	// Word is in every target's name and nowhere else, for targets(text:).
	Word string
	// Targets are the target ids, in id order.
	Targets []string
	// Created is set by DB.Load when it wrote the data set; it stays
	// false when the data set was there already.
	Created bool
}

// Analyses returns the ids of the first target's analyses, in id order.
func (d *Dataset) Analyses() []string {
	out := make([]string, d.Size.AnalysesPerTarget)
	for i := range out {
		out[i] = analysisID(d.Targets[0], i)
	}
	return out
}

var prefixRE = regexp.MustCompile(`^[a-z][a-z0-9]{0,30}-$`)

// NewDataset names the data set of the given size under prefix (lower-case
// letters and digits ending in "-").
func NewDataset(prefix string, size Size) (*Dataset, error) {
	if !prefixRE.MatchString(prefix) {
		return nil, fmt.Errorf("bench: prefix %q: want lower-case letters and digits ending in '-'", prefix)
	}
	if size.Targets < 1 || size.AnalysesPerTarget < 1 || size.AssessmentsPerAnalysis < 1 {
		return nil, fmt.Errorf("bench: size %s: each must be at least 1", size)
	}
	d := &Dataset{Size: size, Prefix: prefix, Org: prefix + "org", Word: "ssfbench" + prefix[:len(prefix)-1]}
	for ti := range size.Targets {
		d.Targets = append(d.Targets, fmt.Sprintf("%sbt-%04d", prefix, ti))
	}
	return d, nil
}

func analysisID(target string, i int) string { return fmt.Sprintf("%s-an-%02d", target, i) }

// Mark is what the data set's organization carries once it is loaded
// (graph/neo4j/neo4jbench): a different mark means another data set.
func (d *Dataset) Mark() string { return d.Size.String() }

// Rows returns the data set as the rows its loader writes: the targets
// (id, name, incidents), the analyses (id, target, notApplicable clause
// ids) and the assessments (id, analysis, incident, asset, axis1, axis2,
// category, threats, treatments with id and measure). The catalog is three
// threats, three measures and three clauses: prefix + "bth-0".."bth-2",
// "bm-0".."bm-2", "bc-0".."bc-2"; measure k satisfies clause k.
func (d *Dataset) Rows() (targets, analyses, assessments []map[string]any) {
	s, p := d.Size, d.Prefix
	for ti, tid := range d.Targets {
		incidents := make([]string, s.AssessmentsPerAnalysis)
		for k := range incidents {
			incidents[k] = fmt.Sprintf("%s-inc-%03d", tid, k)
		}
		targets = append(targets, map[string]any{"id": tid, "name": fmt.Sprintf("Bench target %d %s", ti, d.Word), "incidents": incidents})
		for ai := range s.AnalysesPerTarget {
			aid := analysisID(tid, ai)
			analyses = append(analyses, map[string]any{"id": aid, "target": tid,
				"notApplicable": []string{p + "bc-" + fmt.Sprint(ai%3), p + "bc-" + fmt.Sprint((ai+1)%3)}})
			for k := range s.AssessmentsPerAnalysis {
				sid := fmt.Sprintf("%s:as-%03d", aid, k)
				a1, a2 := 1+(k+ai)%4, 1+k%4
				assessments = append(assessments, map[string]any{
					"id": sid, "analysis": aid, "incident": incidents[k], "asset": tid + "-asset",
					"axis1": a1, "axis2": a2, "category": max(a1, a2),
					"threats": []string{p + "bth-" + fmt.Sprint(k%3), p + "bth-" + fmt.Sprint((k+1)%3)},
					"treatments": []map[string]any{
						{"id": sid + ":tr-0", "measure": p + "bm-" + fmt.Sprint(k%3)},
						{"id": sid + ":tr-1", "measure": p + "bm-" + fmt.Sprint((k+2)%3)},
					},
				})
			}
		}
	}
	return targets, analyses, assessments
}
