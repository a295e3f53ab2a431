package coverage

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

func clauses(family string, ids ...string) []Clause {
	out := make([]Clause, len(ids))
	for i, id := range ids {
		out[i] = Clause{ID: id, Family: family}
	}
	return out
}

func mapsTo(from, to string, r Relation) Edge {
	return Edge{Kind: KindMapsTo, From: from, To: to, Relationship: r}
}

// group returns the edges of one map entry relating sources to targets as
// sets.
func groupEdges(name string, r Relation, sources, targets []string) []Edge {
	var out []Edge
	for _, s := range sources {
		for _, t := range targets {
			out = append(out, Edge{Kind: KindMapsTo, From: s, To: t, Relationship: r, Group: name,
				GroupSources: len(sources), GroupTargets: len(targets)})
		}
	}
	return out
}

func done(measure, clause string, r Relation) Claim {
	return Claim{Measure: measure, Clause: clause, Relationship: r, Achieved: true}
}

func statuses(res *Result) map[string]Status {
	out := map[string]Status{}
	for _, c := range res.Clauses {
		out[c.Clause] = c.Status
	}
	return out
}

func pathOf(res *Result, clause string) *Path {
	for _, c := range res.Clauses {
		if c.Clause == clause {
			return c.Path
		}
	}
	return nil
}

func route(p *Path) []string {
	if p == nil {
		return nil
	}
	out := []string{p.Measure + p.Start}
	for _, s := range p.Steps {
		out = append(out, s.To)
	}
	return out
}

func TestDirectClaims(t *testing.T) {
	cov := 0.4
	res := Compute(Input{
		Clauses: clauses("g", "g:a", "g:b", "g:c", "g:d", "g:e", "g:f"),
		Claims: []Claim{
			done("m1", "g:a", EqualTo),
			done("m2", "g:b", SubsetOf),
			{Measure: "m3", Clause: "g:c", Relationship: SupersetOf}, // planned
			{Measure: "m4", Clause: "g:d", Relationship: SupersetOf, Coverage: &cov, Achieved: true},
			done("m5", "g:e", NoRelationship),
		},
	})
	want := map[string]Status{"g:a": Covered, "g:b": Partial, "g:c": Planned, "g:d": Partial, "g:e": Gap, "g:f": Gap}
	if got := statuses(res); !maps.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	if s := res.Summary; s.Covered != 1 || s.Partial != 2 || s.Planned != 1 || s.Gaps != 2 || s.Clauses != 6 {
		t.Fatalf("summary %+v", s)
	}
	// cov: a 1, b 0.5, d 0.4 → 1.9 / 6.
	if want := 1.9 / 6; abs(res.Summary.Score-want) > 1e-9 {
		t.Fatalf("score %v, want %v", res.Summary.Score, want)
	}
	if p := pathOf(res, "g:a"); p.Inferred() || p.Hops() != 0 || p.Measure != "m1" {
		t.Fatalf("a direct claim is asserted: %+v", p)
	}
}

// TestCrosswalkDirections walks mappings both ways with the relationship
// inverted against the direction.
func TestCrosswalkDirections(t *testing.T) {
	edges := []Edge{
		mapsTo("x:1", "g:a", SupersetOf), // x:1 ⊇ g:a: meeting x:1 meets g:a
		mapsTo("g:b", "x:2", SubsetOf),   // g:b ⊆ x:2: walked back, x:2 ⊇ g:b
		mapsTo("x:3", "g:c", SubsetOf),   // x:3 ⊆ g:c: partial
		mapsTo("g:d", "x:4", SupersetOf), // walked back, x:4 ⊆ g:d: partial
		mapsTo("x:5", "g:e", IntersectsWith),
	}
	res := Compute(Input{
		Clauses: clauses("g", "g:a", "g:b", "g:c", "g:d", "g:e"),
		Claims:  []Claim{done("m", "x:1", EqualTo), done("m", "x:2", EqualTo), done("m", "x:3", EqualTo), done("m", "x:4", EqualTo), done("m", "x:5", EqualTo)},
		Edges:   edges,
	})
	want := map[string]Status{"g:a": Covered, "g:b": Covered, "g:c": Partial, "g:d": Partial, "g:e": Partial}
	if got := statuses(res); !maps.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	p := pathOf(res, "g:b")
	if !p.Steps[1].Reversed || p.Steps[1].Stored != SubsetOf || p.Steps[1].Relation != SupersetOf {
		t.Fatalf("the reversed step must keep the stored relationship and say it is walked back: %+v", p.Steps[1])
	}
	if got := pathOf(res, "g:e").Score; got != 0.25 {
		t.Fatalf("intersects scores 0.25, got %v", got)
	}
}

