package compare

import (
	"maps"
	"slices"
)

// Jaccard returns the Jaccard similarity of two sets of ids: the size of
// their intersection divided by the size of their union. Duplicates within
// a or b are ignored, and the order of the ids does not matter.
//
// Jaccard of two empty sets is defined as 1: the sets are equal, and this
// keeps 1 - Jaccard a distance that is zero exactly when the sets are equal.
// So two analyses that both list no measures for an incident agree on its
// measures.
func Jaccard(a, b []string) float64 {
	return jaccardSorted(sortedSet(a), sortedSet(b))
}

// jaccardSorted returns the Jaccard similarity of two sorted sets without
// duplicates.
func jaccardSorted(a, b []string) float64 {
	union := len(a) + len(b)
	if union == 0 {
		return 1
	}
	common := countCommon(a, b)
	return float64(common) / float64(union-common)
}

// sortedSet returns the distinct ids of xs in ascending order, in a new
// slice, or nil when xs is empty.
func sortedSet(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	set := slices.Clone(xs)
	slices.Sort(set)
	return slices.Compact(set)
}

// countCommon returns how many ids are in both sorted sets a and b.
func countCommon(a, b []string) int {
	common := 0
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			common++
			i++
			j++
		}
	}
	return common
}

// minus returns the ids of sorted set a that are not in sorted set b, in
// order, or nil when there are none.
func minus(a, b []string) []string {
	var out []string
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			out = append(out, x)
		}
	}
	return out
}

// union returns the ids in any of the given sets, sorted, without
// duplicates.
func union(sets ...[]string) []string {
	seen := make(map[string]bool)
	for _, s := range sets {
		for _, id := range s {
			seen[id] = true
		}
	}
	if len(seen) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(seen))
}
