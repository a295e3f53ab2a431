package compare_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ssfgraph/ssfgraph/compare"
)

// krippendorff2011 is the reliability data of the worked example with four
// coders, twelve units and missing values in Krippendorff (2011),
// "Computing Krippendorff's Alpha-Reliability", section C.
func krippendorff2011() [][]*float64 {
	var n *float64
	return [][]*float64{
		{f(1), f(2), f(3), f(3), f(2), f(1), f(4), f(1), f(2), n, n, n},
		{f(1), f(2), f(3), f(3), f(2), f(2), f(4), f(1), f(2), f(5), n, f(3)},
		{n, f(3), f(3), f(3), f(2), f(3), f(4), f(2), f(2), f(5), f(1), n},
		{f(1), f(2), f(3), f(3), f(2), f(4), f(4), f(1), f(2), f(5), f(1), n},
	}
}

// binary2011 is the two-coder binary example without missing values in
// Krippendorff (2011), section A.
func binary2011() [][]*float64 {
	row := func(vs ...float64) []*float64 {
		out := make([]*float64, len(vs))
		for k, v := range vs {
			out[k] = f(v)
		}
		return out
	}
	return [][]*float64{
		row(0, 1, 0, 0, 0, 0, 0, 0, 1, 0),
		row(1, 1, 1, 0, 0, 1, 0, 0, 0, 0),
	}
}

func TestKrippendorffAlphaPublished(t *testing.T) {
	for _, tt := range []struct {
		name   string
		data   [][]*float64
		metric compare.Metric
		want   float64 // published value; the exact fraction in the comment
		n      int
	}{
		{"FourCodersNominal", krippendorff2011(), compare.Nominal, 0.743, 40},             // 113/152
		{"FourCodersInterval", krippendorff2011(), compare.Interval, 0.849, 40},           // 951/1120
		{"FourCodersOrdinal", krippendorff2011(), compare.Ordinal, 0.815, 40},             // 108577/133160
		{"TwoCodersBinaryNominal", binary2011(), compare.Nominal, 0.095, 20},              // 2/21
		{"TwoCodersBinaryOrdinalEqualsNominal", binary2011(), compare.Ordinal, 0.095, 20}, // two values
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := compare.KrippendorffAlpha(tt.data, tt.metric)
			checkValue(t, "alpha", got, tt.want)
			if got.N != tt.n {
				t.Errorf("N = %d, want %d", got.N, tt.n)
			}
		})
	}
}

func TestKrippendorffAlphaExactFractions(t *testing.T) {
	for _, tt := range []struct {
		name   string
		metric compare.Metric
		want   float64
	}{
		{"Nominal", compare.Nominal, 113.0 / 152},
		{"Interval", compare.Interval, 951.0 / 1120},
		{"Ordinal", compare.Ordinal, 108577.0 / 133160},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNear(t, "alpha", compare.KrippendorffAlpha(krippendorff2011(), tt.metric), tt.want, 1e-12)
		})
	}
}

func TestKrippendorffAlphaUndefined(t *testing.T) {
	var n *float64
	for _, tt := range []struct {
		name   string
		data   [][]*float64
		reason string
		count  int
	}{
		{"NoData", nil, compare.ReasonTooFew, 0},
		{"OneCoder", [][]*float64{{f(1), f(2), f(3)}}, compare.ReasonTooFew, 0},
		{"NoUnitWithTwoValues", [][]*float64{{f(1), n}, {n, f(2)}}, compare.ReasonTooFew, 0},
		{"AllMissing", [][]*float64{{n, n}, {n, n}}, compare.ReasonTooFew, 0},
		{"NaNIsMissing", [][]*float64{{f(1), f(math.NaN())}, {n, f(2)}}, compare.ReasonTooFew, 0},
		{"NoVariation", [][]*float64{{f(3), f(3), n}, {f(3), f(3), f(3)}}, compare.ReasonNoVariation, 4},
		{"RaggedRowsNoVariation", [][]*float64{{f(2)}, {f(2), f(2)}, {f(2), f(2)}}, compare.ReasonNoVariation, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range []compare.Metric{compare.Ordinal, compare.Interval, compare.Nominal} {
				got := compare.KrippendorffAlpha(tt.data, m)
				checkUndefined(t, m.String(), got, tt.reason)
				if got.N != tt.count {
					t.Errorf("%s: N = %d, want %d", m, got.N, tt.count)
				}
			}
		})
	}
}

