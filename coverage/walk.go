package coverage

import (
	"cmp"
	"slices"
	"strings"
)

// EdgeKind says what a stored edge between two clauses is.
type EdgeKind string

// The kinds of edge a walk follows, and the steps it adds itself.
const (
	// KindSatisfies is a measure's claim on a clause (the first step).
	KindSatisfies EdgeKind = "SATISFIES"
	// KindMapsTo is a crosswalk mapping between clauses.
	KindMapsTo EdgeKind = "MAPS_TO"
	// KindIncorporatedInto links a withdrawn clause to the clause its
	// content moved into: the withdrawn clause is a subset of it.
	KindIncorporatedInto EdgeKind = "INCORPORATED_INTO"
	// KindJoint is a step the walk adds when every member of one side of a
	// multi-member mapping is met in full, so the set as a whole is.
	KindJoint EdgeKind = "JOINT"
)

// Edge is one stored edge between clauses, read "From Relationship To".
type Edge struct {
	Kind         EdgeKind
	From, To     string
	Relationship Relation
	// Coverage is the share of To that From meets, when the mapping states it.
	Coverage *float64
	// Confidence is how sure the mapping's author is (0..1), when stated.
	Confidence *float64
	Rationale  string
	Origin     string
	// Group names the map entry this edge is one pair of, when that entry
	// relates several sources or several targets as sets; GroupSources and
	// GroupTargets are how many items each side lists.
	Group                      string
	GroupSources, GroupTargets int
}

// Step is one step of an explaining path.
type Step struct {
	Kind EdgeKind
	// From is the measure (first step) or clause walked from; To the clause
	// reached. For a joint step From is empty and Members names the set.
	From, To string
	// Stored is the relationship as the edge stores it (From→To as stored,
	// which is To→From when Reversed).
	Stored   Relation
	Reversed bool
	// Relation is From's relation to To along the walk: Stored, inverted
	// when walked against its direction, and adjusted for a set on either
	// side (a member is a subset of its set; a set a superset of each
	// member).
	Relation   Relation
	Score      float64
	Coverage   *float64
	Confidence *float64
	Rationale  string
	Origin     string
	Group      string
	Members    []string
}

// Path explains how a measure reaches a clause.
type Path struct {
	// Start is where the path begins: a clause for a crosswalk path (which
	// then has no SATISFIES step), else empty.
	Start string
	// Measure is the measure the path starts from ("" for a crosswalk path).
	Measure string
	// Achieved is whether the measure counts as done (implemented or
	// verified) in the analysis.
	Achieved bool
	// Relation is the measure's (or first clause's) relation to the last
	// clause, composed along the steps.
	Relation Relation
	// Score is the product of the steps' scores: the share of the clause
	// the path meets.
	Score float64
	// Confidence is the lowest confidence stated along the path, or nil when
	// no step states one.
	Confidence *float64
	Steps      []Step
}

// Hops counts the clause-to-clause steps (the mappings walked).
func (p *Path) Hops() int {
	n := 0
	for _, s := range p.Steps {
		if s.Kind != KindSatisfies {
			n++
		}
	}
	return n
}

// Inferred reports whether the path walks at least one mapping: a
// measure's own claim on a clause is asserted, anything longer inferred.
func (p *Path) Inferred() bool { return p.Hops() > 0 }

// Full reports whether the path meets all of its clause.
func (p *Path) Full() bool { return p.Relation.Full() && p.Score >= 1-1e-9 }

// key is a deterministic tie-breaker between equally good paths.
func (p *Path) key() string {
	var b strings.Builder
	b.WriteString(p.Measure)
	b.WriteString(p.Start)
	for _, s := range p.Steps {
		b.WriteByte('>')
		b.WriteString(s.To)
	}
	return b.String()
}

// better reports whether p explains its clause better than q: a full path
// first, then a higher score, a stronger relation, an achieved measure,
// fewer hops, a higher confidence, and last the smaller key.
func better(p, q *Path) bool {
	if q == nil {
		return true
	}
	if p.Full() != q.Full() {
		return p.Full()
	}
	if p.Score != q.Score {
		return p.Score > q.Score
	}
	if p.Relation.strength() != q.Relation.strength() {
		return p.Relation.strength() > q.Relation.strength()
	}
	if p.Achieved != q.Achieved {
		return p.Achieved
	}
	if p.Hops() != q.Hops() {
		return p.Hops() < q.Hops()
	}
	pc, qc := confidenceOr(p.Confidence, -1), confidenceOr(q.Confidence, -1)
	if pc != qc {
		return pc > qc
	}
	return p.key() < q.key()
}

