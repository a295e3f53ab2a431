package compare

import (
	"cmp"
	"slices"
)

// Options tunes Compare. The zero value asks for ordinal Krippendorff's
// alpha and quadratic-weighted kappa.
type Options struct {
	// Metric is the difference function of Krippendorff's alpha.
	Metric Metric
	// Weights is the weighting of the pairwise Cohen's kappa.
	Weights Weights
}

// Comparison is the N-way view of several analyses of one target. Every
// list in it has a fixed order, so equal input gives equal output whatever
// the order of the analyses and of their assessments.
type Comparison struct {
	// Analyses summarizes each analysis, sorted by ID (then Organization).
	// This is the analysis order used everywhere else in the Comparison.
	Analyses []AnalysisSummary
	// Incidents has one row per incident any analysis assessed, sorted by
	// incident id.
	Incidents []IncidentRow
	// Alpha is Krippendorff's alpha over all analyses (coders) and
	// incidents (units).
	Alpha Reliability
	// Pairs has one entry per pair of analyses, A before B in Analyses
	// order, listed in that order.
	Pairs []Pair
	// Partial lists the incidents that some analyses assessed and others
	// did not, sorted by incident id.
	Partial []Coverage
	// Hotspots lists the incidents the analyses disagree on, most
	// disagreement first.
	Hotspots []Hotspot
}

// AnalysisSummary describes one analysis in a Comparison: how many
// incidents it assesses and how many distinct measures it applies per
// axis-3 perspective.
type AnalysisSummary struct {
	ID           string
	Organization string
	Incidents    int
	// Perspectives always lists P1, P2, P3 and P4, in that order, then any
	// other perspective code the analysis uses, sorted.
	Perspectives []PerspectiveCount
}

// PerspectiveCount is how many distinct measures (by id) an analysis applies
// on one axis-3 perspective. A measure applied on two perspectives counts
// once for each.
type PerspectiveCount struct {
	Perspective string
	Measures    int
}

// Reliability is Krippendorff's alpha, under Metric, for the axis-1 and
// axis-2 ranks and the category ranks. An incident an analysis did not
// assess, or did not rate on a scale, is a missing value there.
type Reliability struct {
	Metric   Metric
	Axis1    Stat
	Axis2    Stat
	Category Stat
}

// IncidentRow shows the assessments of one incident side by side.
type IncidentRow struct {
	Incident string
	// Entries holds one entry per analysis that assessed the incident, in
	// the Comparison's analysis order.
	Entries []Entry
	// FoundBy and MissedBy are the ids of the analyses that did and did
	// not assess the incident, in analysis order.
	FoundBy  []string
	MissedBy []string
	// Axis1, Axis2 and Category are the spreads of the ranks given.
	Axis1    Spread
	Axis2    Spread
	Category Spread
	// Differs says in which respects the entries differ.
	Differs Divergence
	// Divergent reports whether the entries differ in any respect of
	// Differs. An incident assessed by one analysis only is not divergent.
	Divergent bool
}

// Spread is the spread of the ranks given on one scale: N ranks, from Min
// to Max, with Range = Max - Min. Min, Max and Range are nil when N is 0.
type Spread struct {
	N     int
	Min   *int
	Max   *int
	Range *int
}

// Divergence says in which respects the assessments of one incident differ.
// Ranks differ when they are not all equal, "not rated" counting as a value
// of its own; threats, assets and measures differ when their sets of ids
// are not all equal; Owner when the owner departments are not all equal.
// Rationales are not compared: they are expected to differ.
type Divergence struct {
	Axis1    bool
	Axis2    bool
	Category bool
	Threats  bool
	Assets   bool
	Measures bool
	Owner    bool
}

// Coverage says which analyses assessed an incident (FoundBy) and which did
// not (MissedBy), each in analysis order.
type Coverage struct {
	Incident string
	FoundBy  []string
	MissedBy []string
}

// Pair compares two analyses A and B (by id). Axis1, Axis2 and Category
// are agreement on the incidents both assessed and both rated on that
// scale. Incidents, Threats, Assets and Measures are Jaccard similarities
// of the sets of ids the two analyses use anywhere (see Jaccard for empty
// sets). Every statistic in a Pair is symmetric in A and B.
type Pair struct {
	A         string
	B         string
	Axis1     Agreement
	Axis2     Agreement
	Category  Agreement
	Incidents float64
	Threats   float64
	Assets    float64
	Measures  float64
}

// Agreement is the agreement of two analyses on one rank scale: Cohen's
// kappa (see WeightedKappa) and the proportion of equal ranks (see
// PercentAgreement).
type Agreement struct {
	Kappa   Stat
	Percent Stat
}