// referenceAlpha computes Krippendorff's alpha straight from its definition
// over pairable values, without a coincidence matrix: D_o averages the
// distances of the ordered value pairs within each unit (weighted 1/(m-1)),
// D_e those of all ordered pairs of pairable values.
func referenceAlpha(data [][]*float64, metric compare.Metric) (float64, bool) {
	var units [][]float64
	for u := 0; ; u++ {
		inRange := false
		var vals []float64
		for _, row := range data {
			if u < len(row) {
				inRange = true
				if row[u] != nil {
					vals = append(vals, *row[u])
				}
			}
		}
		if !inRange {
			break
		}
		if len(vals) > 1 {
			units = append(units, vals)
		}
	}
	var all []float64
	for _, vals := range units {
		all = append(all, vals...)
	}
	dist := func(c, k float64) float64 {
		switch metric {
		case compare.Nominal:
			if c == k {
				return 0
			}
			return 1
		case compare.Interval:
			return (c - k) * (c - k)
		}
		lo, hi := math.Min(c, k), math.Max(c, k)
		between, nc, nk := 0.0, 0.0, 0.0
		for _, v := range all {
			if v >= lo && v <= hi {
				between++
			}
			if v == c {
				nc++
			}
			if v == k {
				nk++
			}
		}
		d := between - (nc+nk)/2
		return d * d
	}
	if len(all) < 2 {
		return 0, false
	}
	n := float64(len(all))
	do := 0.0
	for _, vals := range units {
		for a := range vals {
			for b := range vals {
				if a != b {
					do += dist(vals[a], vals[b]) / float64(len(vals)-1)
				}
			}
		}
	}
	do /= n
	de := 0.0
	for a := range all {
		for b := range all {
			if a != b {
				de += dist(all[a], all[b])
			}
		}
	}
	de /= n * (n - 1)
	if de == 0 {
		return 0, false
	}
	return 1 - do/de, true
}

// randomData returns coders×units reliability data with ranks 1..levels and
// about a fifth of the cells missing.
func randomData(r *rand.Rand, coders, units, levels int) [][]*float64 {
	data := make([][]*float64, coders)
	for c := range data {
		data[c] = make([]*float64, units)
		for u := range data[c] {
			if r.IntN(5) > 0 {
				data[c][u] = f(float64(1 + r.IntN(levels)))
			}
		}
	}
	return data
}

func TestKrippendorffAlphaMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for range 500 {
		data := randomData(r, 2+r.IntN(4), 1+r.IntN(15), 1+r.IntN(5))
		for _, m := range []compare.Metric{compare.Ordinal, compare.Interval, compare.Nominal} {
			want, ok := referenceAlpha(data, m)
			got := compare.KrippendorffAlpha(data, m)
			if !ok {
				if got.Value != nil {
					t.Fatalf("%s alpha = %s, reference undefined; data %v", m, show(got), data)
				}
				continue
			}
			checkNear(t, m.String(), got, want, 1e-9)
			checked++
		}
	}
	if checked < 1000 {
		t.Errorf("only %d defined cases checked, want at least 1000", checked)
	}
}

func TestKrippendorffAlphaProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		data := randomData(r, 2+r.IntN(5), 2+r.IntN(20), 2+r.IntN(4))
		for _, m := range []compare.Metric{compare.Ordinal, compare.Interval, compare.Nominal} {
			got := compare.KrippendorffAlpha(data, m)

			shuffled := shuffleData(r, data)
			again := compare.KrippendorffAlpha(shuffled, m)
			if (got.Value == nil) != (again.Value == nil) || got.N != again.N || got.Reason != again.Reason ||
				got.Value != nil && math.Abs(*got.Value-*again.Value) > 1e-12 {
				t.Fatalf("%s: reordering coders and units changed alpha from %s to %s", m, show(got), show(again))
			}

			same := [][]*float64{data[0], data[0], data[0]}
			ident := compare.KrippendorffAlpha(same, m)
			switch distinctValues(data[0]) {
			case 0:
				checkUndefined(t, "identical coders, no value", ident, compare.ReasonTooFew)
			case 1:
				checkUndefined(t, "identical coders, one value", ident, compare.ReasonNoVariation)
			default:
				if ident.Value == nil || *ident.Value != 1 {
					t.Fatalf("%s: identical coders alpha = %s, want 1", m, show(ident))
				}
			}
		}
	}
}

// shuffleData returns data with its coders and units in a random order.
func shuffleData(r *rand.Rand, data [][]*float64) [][]*float64 {
	units := r.Perm(len(data[0]))
	out := make([][]*float64, len(data))
	for c, row := range data {
		out[c] = make([]*float64, len(row))
		for u, from := range units {
			out[c][u] = row[from]
		}
	}
	r.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	return out
}

// distinctValues returns how many different non-nil values row holds.
func distinctValues(row []*float64) int {
	seen := map[float64]bool{}
	for _, v := range row {
		if v != nil {
			seen[*v] = true
		}
	}
	return len(seen)
}
