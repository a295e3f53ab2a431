package compare

import (
	"maps"
	"slices"
)

// WeightedKappa returns Cohen's weighted kappa for two raters: a[i] and b[i]
// are the ranks the two gave item i. It is 1 - sum(w*O)/sum(w*E), where O is
// the observed joint distribution of ranks, E the one expected by chance
// from the two raters' marginals, and w the disagreement weight of a pair of
// ranks under weights: (i-j)² for Quadratic, |i-j| for Linear, and 0 or 1
// for Unweighted.
//
// Weighted kappa does not change when all weights are scaled by one factor,
// so the usual division by (k-1)² or (k-1) for a k-level scale is left out,
// and no scale bounds are needed: ranks that nobody used do not count.
//
// The result is undefined (nil Value) with ReasonLengthMismatch when a and b
// differ in length, with ReasonTooFew for fewer than two pairs, and with
// ReasonNoVariation when the expected disagreement is zero (both raters gave
// one and the same rank throughout). N is the number of pairs.
//
// The sums are formed from integer counts, so the result does not depend on
// the order of the pairs and WeightedKappa(a, b, w) equals
// WeightedKappa(b, a, w) exactly.
func WeightedKappa(a, b []int, w Weights) Stat {
	if len(a) != len(b) {
		return undefined(0, ReasonLengthMismatch)
	}
	n := len(a)
	if n < 2 {
		return undefined(n, ReasonTooFew)
	}
	observed := 0.0
	for i := range a {
		observed += weight(a[i], b[i], w)
	}
	expected := chanceDisagreement(a, b, w)
	if expected == 0 {
		return undefined(n, ReasonNoVariation)
	}
	return defined(1-float64(n)*observed/expected, n)
}

// chanceDisagreement returns n² times the disagreement expected by chance:
// the sum over rank pairs (c, k) of countA[c]*countB[k]*weight(c, k).
func chanceDisagreement(a, b []int, w Weights) float64 {
	ranksA, countsA := rankCounts(a)
	ranksB, countsB := rankCounts(b)
	sum := 0.0
	for i, c := range ranksA {
		for j, k := range ranksB {
			sum += float64(countsA[i]) * float64(countsB[j]) * weight(c, k, w)
		}
	}
	return sum
}

// rankCounts returns the distinct ranks in xs in ascending order and how
// often each occurs.
func rankCounts(xs []int) (ranks, counts []int) {
	tally := make(map[int]int)
	for _, x := range xs {
		tally[x]++
	}
	ranks = slices.Sorted(maps.Keys(tally))
	counts = make([]int, len(ranks))
	for i, r := range ranks {
		counts[i] = tally[r]
	}
	return ranks, counts
}

// weight returns the disagreement weight of ranks c and k under w.
func weight(c, k int, w Weights) float64 {
	d := float64(c - k)
	switch w {
	case Linear:
		if d < 0 {
			return -d
		}
		return d
	case Unweighted:
		if d == 0 {
			return 0
		}
		return 1
	default:
		return d * d
	}
}

// PercentAgreement returns the proportion of items to which a and b gave the
// same rank, as a number from 0 to 1 (not multiplied by 100). a[i] and b[i]
// are the two ranks for item i.
//
// The result is undefined (nil Value) with ReasonLengthMismatch when a and b
// differ in length and with ReasonNoPairs when they are empty. N is the
// number of pairs.
func PercentAgreement(a, b []int) Stat {
	if len(a) != len(b) {
		return undefined(0, ReasonLengthMismatch)
	}
	if len(a) == 0 {
		return undefined(0, ReasonNoPairs)
	}
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return defined(float64(same)/float64(len(a)), len(a))
}
