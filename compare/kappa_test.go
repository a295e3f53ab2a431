package compare_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ssfgraph/ssfgraph/compare"
)

// table expands a contingency table into paired ranks: cells[r][c] pairs
// of (rank r+1, rank c+1).
func table(cells [][]int) (a, b []int) {
	for r, row := range cells {
		for c, count := range row {
			for range count {
				a = append(a, r+1)
				b = append(b, c+1)
			}
		}
	}
	return a, b
}

func TestWeightedKappaPublished(t *testing.T) {
	// Wikipedia, "Cohen's kappa", worked example: 50 grant proposals,
	// 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no; p_o = 0.7, p_e = 0.5.
	yesA, yesB := table([][]int{{20, 5}, {10, 15}})
	// Maple EssayTools[QuadraticWeightedKappa] help page, examples 1 and 2.
	essay := []int{9, 7, 8, 7, 6, 8, 3, 5, 10}
	for _, tt := range []struct {
		name string
		a, b []int
		w    compare.Weights
		want float64
	}{
		{"WikipediaUnweighted", yesA, yesB, compare.Unweighted, 0.4},
		// With two levels every weighting gives the same kappa.
		{"WikipediaQuadratic", yesA, yesB, compare.Quadratic, 0.4},
		{"WikipediaLinear", yesA, yesB, compare.Linear, 0.4},
		{"EssayQuadratic1", essay, []int{8, 8, 6, 6, 7, 6, 1, 4, 8}, compare.Quadratic, 0.758620689655172}, // 22/29
		{"EssayQuadratic2", essay, []int{3, 5, 6, 6, 7, 6, 1, 4, 8}, compare.Quadratic, 0.438095238095238}, // 46/105
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := compare.WeightedKappa(tt.a, tt.b, tt.w)
			checkNear(t, "kappa", got, tt.want, 1e-12)
			if got.N != len(tt.a) {
				t.Errorf("N = %d, want %d", got.N, len(tt.a))
			}
		})
	}
}

func TestWeightedKappaHandComputed(t *testing.T) {
	// Ten items rated 1-4. Exact values computed by hand (and with
	// fractions): observed and chance disagreement summed from counts.
	a := []int{1, 2, 3, 4, 2, 3, 1, 4, 3, 2}
	b := []int{1, 3, 3, 4, 1, 3, 2, 3, 3, 2}
	for _, tt := range []struct {
		name string
		w    compare.Weights
		want float64
	}{
		{"Quadratic", compare.Quadratic, 15.0 / 19},
		{"Linear", compare.Linear, 17.0 / 27},
		{"Unweighted", compare.Unweighted, 33.0 / 73},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkNear(t, "kappa", compare.WeightedKappa(a, b, tt.w), tt.want, 1e-12)
		})
	}
}

func TestWeightedKappaUndefined(t *testing.T) {
	for _, tt := range []struct {
		name   string
		a, b   []int
		reason string
	}{
		{"Empty", nil, nil, compare.ReasonTooFew},
		{"OnePair", []int{1}, []int{2}, compare.ReasonTooFew},
		{"LengthMismatch", []int{1, 2}, []int{1}, compare.ReasonLengthMismatch},
		{"NoVariation", []int{3, 3, 3}, []int{3, 3, 3}, compare.ReasonNoVariation},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range []compare.Weights{compare.Quadratic, compare.Linear, compare.Unweighted} {
				checkUndefined(t, w.String(), compare.WeightedKappa(tt.a, tt.b, w), tt.reason)
			}
		})
	}
}

func TestWeightedKappaOneConstantRater(t *testing.T) {
	// When one rater never varies the observed table equals the chance
	// table, so kappa is 0.
	got := compare.WeightedKappa([]int{2, 2, 2, 2}, []int{1, 2, 3, 2}, compare.Quadratic)
	checkNear(t, "kappa", got, 0, 1e-12)
}

// quadraticKappaFromMoments is an independent formula for
// quadratic-weighted kappa: 2·cov(a,b) / (var(a) + var(b) + (mean(a) -
// mean(b))²), with population moments.
func quadraticKappaFromMoments(a, b []int) float64 {
	n := float64(len(a))
	var ma, mb float64
	for k := range a {
		ma += float64(a[k])
		mb += float64(b[k])
	}
	ma /= n
	mb /= n
	var va, vb, cov float64
	for k := range a {
		da, db := float64(a[k])-ma, float64(b[k])-mb
		va += da * da
		vb += db * db
		cov += da * db
	}
	va, vb, cov = va/n, vb/n, cov/n
	return 2 * cov / (va + vb + (ma-mb)*(ma-mb))
}

