package coverage

import (
	"math/rand/v2"
	"testing"
)

var stated = []Relation{EqualTo, EquivalentTo, SubsetOf, SupersetOf, IntersectsWith}

// setRelation classifies two non-empty sets (bit masks) as OSCAL would:
// equal, proper subset, proper superset, overlapping with extras on both
// sides, or disjoint ("" here).
func setRelation(a, b uint) Relation {
	switch {
	case a == b:
		return EqualTo
	case a&b == a:
		return SubsetOf
	case a&b == b:
		return SupersetOf
	case a&b != 0:
		return IntersectsWith
	}
	return ""
}

// holds reports whether the composed claim r is true of sets a and c: a
// composed intersects only claims that they share something.
func holds(r Relation, a, c uint) bool {
	switch r {
	case EqualTo, EquivalentTo:
		return a == c
	case SubsetOf:
		return a&c == a
	case SupersetOf:
		return a&c == c
	case IntersectsWith:
		return a&c != 0
	case Unknown:
		return true
	}
	return false
}

// TestComposeAgainstSets checks the composition table cell by cell
// against every triple of non-empty subsets of a four-element universe:
// each composed relation must hold for every A, B, C with A a B and B b C,
// and no stronger claim may hold for all of them.
func TestComposeAgainstSets(t *testing.T) {
	const universe = 1<<4 - 1
	for _, a := range stated {
		for _, b := range stated {
			got := Compose(a, b)
			want := []Relation{EqualTo, SupersetOf, SubsetOf, IntersectsWith, Unknown}
			ok := map[Relation]bool{}
			for _, r := range want {
				ok[r] = true
			}
			triples := 0
			for x := uint(1); x <= universe; x++ {
				for y := uint(1); y <= universe; y++ {
					if setRelation(x, y) != normal(a) {
						continue
					}
					for z := uint(1); z <= universe; z++ {
						if setRelation(y, z) != normal(b) {
							continue
						}
						triples++
						for _, r := range want {
							if !holds(r, x, z) {
								ok[r] = false
							}
						}
					}
				}
			}
			if triples == 0 {
				t.Fatalf("%s∘%s: no triples", a, b)
			}
			strongest := Unknown
			for _, r := range want {
				if ok[r] {
					strongest = r
					break
				}
			}
			if normal(got) != strongest {
				t.Errorf("Compose(%s, %s) = %s; the sets allow at most %s (%d triples)", a, b, got, strongest, triples)
			}
		}
	}
}

// normal reads equivalent as equal, as the set model does.
func normal(r Relation) Relation {
	if r == EquivalentTo {
		return EqualTo
	}
	return r
}

// TestComposeTableNamedCells pins the cells the issue names.
func TestComposeTableNamedCells(t *testing.T) {
	for _, c := range []struct{ a, b, want Relation }{
		{EqualTo, SubsetOf, SubsetOf},
		{SubsetOf, EqualTo, SubsetOf},
		{SubsetOf, SupersetOf, Unknown},
		{SupersetOf, SupersetOf, SupersetOf},
		{SupersetOf, SubsetOf, IntersectsWith},
		{IntersectsWith, SubsetOf, IntersectsWith},
		{IntersectsWith, SupersetOf, Unknown},
		{IntersectsWith, IntersectsWith, Unknown},
		{EquivalentTo, EqualTo, EquivalentTo},
		{NoRelationship, EqualTo, NoRelationship},
		{Unknown, EqualTo, Unknown},
	} {
		if got := Compose(c.a, c.b); got != c.want {
			t.Errorf("Compose(%s, %s) = %s, want %s", c.a, c.b, got, c.want)
		}
	}
	for _, r := range stated {
		if Invert(Invert(r)) != r {
			t.Errorf("Invert is not an involution on %s", r)
		}
	}
	if Invert(SubsetOf) != SupersetOf || Invert(IntersectsWith) != IntersectsWith {
		t.Error("Invert must swap subset and superset and keep the others")
	}
}

// TestCompositionNeverStrongerThanWeakestEdge composes random chains and
// checks that no chain claims more than its weakest relation.
func TestCompositionNeverStrongerThanWeakestEdge(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 1 + rng.IntN(6)
		got, weakest := EqualTo, EqualTo
		for range n {
			r := stated[rng.IntN(len(stated))]
			got = Compose(got, r)
			weakest = Weaker(weakest, r)
		}
		if got.strength() > weakest.strength() {
			t.Fatalf("a chain composed to %s, stronger than its weakest edge %s", got, weakest)
		}
	}
}