func confidenceOr(c *float64, def float64) float64 {
	if c == nil {
		return def
	}
	return *c
}

// lower returns the lower of two optional confidences; nil counts as
// unstated, not as zero.
func lower(a, b *float64) *float64 {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case *b < *a:
		return b
	}
	return a
}

// traversal is one way to walk an edge from one of its ends.
type traversal struct {
	edge     *Edge
	to       string
	reversed bool
	relation Relation
	score    float64
}

// network is the edges indexed for walking, both ways.
type network struct {
	out    map[string][]traversal
	groups map[string]*group
}

// group is one multi-member map entry: its members on each side, as
// stored, and how many each side lists in the document.
type group struct {
	name               string
	sources, targets   []string
	nSources, nTargets int
	edges              []*Edge
}

// newNetwork indexes edges; edges with NoRelationship or an unknown
// relationship are dropped, since they carry nothing.
func newNetwork(edges []Edge) *network {
	n := &network{out: map[string][]traversal{}, groups: map[string]*group{}}
	for i := range edges {
		e := &edges[i]
		if !e.Relationship.Known() || e.From == e.To {
			continue
		}
		if fwd, ok := walkEdge(e, false); ok {
			n.out[e.From] = append(n.out[e.From], fwd)
		}
		if rev, ok := walkEdge(e, true); ok {
			n.out[e.To] = append(n.out[e.To], rev)
		}
		if e.Group != "" && (e.GroupSources > 1 || e.GroupTargets > 1) {
			g := n.groups[e.Group]
			if g == nil {
				g = &group{name: e.Group, nSources: e.GroupSources, nTargets: e.GroupTargets}
				n.groups[e.Group] = g
			}
			g.edges = append(g.edges, e)
			if !slices.Contains(g.sources, e.From) {
				g.sources = append(g.sources, e.From)
			}
			if !slices.Contains(g.targets, e.To) {
				g.targets = append(g.targets, e.To)
			}
		}
	}
	for _, ts := range n.out {
		slices.SortFunc(ts, func(a, b traversal) int {
			return cmp.Or(cmp.Compare(a.to, b.to), compareBool(a.reversed, b.reversed))
		})
	}
	for _, g := range n.groups {
		slices.Sort(g.sources)
		slices.Sort(g.targets)
	}
	return n
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// walkEdge returns how walking e from one end relates that end to the
// other. Against its direction the relationship is inverted. A member of
// a multi-member side is a subset of the set (entering), and a set is a
// superset of each of its members (leaving), so "X superset-of {A, B}"
// gives X superset-of A but A only subset-of X, "X equal-to {A, B}" gives A
// subset-of X, and "X subset-of {A, B}" gives A nothing.
func walkEdge(e *Edge, reversed bool) (traversal, bool) {
	rel, from, to := e.Relationship, e.GroupSources, e.GroupTargets
	if reversed {
		rel, from, to = Invert(rel), e.GroupTargets, e.GroupSources
	}
	if from > 1 {
		rel = Compose(SubsetOf, rel)
	}
	if to > 1 {
		rel = Compose(rel, SupersetOf)
	}
	if !rel.Known() {
		return traversal{}, false
	}
	score := DefaultScore(rel)
	if !reversed && from <= 1 && to <= 1 && e.Coverage != nil {
		score = *e.Coverage
	}
	dest := e.To
	if reversed {
		dest = e.From
	}
	return traversal{edge: e, to: dest, reversed: reversed, relation: rel, score: score}, true
}

// stateKey is what a path's future depends on: where it is, what it
// claims, and how many hops it has left.
type stateKey struct {
	clause   string
	relation Relation
	hops     int
}

// walk extends seeds along the network for at most maxHops mappings and
// returns, per clause reached, the best path to it. Every seed is a path
// ending at its last step's To.
func (n *network) walk(seeds []*Path, maxHops int) map[string]*Path {
	best := map[stateKey]*Path{}
	var frontier []*Path
	for _, s := range seeds {
		k := stateKey{last(s), s.Relation, s.Hops()}
		if better(s, best[k]) {
			best[k] = s
			frontier = append(frontier, s)
		}
	}
	for len(frontier) > 0 {
		var next []*Path
		for _, p := range frontier {
			if best[stateKey{last(p), p.Relation, p.Hops()}] != p || p.Hops() >= maxHops {
				continue
			}
			for _, t := range n.out[last(p)] {
				if visits(p, t.to) {
					continue
				}
				rel := Compose(p.Relation, t.relation)
				if !rel.Known() {
					continue
				}
				q := extend(p, t, rel)
				k := stateKey{t.to, rel, q.Hops()}
				if better(q, best[k]) {
					best[k] = q
					next = append(next, q)
				}
			}
		}
		frontier = next
	}
	out := map[string]*Path{}
	for k, p := range best {
		if better(p, out[k.clause]) {
			out[k.clause] = p
		}
	}
	return out
}

// last is the clause a path ends at.
func last(p *Path) string {
	if len(p.Steps) == 0 {
		return p.Start
	}
	return p.Steps[len(p.Steps)-1].To
}

// visits reports whether the path already passed through clause c (a path
// never walks a cycle).
func visits(p *Path, c string) bool {
	if p.Start == c {
		return true
	}
	for _, s := range p.Steps {
		if s.To == c || s.From == c {
			return true
		}
	}
	return false
}

// extend returns p followed by the traversal t, its relation composed.
func extend(p *Path, t traversal, rel Relation) *Path {
	e := t.edge
	from := last(p)
	steps := make([]Step, len(p.Steps), len(p.Steps)+1)
	copy(steps, p.Steps)
	steps = append(steps, Step{
		Kind: e.Kind, From: from, To: t.to, Stored: e.Relationship, Reversed: t.reversed,
		Relation: t.relation, Score: t.score, Coverage: e.Coverage, Confidence: e.Confidence,
		Rationale: e.Rationale, Origin: e.Origin, Group: e.Group,
	})
	return &Path{
		Start: p.Start, Measure: p.Measure, Achieved: p.Achieved, Relation: rel, Score: p.Score * t.score,
		Confidence: lower(p.Confidence, e.Confidence), Steps: steps,
	}
}

// joint returns the paths that whole sets open: for each multi-member
// side whose every member (as many as the document lists) is met in full
// by reached, one path to each clause on the other side, through a joint
// step naming the members. A side with members the graph lacks never
// counts as met.
func (n *network) joint(reached map[string]*Path) []*Path {
	names := make([]string, 0, len(n.groups))
	for name := range n.groups {
		names = append(names, name)
	}
	slices.Sort(names)
	var out []*Path
	for _, name := range names {
		g := n.groups[name]
		for _, reversed := range []bool{false, true} {
			members, want, others := g.sources, g.nSources, g.targets
			if reversed {
				members, want, others = g.targets, g.nTargets, g.sources
			}
			if want < 2 || len(members) != want {
				continue
			}
			met, ok := allFull(members, reached)
			if !ok {
				continue
			}
			rel := g.edges[0].Relationship
			if reversed {
				rel = Invert(rel)
			}
			if len(others) > 1 {
				rel = Compose(rel, SupersetOf)
			}
			if !rel.Known() {
				continue
			}
			for _, to := range others {
				composed := Compose(met.Relation, rel)
				if !composed.Known() {
					continue
				}
				steps := make([]Step, len(met.Steps), len(met.Steps)+1)
				copy(steps, met.Steps)
				e := g.edges[0]
				steps = append(steps, Step{
					Kind: KindJoint, To: to, Stored: e.Relationship, Reversed: reversed, Relation: rel,
					Score: DefaultScore(rel), Confidence: e.Confidence, Rationale: e.Rationale,
					Origin: e.Origin, Group: g.name, Members: slices.Clone(members),
				})
				out = append(out, &Path{
					Measure: met.Measure, Achieved: met.Achieved, Relation: composed,
					Score: met.Score * DefaultScore(rel), Confidence: lower(met.Confidence, e.Confidence), Steps: steps,
				})
			}
		}
	}
	return out
}

// allFull reports whether every member has a full path in reached, and
// returns the weakest of them (lowest score, then weakest relation), which
// stands for the set.
func allFull(members []string, reached map[string]*Path) (*Path, bool) {
	var weakest *Path
	for _, m := range members {
		p := reached[m]
		if p == nil || !p.Full() {
			return nil, false
		}
		if weakest == nil || better(weakest, p) {
			weakest = p
		}
	}
	return weakest, weakest != nil
}