// Compare lines up analyses of one target on their incident ids and returns
// the N-way comparison, with statistics chosen by opts. The analyses should
// have distinct ids. Compare does not modify analyses, and the result
// shares no memory with them.
func Compare(analyses []Analysis, opts Options) Comparison {
	xs := indexAll(analyses)
	incidents := allIncidents(xs)
	cells := align(xs, incidents)
	rows := make([]IncidentRow, len(incidents))
	measureDissimilarity := make([]float64, len(incidents))
	for j, id := range incidents {
		rows[j], measureDissimilarity[j] = incidentRow(xs, id, cells[j])
	}
	return Comparison{
		Analyses:  summaries(xs),
		Incidents: rows,
		Alpha:     reliability(cells, opts.Metric),
		Pairs:     pairs(xs, opts.Weights),
		Partial:   partial(rows),
		Hotspots:  hotspots(rows, measureDissimilarity),
	}
}

// indexAll prepares analyses for comparison, sorted by id and organization.
func indexAll(analyses []Analysis) []*indexed {
	xs := make([]*indexed, len(analyses))
	for i, a := range analyses {
		xs[i] = index(a)
	}
	slices.SortStableFunc(xs, func(a, b *indexed) int {
		return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.org, b.org))
	})
	return xs
}

// allIncidents returns the ids of the incidents any of xs assessed, sorted.
func allIncidents(xs []*indexed) []string {
	sets := make([][]string, len(xs))
	for i, x := range xs {
		sets[i] = x.incidents
	}
	return union(sets...)
}

// align returns each analysis's assessment of each incident: cells[j][k]
// is xs[k]'s assessment of incidents[j], or nil. incidents must be sorted
// and hold every incident of xs.
func align(xs []*indexed, incidents []string) [][]*assessed {
	cells := make([][]*assessed, len(incidents))
	next := make([]int, len(xs)) // next[k]: first assessment of xs[k] not yet placed
	for j, id := range incidents {
		cells[j] = make([]*assessed, len(xs))
		for k, x := range xs {
			if next[k] < len(x.assessed) && x.assessed[next[k]].incident == id {
				cells[j][k] = &x.assessed[next[k]]
				next[k]++
			}
		}
	}
	return cells
}

// summaries returns the summary of each of xs, in order.
func summaries(xs []*indexed) []AnalysisSummary {
	out := make([]AnalysisSummary, len(xs))
	for i, x := range xs {
		out[i] = AnalysisSummary{
			ID:           x.id,
			Organization: x.org,
			Incidents:    len(x.incidents),
			Perspectives: perspectiveCounts(x),
		}
	}
	return out
}

// standardPerspectives are the axis-3 perspective codes every summary
// lists, even with no measures.
var standardPerspectives = []string{"P1", "P2", "P3", "P4"}

// perspectiveCounts returns how many distinct measures x applies per
// perspective: P1 to P4 first, then other codes in ascending order.
func perspectiveCounts(x *indexed) []PerspectiveCount {
	type use struct{ perspective, measure string }
	seen := make(map[use]bool)
	counts := make(map[string]int)
	for _, a := range x.assessed {
		for _, m := range a.entry.Measures {
			u := use{m.Perspective, m.ID}
			if !seen[u] {
				seen[u] = true
				counts[m.Perspective]++
			}
		}
	}
	var others []string
	for code := range counts {
		if !slices.Contains(standardPerspectives, code) {
			others = append(others, code)
		}
	}
	slices.Sort(others)
	var out []PerspectiveCount
	for _, code := range append(slices.Clone(standardPerspectives), others...) {
		out = append(out, PerspectiveCount{Perspective: code, Measures: counts[code]})
	}
	return out
}

// incidentRow returns the side-by-side row of incident id, where cells[k]
// is xs[k]'s assessment of it or nil, and the dissimilarity of the measure
// sets in it (see Hotspot).
func incidentRow(xs []*indexed, id string, cells []*assessed) (IncidentRow, float64) {
	row := IncidentRow{Incident: id, Entries: make([]Entry, 0, len(xs))}
	measureSets := make([][]string, 0, len(xs))
	for k, x := range xs {
		a := cells[k]
		if a == nil {
			row.MissedBy = append(row.MissedBy, x.id)
			continue
		}
		row.FoundBy = append(row.FoundBy, x.id)
		row.Entries = append(row.Entries, a.entry)
		measureSets = append(measureSets, a.measureIDs)
	}
	row.Axis1 = spread(row.Entries, axis1Rank)
	row.Axis2 = spread(row.Entries, axis2Rank)
	row.Category = spread(row.Entries, categoryRank)
	row.Differs = divergence(row.Entries, measureSets)
	row.Divergent = row.Differs != Divergence{}
	return row, dissimilarity(measureSets)
}