// TestPathNeverClaimsMoreThanWeakestEdge: a superset hop after a subset
// hop tells nothing, so the clause stays a gap; a subset after a superset
// keeps a share.
func TestPathNeverClaimsMoreThanWeakestEdge(t *testing.T) {
	res := Compute(Input{
		Clauses: clauses("g", "g:a", "g:b"),
		Claims:  []Claim{done("m", "x:1", EqualTo)},
		Edges: []Edge{
			mapsTo("x:1", "h:1", SubsetOf), mapsTo("h:1", "g:a", SupersetOf), // unknown
			mapsTo("x:1", "h:2", SupersetOf), mapsTo("h:2", "g:b", SubsetOf), // intersects
		},
	})
	if got := statuses(res); got["g:a"] != Gap || got["g:b"] != Partial {
		t.Fatalf("statuses %v", got)
	}
	if p := pathOf(res, "g:b"); p.Relation != IntersectsWith || !p.Inferred() || p.Hops() != 2 {
		t.Fatalf("path %+v", p)
	}
}

// TestSetSemantics: "X superset-of {A, B}" splits into pairs from X; "X
// equal-to {A, B}" covers X only when A and B both are; "X subset-of {A,
// B}" gives X nothing from A.
func TestSetSemantics(t *testing.T) {
	var edges []Edge
	edges = append(edges, groupEdges("sup", SupersetOf, []string{"g:x1"}, []string{"y:a1", "y:b1"})...)
	edges = append(edges, groupEdges("eq", EqualTo, []string{"g:x2"}, []string{"y:a2", "y:b2"})...)
	edges = append(edges, groupEdges("sub", SubsetOf, []string{"g:x3"}, []string{"y:a3", "y:b3"})...)
	edges = append(edges, groupEdges("eq-missing", EqualTo, []string{"g:x4"}, []string{"y:a4"})...)
	edges[len(edges)-1].GroupTargets = 2 // the document names a second target the graph lacks
	in := Input{
		Clauses: clauses("g", "g:x1", "g:x2", "g:x3", "g:x4"),
		Claims:  []Claim{done("m", "y:a1", EqualTo), done("m", "y:a2", EqualTo), done("m", "y:a3", EqualTo), done("m", "y:a4", EqualTo)},
		Edges:   edges,
	}
	got := statuses(Compute(in))
	want := map[string]Status{"g:x1": Partial, "g:x2": Partial, "g:x3": Gap, "g:x4": Partial}
	if !maps.Equal(got, want) {
		t.Fatalf("one member met: %v, want %v", got, want)
	}
	in.Claims = append(in.Claims, done("m2", "y:b2", EqualTo), done("m2", "y:b3", EqualTo))
	res := Compute(in)
	got = statuses(res)
	// X subset-of {A, B} with both met: the set holds all of X.
	want = map[string]Status{"g:x1": Partial, "g:x2": Covered, "g:x3": Covered, "g:x4": Partial}
	if !maps.Equal(got, want) {
		t.Fatalf("both members met: %v, want %v", got, want)
	}
	p := pathOf(res, "g:x2")
	j := p.Steps[len(p.Steps)-1]
	if j.Kind != KindJoint || j.Group != "eq" || !slices.Equal(j.Members, []string{"y:a2", "y:b2"}) {
		t.Fatalf("the covering path must end in a joint step naming both members: %+v", j)
	}
	// From the single side, a superset splits: meeting X meets each member.
	res = Compute(Input{Clauses: clauses("y", "y:a1", "y:b1"), Claims: []Claim{done("m", "g:x1", EqualTo)}, Edges: edges})
	if got := statuses(res); got["y:a1"] != Covered || got["y:b1"] != Covered {
		t.Fatalf("superset-of splits into pairs: %v", got)
	}
	// But X subset-of {A, B} says nothing of A alone.
	res = Compute(Input{Clauses: clauses("y", "y:a3"), Claims: []Claim{done("m", "g:x3", EqualTo)}, Edges: edges})
	if got := statuses(res); got["y:a3"] != Gap {
		t.Fatalf("subset-of a set gives a member nothing: %v", got)
	}
}

