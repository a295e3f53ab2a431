package coverage

import (
	"cmp"
	"fmt"
	"slices"
)

// Status is where a clause stands for an analysis.
type Status string

// The statuses, from done to not done.
const (
	// Covered: an implemented or verified measure meets all of the clause.
	Covered Status = "COVERED"
	// Partial: implemented or verified measures meet part of it.
	Partial Status = "PARTIAL"
	// Planned: only planned measures reach it.
	Planned Status = "PLANNED"
	// Gap: nothing reaches it.
	Gap Status = "GAP"
	// NotApplicable: the analysis marked it so, with a reason.
	NotApplicable Status = "NOT_APPLICABLE"
)

// DefaultMaxHops is how many mappings a path may walk unless told
// otherwise; MaxHopsLimit the most it may be told.
const (
	DefaultMaxHops = 3
	MaxHopsLimit   = 6
)

// CheckMaxHops returns an error saying what is wrong when n is outside
// 1..MaxHopsLimit (the GraphQL arguments and the CLI flags say it their
// way around it).
func CheckMaxHops(n int) error {
	if n < 1 || n > MaxHopsLimit {
		return fmt.Errorf("must be from 1 to %d, not %d", MaxHopsLimit, n)
	}
	return nil
}

// Clause is one clause of the guideline being covered.
type Clause struct {
	ID string
	// Family is the id of its top-level ancestor (itself at the top).
	Family string
	// Group is true for a clause that only groups others (an 800-53
	// family, a CSF function or category): it is not a requirement.
	Group     bool
	Withdrawn bool
}

// InScope reports whether the clause is a requirement coverage counts:
// neither a grouping nor withdrawn.
func (c Clause) InScope() bool { return !c.Group && !c.Withdrawn }

// Claim is a measure of the analysis claiming a clause (SATISFIES), with
// whether the analysis has it done.
type Claim struct {
	Measure, Clause string
	// Relationship is read "measure Relationship clause".
	Relationship Relation
	// Coverage is the share of the clause the measure meets, if stated.
	Coverage  *float64
	Rationale string
	// Achieved is true when a treatment of the analysis applies the measure
	// as implemented or verified; false when it is only planned.
	Achieved bool
}

// Input is everything coverage needs: the guideline's clauses, the
// analysis's claims, the crosswalk edges around them and the clauses the
// analysis marked not applicable (id → reason).
type Input struct {
	Clauses       []Clause
	Claims        []Claim
	Edges         []Edge
	NotApplicable map[string]string
	MaxHops       int
}

// ClauseResult is one clause's status with the path that explains it.
type ClauseResult struct {
	Clause string
	Family string
	Status Status
	// Score is cov(t): 1 when covered, the best path's share when partial,
	// 0 otherwise.
	Score float64
	// Path is the best explaining path (nil for a gap or a clause marked
	// not applicable).
	Path *Path
	// Reason is why the clause is not applicable, when it is.
	Reason string
}

// Summary counts a set of clauses by status.
type Summary struct {
	Clauses, Covered, Partial, Planned, Gaps, NotApplicable int
	// Score is Σ cov(t) over the applicable clauses, divided by their
	// number (0 when none applies).
	Score float64
}

// Applicable is the number of clauses not marked not applicable.
func (s Summary) Applicable() int { return s.Clauses - s.NotApplicable }

// Percent returns n as a share of the applicable clauses, in percent (0
// when none applies).
func (s Summary) Percent(n int) float64 {
	if s.Applicable() == 0 {
		return 0
	}
	return 100 * float64(n) / float64(s.Applicable())
}

func (s *Summary) add(r ClauseResult) {
	s.Clauses++
	switch r.Status {
	case Covered:
		s.Covered++
	case Partial:
		s.Partial++
	case Planned:
		s.Planned++
	case Gap:
		s.Gaps++
	case NotApplicable:
		s.NotApplicable++
	}
	s.Score += r.Score
}

func (s *Summary) finish() {
	if a := s.Applicable(); a > 0 {
		s.Score /= float64(a)
	} else {
		s.Score = 0
	}
}

// FamilySummary is the summary of one clause family.
type FamilySummary struct {
	Family  string
	Summary Summary
}

