package coverage

import (
	"cmp"
	"slices"
)

// Mapping is one inferred clause-to-clause mapping: From's relation to To
// along the best path between them.
type Mapping struct {
	From, To string
	Path     *Path
}

// CrosswalkResult is the inferred mapping from one guideline to another,
// with the clauses of each side that nothing reaches (OSCAL's gap
// summaries).
type CrosswalkResult struct {
	MaxHops      int
	Mappings     []Mapping
	UnmappedFrom []string
	UnmappedTo   []string
}

// Crosswalk infers, for every in-scope clause of from, the best path to
// each in-scope clause of to within maxHops mappings, through clauses of
// any guideline (hub and spoke), composing relations with Compose. Paths
// whose composition tells nothing (Unknown) are left out. Sets are kept as
// in coverage: a member of a multi-member side is a subset of its set.
// Mappings are ordered by from then to.
func Crosswalk(from, to []Clause, edges []Edge, maxHops int) *CrosswalkResult {
	if maxHops <= 0 {
		maxHops = DefaultMaxHops
	}
	net := newNetwork(edges)
	want := map[string]bool{}
	for _, c := range to {
		if c.InScope() {
			want[c.ID] = true
		}
	}
	res := &CrosswalkResult{MaxHops: maxHops}
	reachedTo := map[string]bool{}
	sources := slices.Clone(from)
	slices.SortFunc(sources, func(a, b Clause) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range sources {
		if !c.InScope() {
			continue
		}
		reached := net.walk([]*Path{{Start: c.ID, Relation: EqualTo, Score: 1}}, maxHops)
		var found []Mapping
		for id, p := range reached {
			if want[id] && id != c.ID {
				found = append(found, Mapping{From: c.ID, To: id, Path: p})
				reachedTo[id] = true
			}
		}
		if len(found) == 0 {
			res.UnmappedFrom = append(res.UnmappedFrom, c.ID)
			continue
		}
		slices.SortFunc(found, func(a, b Mapping) int { return cmp.Compare(a.To, b.To) })
		res.Mappings = append(res.Mappings, found...)
	}
	for id := range want {
		if !reachedTo[id] {
			res.UnmappedTo = append(res.UnmappedTo, id)
		}
	}
	slices.Sort(res.UnmappedTo)
	return res
}