// TestPlannedNotApplicableWithdrawn: planned measures make PLANNED, not
// COVERED; a clause marked not applicable says why; withdrawn clauses and
// groupings are not counted, and coverage follows an incorporated-into
// link.
func TestPlannedNotApplicableWithdrawn(t *testing.T) {
	cs := clauses("g", "g:a", "g:b", "g:c", "g:w")
	cs[3].Withdrawn = true
	cs = append(cs, Clause{ID: "g", Family: "g", Group: true})
	res := Compute(Input{
		Clauses: cs,
		Claims: []Claim{
			{Measure: "m1", Clause: "g:a", Relationship: EqualTo},
			done("m2", "g:a", SubsetOf),
			done("m3", "g:w", EqualTo),
		},
		Edges:         []Edge{{Kind: KindIncorporatedInto, From: "g:w", To: "g:c", Relationship: SubsetOf}},
		NotApplicable: map[string]string{"g:b": "no radio"},
	})
	want := map[string]Status{"g:a": Partial, "g:b": NotApplicable, "g:c": Partial}
	if got := statuses(res); !maps.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	if res.Summary.Clauses != 3 || res.Summary.Applicable() != 2 || res.Summary.Percent(res.Summary.Partial) != 100 {
		t.Fatalf("summary %+v", res.Summary)
	}
	if p := pathOf(res, "g:c"); p.Steps[1].Kind != KindIncorporatedInto {
		t.Fatalf("coverage of g:c must say it follows the incorporated-into link: %+v", p)
	}
	for _, c := range res.Clauses {
		if c.Clause == "g:b" && c.Reason != "no radio" {
			t.Fatalf("reason %q", c.Reason)
		}
	}
}

// TestHopsAndCycles: maxHops bounds the paths, and a cyclic mapping graph
// gives a finite, correct answer.
func TestHopsAndCycles(t *testing.T) {
	var edges []Edge
	for i := range 6 {
		edges = append(edges, mapsTo(fmt.Sprintf("c:%d", i), fmt.Sprintf("c:%d", i+1), EqualTo))
	}
	edges = append(edges, mapsTo("c:6", "c:0", EqualTo), mapsTo("c:1", "c:0", EqualTo)) // a ring, and a pair mapped both ways
	for hops := 1; hops <= MaxHopsLimit; hops++ {
		res := Compute(Input{Clauses: clauses("c", "c:1", "c:2", "c:3", "c:4", "c:5", "c:6"), Claims: []Claim{done("m", "c:0", EqualTo)}, Edges: edges, MaxHops: hops})
		covered := 0
		for _, c := range res.Clauses {
			if c.Status == Covered {
				covered++
				if c.Path.Hops() > hops {
					t.Fatalf("maxHops %d: %s reached in %d hops", hops, c.Clause, c.Path.Hops())
				}
			}
		}
		// Both ways round the ring of seven: within h hops, 2h clauses (at most six).
		if want := min(2*hops, 6); covered != want {
			t.Fatalf("maxHops %d: %d covered, want %d", hops, covered, want)
		}
	}
}

