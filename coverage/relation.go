package coverage

// Relation is how one set of requirements relates to another, read
// "A Relation B", in the OSCAL control-mapping vocabulary, plus Unknown for
// a composition that tells nothing.
type Relation string

// The relations. The first six are OSCAL's; Unknown only comes out of
// Compose.
const (
	EqualTo        Relation = "EQUAL_TO"
	EquivalentTo   Relation = "EQUIVALENT_TO"
	SubsetOf       Relation = "SUBSET_OF"
	SupersetOf     Relation = "SUPERSET_OF"
	IntersectsWith Relation = "INTERSECTS_WITH"
	NoRelationship Relation = "NO_RELATIONSHIP"
	Unknown        Relation = "UNKNOWN"
)

// Invert reads a relation the other way round: A SUBSET_OF B is B
// SUPERSET_OF A; the other relations are symmetric.
func Invert(r Relation) Relation {
	switch r {
	case SubsetOf:
		return SupersetOf
	case SupersetOf:
		return SubsetOf
	}
	return r
}

// Compose returns what A's relation to C must be when A a B and B b C,
// reading each relation as one between sets of requirements: equal and
// equivalent as A = B, subset as A ⊆ B, superset as A ⊇ B, intersects as
// "A and B share something" (and each has something the other lacks). The
// result is the strongest relation that holds for every such A, B and C:
//
//	a \ b        EQUAL  EQUIV  SUBSET   SUPERSET  INTERSECTS
//	EQUAL        EQUAL  EQUIV  SUBSET   SUPERSET  INTERSECTS
//	EQUIV        EQUIV  EQUIV  SUBSET   SUPERSET  INTERSECTS
//	SUBSET       SUBSET SUBSET SUBSET   unknown   unknown
//	SUPERSET     SUPER  SUPER  INTERSECTS SUPERSET INTERSECTS
//	INTERSECTS   INTER  INTER  INTERSECTS unknown  unknown
//
// A ⊆ B ⊇ C says nothing of A and C (unknown, never full); A ⊇ B ⊆ C
// means A and C share at least B (intersects); intersects followed by
// subset still shares, followed by anything else tells nothing.
// NoRelationship anywhere gives NoRelationship (the path is blocked), and
// Unknown gives Unknown. A composed relation is never stronger than its
// weakest part: see Weaker.
func Compose(a, b Relation) Relation {
	switch {
	case a == NoRelationship || b == NoRelationship:
		return NoRelationship
	case a == Unknown || b == Unknown:
		return Unknown
	case a == EqualTo:
		return b
	case b == EqualTo:
		return a
	case a == EquivalentTo:
		return b
	case b == EquivalentTo:
		return a
	}
	switch a {
	case SubsetOf:
		if b == SubsetOf {
			return SubsetOf
		}
		return Unknown
	case SupersetOf:
		switch b {
		case SupersetOf:
			return SupersetOf
		case SubsetOf, IntersectsWith:
			return IntersectsWith
		}
	case IntersectsWith:
		if b == SubsetOf {
			return IntersectsWith
		}
		return Unknown
	}
	return Unknown
}

// Full reports whether A r B means that meeting A meets all of B: equal,
// equivalent or superset.
func (r Relation) Full() bool {
	return r == EqualTo || r == EquivalentTo || r == SupersetOf
}

// Known reports whether meeting A through r meets at least part of B:
// every relation but Unknown and NoRelationship.
func (r Relation) Known() bool {
	switch r {
	case EqualTo, EquivalentTo, SubsetOf, SupersetOf, IntersectsWith:
		return true
	}
	return false
}

// strength orders relations by how much meeting A tells of B: full
// relations first, then subset (A is part of B), then intersects.
func (r Relation) strength() int {
	switch r {
	case EqualTo:
		return 5
	case EquivalentTo:
		return 4
	case SupersetOf:
		return 3
	case SubsetOf:
		return 2
	case IntersectsWith:
		return 1
	}
	return 0
}

// Weaker returns the weaker of two relations by what meeting A tells of B
// (equal > equivalent > superset > subset > intersects > unknown).
func Weaker(a, b Relation) Relation {
	if b.strength() < a.strength() {
		return b
	}
	return a
}

// DefaultScore is the share of B met through A r B when the mapping states
// no coverage (DOMAIN §4): 1 for the full relations, 0.5 for subset, 0.25
// for intersects, 0 otherwise.
func DefaultScore(r Relation) float64 {
	switch r {
	case EqualTo, EquivalentTo, SupersetOf:
		return 1
	case SubsetOf:
		return 0.5
	case IntersectsWith:
		return 0.25
	}
	return 0
}

// ParseRelation reads a stored relationship ("SUPERSET_OF"); anything else
// is Unknown.
func ParseRelation(s string) Relation {
	switch r := Relation(s); r {
	case EqualTo, EquivalentTo, SubsetOf, SupersetOf, IntersectsWith, NoRelationship:
		return r
	}
	return Unknown
}