// CoveredPercent is the share of applicable clauses covered, in percent.
func (s Summary) CoveredPercent() float64 { return s.Percent(s.Covered) }

// PartialPercent is the share of applicable clauses partly covered.
func (s Summary) PartialPercent() float64 { return s.Percent(s.Partial) }

// PlannedPercent is the share of applicable clauses only planned for.
func (s Summary) PlannedPercent() float64 { return s.Percent(s.Planned) }

// GapPercent is the share of applicable clauses nothing reaches.
func (s Summary) GapPercent() float64 { return s.Percent(s.Gaps) }

// Result is the coverage of one analysis against one guideline.
type Result struct {
	MaxHops  int
	Clauses  []ClauseResult
	Summary  Summary
	Families []FamilySummary
}

// Compute works out the coverage of in.Clauses by the analysis's claims
// through the crosswalk edges. A clause is Covered when a path from an
// achieved measure composes to a full relation with score 1, Partial when
// achieved measures reach it otherwise, Planned when only planned ones
// do, else a Gap; NotApplicable when the analysis says so. Clauses out of
// scope (groupings, withdrawn) are left out. Results are ordered by clause
// id and families by id.
func Compute(in Input) *Result {
	hops := in.MaxHops
	if hops <= 0 {
		hops = DefaultMaxHops
	}
	net := newNetwork(in.Edges)
	var achieved, all []*Path
	for _, c := range in.Claims {
		p, ok := claimPath(c)
		if !ok {
			continue
		}
		all = append(all, p)
		if c.Achieved {
			achieved = append(achieved, p)
		}
	}
	done := net.solve(achieved, hops)
	reached := net.solve(all, hops)

	res := &Result{MaxHops: hops}
	families := map[string]*FamilySummary{}
	clauses := slices.Clone(in.Clauses)
	slices.SortFunc(clauses, func(a, b Clause) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range clauses {
		if !c.InScope() {
			continue
		}
		r := ClauseResult{Clause: c.ID, Family: c.Family, Status: Gap}
		if reason, ok := in.NotApplicable[c.ID]; ok {
			r.Status, r.Reason = NotApplicable, reason
		} else if p := done[c.ID]; p != nil {
			r.Path, r.Score, r.Status = p, min(p.Score, 1), Partial
			if p.Full() {
				r.Score, r.Status = 1, Covered
			}
		} else if p := reached[c.ID]; p != nil {
			r.Path, r.Status = p, Planned
		}
		res.Clauses = append(res.Clauses, r)
		res.Summary.add(r)
		f := families[c.Family]
		if f == nil {
			f = &FamilySummary{Family: c.Family}
			families[c.Family] = f
		}
		f.Summary.add(r)
	}
	res.Summary.finish()
	for _, f := range families {
		f.Summary.finish()
		res.Families = append(res.Families, *f)
	}
	slices.SortFunc(res.Families, func(a, b FamilySummary) int { return cmp.Compare(a.Family, b.Family) })
	return res
}

// claimPath is the one-step path of a measure's claim on a clause.
func claimPath(c Claim) (*Path, bool) {
	if !c.Relationship.Known() {
		return nil, false
	}
	score := DefaultScore(c.Relationship)
	if c.Coverage != nil {
		score = *c.Coverage
	}
	return &Path{
		Measure: c.Measure, Achieved: c.Achieved, Relation: c.Relationship, Score: score,
		Steps: []Step{{Kind: KindSatisfies, From: c.Measure, To: c.Clause, Stored: c.Relationship,
			Relation: c.Relationship, Score: score, Coverage: c.Coverage, Rationale: c.Rationale}},
	}, true
}

// solve walks from the seeds, then again with the joint paths that whole
// sets open, until no new set opens (at most maxHops rounds, since every
// joint step is a hop).
func (n *network) solve(seeds []*Path, maxHops int) map[string]*Path {
	reached := n.walk(seeds, maxHops)
	seen := map[string]bool{}
	for range maxHops {
		var fresh []*Path
		for _, p := range n.joint(reached) {
			if k := p.key(); !seen[k] && p.Hops() <= maxHops {
				seen[k] = true
				fresh = append(fresh, p)
			}
		}
		if len(fresh) == 0 {
			break
		}
		seeds = append(seeds, fresh...)
		reached = n.walk(seeds, maxHops)
	}
	return reached
}