func TestBestPathPrefersFullThenShorter(t *testing.T) {
	res := Compute(Input{
		Clauses: clauses("g", "g:a"),
		Claims:  []Claim{done("m1", "x:1", EqualTo), done("m2", "x:2", EqualTo)},
		Edges: []Edge{
			mapsTo("x:1", "g:a", SubsetOf),
			mapsTo("x:2", "h:1", EqualTo), mapsTo("h:1", "g:a", SupersetOf),
		},
	})
	p := pathOf(res, "g:a")
	if got := route(p); !slices.Equal(got, []string{"m2", "x:2", "h:1", "g:a"}) || statuses(res)["g:a"] != Covered {
		t.Fatalf("the full path must win over the shorter partial one: %v", got)
	}
}

func TestCrosswalkHub(t *testing.T) {
	from := clauses("a", "a:1", "a:2", "a:3")
	to := clauses("c", "c:1", "c:2", "c:3")
	conf := 0.5
	edges := []Edge{
		mapsTo("a:1", "b:1", IntersectsWith), mapsTo("b:1", "c:1", SubsetOf),
		{Kind: KindMapsTo, From: "a:2", To: "b:2", Relationship: EqualTo, Confidence: &conf}, mapsTo("c:2", "b:2", SubsetOf),
		mapsTo("a:3", "b:3", SubsetOf), mapsTo("b:3", "c:3", SupersetOf), // unknown: left out
	}
	res := Crosswalk(from, to, edges, 3)
	got := map[string]Relation{}
	for _, m := range res.Mappings {
		got[m.From+"→"+m.To] = m.Path.Relation
	}
	want := map[string]Relation{"a:1→c:1": IntersectsWith, "a:2→c:2": SupersetOf}
	if !maps.Equal(got, want) {
		t.Fatalf("crosswalk %v, want %v", got, want)
	}
	if !slices.Equal(res.UnmappedFrom, []string{"a:3"}) || !slices.Equal(res.UnmappedTo, []string{"c:3"}) {
		t.Fatalf("gaps from %v to %v", res.UnmappedFrom, res.UnmappedTo)
	}
	for _, m := range res.Mappings {
		if m.From == "a:2" && (m.Path.Confidence == nil || *m.Path.Confidence != 0.5 || m.Path.Hops() != 2) {
			t.Fatalf("path confidence is its lowest: %+v", m.Path)
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestWithdrawnSplitIntoSeveral: a withdrawn clause incorporated into two
// clauses is a subset of their union, not of either: meeting one of them
// says nothing of it, meeting both meets it.
func TestWithdrawnSplitIntoSeveral(t *testing.T) {
	split := func(to string) Edge {
		return Edge{Kind: KindIncorporatedInto, From: "g:w", To: to, Relationship: SubsetOf, Group: "incorporated:g:w", GroupSources: 1, GroupTargets: 2}
	}
	edges := []Edge{split("g:x"), split("g:y"), mapsTo("g:w", "h:z", EqualTo)}
	in := Input{Clauses: clauses("h", "h:z"), Claims: []Claim{done("m", "g:x", EqualTo)}, Edges: edges}
	if got := statuses(Compute(in)); got["h:z"] != Gap {
		t.Fatalf("one of two: %v", got)
	}
	in.Claims = append(in.Claims, done("m2", "g:y", EqualTo))
	res := Compute(in)
	if got := statuses(res); got["h:z"] != Covered {
		t.Fatalf("both: %v", got)
	}
	if p := pathOf(res, "h:z"); p.Steps[len(p.Steps)-2].Kind != KindJoint {
		t.Fatalf("path %+v", p.Steps)
	}
}
