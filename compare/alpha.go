package compare

import (
	"maps"
	"math"
	"slices"
)

// KrippendorffAlpha returns Krippendorff's alpha for reliability data.
// data[c][u] is the value coder c gave unit u, or nil when the coder gave
// none; rows may differ in length, and a missing cell counts as nil. A NaN
// value counts as missing too.
//
// Only units with at least two values are pairable. The result is
// undefined (nil Value) with ReasonTooFew when fewer than two pairable
// values remain, and with ReasonNoVariation when they all have the same
// value. N is the number of pairable values.
//
// It follows Krippendorff (2011), "Computing Krippendorff's
// Alpha-Reliability": alpha = 1 - D_o/D_e over the coincidence matrix, with
// the difference function chosen by metric.
func KrippendorffAlpha(data [][]*float64, metric Metric) Stat {
	units := pairableUnits(data)
	values, counts := marginals(units)
	n := 0
	for _, c := range counts {
		n += c
	}
	if n < 2 {
		return undefined(n, ReasonTooFew)
	}
	if len(values) < 2 {
		return undefined(n, ReasonNoVariation)
	}
	delta := distances(values, counts, metric)
	observed := observedDisagreement(codeUnits(units, values), delta)
	expected := expectedDisagreement(counts, delta) / float64(n-1)
	if expected == 0 {
		return undefined(n, ReasonNoVariation)
	}
	return defined(1-observed/expected, n)
}

// pairableUnits returns, per unit, the values the coders gave it, keeping
// only units with at least two values. Units keep their column order.
func pairableUnits(data [][]*float64) [][]float64 {
	width := 0
	for _, row := range data {
		width = max(width, len(row))
	}
	var units [][]float64
	for u := range width {
		vals := make([]float64, 0, len(data))
		for _, row := range data {
			if u < len(row) && row[u] != nil && !math.IsNaN(*row[u]) {
				vals = append(vals, *row[u])
			}
		}
		if len(vals) >= 2 {
			units = append(units, vals)
		}
	}
	return units
}

// marginals returns the distinct values in units in ascending order and how
// often each occurs.
func marginals(units [][]float64) (values []float64, counts []int) {
	tally := make(map[float64]int)
	for _, vals := range units {
		for _, v := range vals {
			tally[v]++
		}
	}
	values = slices.Sorted(maps.Keys(tally))
	counts = make([]int, len(values))
	for i, v := range values {
		counts[i] = tally[v]
	}
	return values, counts
}

// codeUnits returns units with each value replaced by its position in the
// sorted slice values, which holds them all.
func codeUnits(units [][]float64, values []float64) [][]int {
	pos := make(map[float64]int, len(values))
	for i, v := range values {
		pos[v] = i
	}
	coded := make([][]int, len(units))
	for u, vals := range units {
		coded[u] = make([]int, len(vals))
		for k, v := range vals {
			coded[u][k] = pos[v]
		}
	}
	return coded
}

// distances returns the squared difference delta[c][k] between the c-th and
// k-th value under metric. The ordinal distance uses the value counts.
func distances(values []float64, counts []int, metric Metric) [][]float64 {
	delta := make([][]float64, len(values))
	for c := range values {
		delta[c] = make([]float64, len(values))
		for k := range values {
			delta[c][k] = distance(c, k, values, counts, metric)
		}
	}
	return delta
}

// distance returns the squared difference between the c-th and k-th value.
func distance(c, k int, values []float64, counts []int, metric Metric) float64 {
	switch metric {
	case Nominal:
		if c == k {
			return 0
		}
		return 1
	case Interval:
		d := values[c] - values[k]
		return d * d
	default:
		lo, hi := min(c, k), max(c, k)
		sum := 0.0
		for g := lo; g <= hi; g++ {
			sum += float64(counts[g])
		}
		d := sum - float64(counts[c]+counts[k])/2
		return d * d
	}
}

// observedDisagreement returns the sum over the coincidence matrix of
// o[c][k]*delta[c][k]: each unit with m values adds every ordered pair of
// values from different coders with weight 1/(m-1). Units hold value
// positions (see codeUnits).
func observedDisagreement(units [][]int, delta [][]float64) float64 {
	sum := 0.0
	for _, vals := range units {
		unit := 0.0
		for i, c := range vals {
			for j, k := range vals {
				if i != j {
					unit += delta[c][k]
				}
			}
		}
		sum += unit / float64(len(vals)-1)
	}
	return sum
}

// expectedDisagreement returns the sum of n_c*n_k*delta[c][k] over all value
// pairs.
func expectedDisagreement(counts []int, delta [][]float64) float64 {
	sum := 0.0
	for c := range counts {
		for k := range counts {
			sum += float64(counts[c]) * float64(counts[k]) * delta[c][k]
		}
	}
	return sum
}
