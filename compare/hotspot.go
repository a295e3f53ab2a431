package compare

import (
	"cmp"
	"slices"
)

// Hotspot is an incident the analyses disagree on, with a disagreement
// score that ranks it. Score is the sum of three parts, each from 0 to 1:
//
//   - Axis1: the range of the axis-1 ranks given to the incident divided by
//     the range of all axis-1 ranks given in the Comparison (0 when that is
//     0 or fewer than two analyses rated the incident);
//   - Axis2: the same for axis 2;
//   - Measures: 1 minus the mean Jaccard similarity of the measure-id sets
//     over every pair of analyses that assessed the incident (0 when fewer
//     than two did).
//
// So Score runs from 0 (full agreement) to 3. Categories are left out
// because they follow from the two axes. Only the analyses that assessed
// an incident count: that others missed it adds nothing to the score (such
// incidents are listed in Comparison.Partial).
type Hotspot struct {
	Incident string
	Score    float64
	Axis1    float64
	Axis2    float64
	Measures float64
}

// hotspots returns the rows with a positive disagreement score, highest
// score first, ties broken by incident id. measureDissimilarity[k] is the
// measures part of rows[k].
func hotspots(rows []IncidentRow, measureDissimilarity []float64) []Hotspot {
	span1 := overallRange(rows, func(r *IncidentRow) Spread { return r.Axis1 })
	span2 := overallRange(rows, func(r *IncidentRow) Spread { return r.Axis2 })
	var out []Hotspot
	for i := range rows {
		row := &rows[i]
		h := Hotspot{
			Incident: row.Incident,
			Axis1:    rangeShare(row.Axis1, span1),
			Axis2:    rangeShare(row.Axis2, span2),
			Measures: measureDissimilarity[i],
		}
		h.Score = h.Axis1 + h.Axis2 + h.Measures
		if h.Score > 0 {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b Hotspot) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Incident, b.Incident))
	})
	return out
}

// overallRange returns the range of all ranks on one scale over rows: the
// largest Max minus the smallest Min of the rows' spreads, or 0 when no row
// has a rank.
func overallRange(rows []IncidentRow, scale func(*IncidentRow) Spread) int {
	var lo, hi *int
	for i := range rows {
		s := scale(&rows[i])
		if s.N == 0 {
			continue
		}
		if lo == nil || *s.Min < *lo {
			lo = s.Min
		}
		if hi == nil || *s.Max > *hi {
			hi = s.Max
		}
	}
	if lo == nil {
		return 0
	}
	return *hi - *lo
}

// rangeShare returns s's range as a share of span, or 0 when either is 0
// or undefined.
func rangeShare(s Spread, span int) float64 {
	if s.Range == nil || span == 0 {
		return 0
	}
	return float64(*s.Range) / float64(span)
}

// dissimilarity returns 1 minus the mean Jaccard similarity of the sorted
// id sets over all pairs of them, or 0 for fewer than two sets.
func dissimilarity(sets [][]string) float64 {
	if len(sets) < 2 {
		return 0
	}
	sum, n := 0.0, 0
	for i := range sets {
		for j := i + 1; j < len(sets); j++ {
			sum += jaccardSorted(sets[i], sets[j])
			n++
		}
	}
	return 1 - sum/float64(n)
}