// spread returns the spread of the ranks r the entries give.
func spread(entries []Entry, r rank) Spread {
	var s Spread
	for i := range entries {
		v := r(&entries[i])
		if v == nil {
			continue
		}
		s.N++
		if s.Min == nil || *v < *s.Min {
			s.Min = clonePtr(v)
		}
		if s.Max == nil || *v > *s.Max {
			s.Max = clonePtr(v)
		}
	}
	if s.N > 0 {
		d := *s.Max - *s.Min
		s.Range = &d
	}
	return s
}

// divergence says in which respects the entries differ from the first;
// measureSets[k] are the sorted measure ids of entries[k].
func divergence(entries []Entry, measureSets [][]string) Divergence {
	var d Divergence
	if len(entries) == 0 {
		return d
	}
	first := &entries[0]
	for i := 1; i < len(entries); i++ {
		e := &entries[i]
		d.Axis1 = d.Axis1 || !equalPtr(first.Axis1, e.Axis1)
		d.Axis2 = d.Axis2 || !equalPtr(first.Axis2, e.Axis2)
		d.Category = d.Category || !equalPtr(first.Category, e.Category)
		d.Threats = d.Threats || !slices.Equal(first.Threats, e.Threats)
		d.Assets = d.Assets || !slices.Equal(first.Assets, e.Assets)
		d.Measures = d.Measures || !slices.Equal(measureSets[0], measureSets[i])
		d.Owner = d.Owner || first.OwnerDepartment != e.OwnerDepartment
	}
	return d
}

// reliability returns Krippendorff's alpha for the three rank scales, with
// the analyses as coders and the incidents as units of the aligned cells.
func reliability(cells [][]*assessed, metric Metric) Reliability {
	return Reliability{
		Metric:   metric,
		Axis1:    KrippendorffAlpha(ratings(cells, axis1Rank), metric),
		Axis2:    KrippendorffAlpha(ratings(cells, axis2Rank), metric),
		Category: KrippendorffAlpha(ratings(cells, categoryRank), metric),
	}
}

// ratings returns the reliability data for scale r from the aligned cells
// (see align): one row per analysis, one column per incident, nil where
// the analysis gave no rank.
func ratings(cells [][]*assessed, r rank) [][]*float64 {
	if len(cells) == 0 {
		return nil
	}
	analyses, incidents := len(cells[0]), len(cells)
	data := make([][]*float64, analyses)
	for k := range data {
		data[k] = make([]*float64, incidents)
		values := make([]float64, incidents)
		for j := range cells {
			if a := cells[j][k]; a != nil {
				if v := r(&a.entry); v != nil {
					values[j] = float64(*v)
					data[k][j] = &values[j]
				}
			}
		}
	}
	return data
}

// pairs compares each pair of xs, in order.
func pairs(xs []*indexed, w Weights) []Pair {
	var out []Pair
	for i := range xs {
		for j := i + 1; j < len(xs); j++ {
			out = append(out, pairOf(xs[i], xs[j], w))
		}
	}
	return out
}

// pairOf compares analyses x and y.
func pairOf(x, y *indexed, w Weights) Pair {
	ex, ey := both(x, y)
	return Pair{
		A:         x.id,
		B:         y.id,
		Axis1:     agreement(ex, ey, axis1Rank, w),
		Axis2:     agreement(ex, ey, axis2Rank, w),
		Category:  agreement(ex, ey, categoryRank, w),
		Incidents: jaccardSorted(x.incidents, y.incidents),
		Threats:   jaccardSorted(x.threats, y.threats),
		Assets:    jaccardSorted(x.assets, y.assets),
		Measures:  jaccardSorted(x.measures, y.measures),
	}
}

// agreement returns the agreement of the paired assessments ex and ey (see
// both) on scale r, over the pairs where both gave a rank.
func agreement(ex, ey []*assessed, r rank, w Weights) Agreement {
	a, b := make([]int, 0, len(ex)), make([]int, 0, len(ex))
	for k := range ex {
		va, vb := r(&ex[k].entry), r(&ey[k].entry)
		if va != nil && vb != nil {
			a = append(a, *va)
			b = append(b, *vb)
		}
	}
	return Agreement{Kappa: WeightedKappa(a, b, w), Percent: PercentAgreement(a, b)}
}

// partial returns the coverage of the rows some analyses missed.
func partial(rows []IncidentRow) []Coverage {
	var out []Coverage
	for _, row := range rows {
		if len(row.MissedBy) > 0 {
			out = append(out, Coverage{Incident: row.Incident, FoundBy: row.FoundBy, MissedBy: row.MissedBy})
		}
	}
	return out
}