// kappaFromMatrix is a second, matrix-based computation of weighted kappa
// in the textbook form with normalized weights: w_ij = ((i-j)/(k-1))^p on a
// k-level scale lo..hi, 1 - Σ w·O / Σ w·E with O and E as proportions.
func kappaFromMatrix(a, b []int, lo, hi int, power float64) float64 {
	k := hi - lo + 1
	n := float64(len(a))
	obs := make([][]float64, k)
	for r := range obs {
		obs[r] = make([]float64, k)
	}
	rowSum, colSum := make([]float64, k), make([]float64, k)
	for x := range a {
		obs[a[x]-lo][b[x]-lo] += 1 / n
		rowSum[a[x]-lo] += 1 / n
		colSum[b[x]-lo] += 1 / n
	}
	var wo, we float64
	for r := range k {
		for c := range k {
			w := 0.0 // power 0 is unweighted: 1 off the diagonal
			if r != c {
				w = math.Pow(math.Abs(float64(r-c))/float64(k-1), power)
			}
			wo += w * obs[r][c]
			we += w * rowSum[r] * colSum[c]
		}
	}
	return 1 - wo/we
}

// randomRatings returns n pairs of ranks from 1..levels where b mostly
// follows a.
func randomRatings(r *rand.Rand, n, levels int) (a, b []int) {
	a, b = make([]int, n), make([]int, n)
	for x := range a {
		a[x] = 1 + r.IntN(levels)
		b[x] = a[x]
		if r.IntN(3) == 0 {
			b[x] = 1 + r.IntN(levels)
		}
	}
	return a, b
}

func TestWeightedKappaCrossChecks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	checked := 0
	for range 1000 {
		levels := 2 + r.IntN(5)
		a, b := randomRatings(r, 2+r.IntN(40), levels)
		q := compare.WeightedKappa(a, b, compare.Quadratic)
		if q.Value == nil {
			continue
		}
		checkNear(t, "quadratic vs moments", q, quadraticKappaFromMoments(a, b), 1e-9)
		checkNear(t, "quadratic vs matrix", q, kappaFromMatrix(a, b, 1, levels, 2), 1e-9)
		checkNear(t, "linear vs matrix", compare.WeightedKappa(a, b, compare.Linear), kappaFromMatrix(a, b, 1, levels, 1), 1e-9)
		checkNear(t, "unweighted vs matrix", compare.WeightedKappa(a, b, compare.Unweighted), kappaFromMatrix(a, b, 1, levels, 0), 1e-9)
		checked++
	}
	if checked < 900 {
		t.Errorf("only %d defined cases checked, want at least 900", checked)
	}
}

func TestWeightedKappaProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 1000 {
		a, b := randomRatings(r, 2+r.IntN(30), 2+r.IntN(4))
		for _, w := range []compare.Weights{compare.Quadratic, compare.Linear, compare.Unweighted} {
			ab := compare.WeightedKappa(a, b, w)
			if ba := compare.WeightedKappa(b, a, w); show(ab) != show(ba) {
				t.Fatalf("%s: kappa(a,b) = %s, kappa(b,a) = %s", w, show(ab), show(ba))
			}
			pa, pb := permute(r, a, b)
			if got := compare.WeightedKappa(pa, pb, w); show(got) != show(ab) {
				t.Fatalf("%s: reordering pairs changed kappa from %s to %s", w, show(ab), show(got))
			}
			self := compare.WeightedKappa(a, a, w)
			if len(slices.Compact(slices.Sorted(slices.Values(a)))) < 2 {
				checkUndefined(t, "kappa(a,a), one rank", self, compare.ReasonNoVariation)
			} else if self.Value == nil || *self.Value != 1 {
				t.Fatalf("%s: kappa(a,a) = %s, want 1", w, show(self))
			}
		}
		pab, pba := compare.PercentAgreement(a, b), compare.PercentAgreement(b, a)
		if show(pab) != show(pba) {
			t.Fatalf("percent(a,b) = %s, percent(b,a) = %s", show(pab), show(pba))
		}
	}
}

// permute returns copies of the pairs (a[x], b[x]) in a random order.
func permute(r *rand.Rand, a, b []int) (pa, pb []int) {
	pa, pb = make([]int, len(a)), make([]int, len(b))
	for to, from := range r.Perm(len(a)) {
		pa[to], pb[to] = a[from], b[from]
	}
	return pa, pb
}

func TestPercentAgreement(t *testing.T) {
	yesA, yesB := table([][]int{{20, 5}, {10, 15}})
	for _, tt := range []struct {
		name   string
		a, b   []int
		want   float64
		reason string
	}{
		{"Wikipedia", yesA, yesB, 0.7, ""},
		{"AllSame", []int{1, 2, 3}, []int{1, 2, 3}, 1, ""},
		{"NoneSame", []int{1, 2}, []int{2, 1}, 0, ""},
		{"OnePair", []int{4}, []int{4}, 1, ""},
		{"Empty", nil, nil, 0, compare.ReasonNoPairs},
		{"LengthMismatch", []int{1}, nil, 0, compare.ReasonLengthMismatch},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := compare.PercentAgreement(tt.a, tt.b)
			if tt.reason != "" {
				checkUndefined(t, "percent", got, tt.reason)
				return
			}
			checkNear(t, "percent", got, tt.want, 1e-12)
		})
	}
}
