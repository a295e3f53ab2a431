package compare

import (
	"cmp"
	"slices"
)

// AnalysisDiff is what changed from analysis A to analysis B: two
// organizations' analyses of one target, or two versions of one analysis.
// The embedded Pair holds the agreement (quadratic-weighted kappa and
// percent agreement) and the Jaccard similarities of the two.
type AnalysisDiff struct {
	Pair
	// Added lists the incidents B assesses and A does not, sorted.
	Added []string
	// Removed lists the incidents A assesses and B does not, sorted.
	Removed []string
	// Changed lists the incidents both assess whose assessments differ,
	// sorted by incident id.
	Changed []IncidentDiff
}

// IncidentDiff is how the assessment of one incident changed from A to B.
// A nil change pointer and an empty SetChange mean no change.
type IncidentDiff struct {
	Incident string
	Axis1    *LevelChange
	Axis2    *LevelChange
	Category *LevelChange
	Threats  SetChange
	Assets   SetChange
	// Measures compares measure ids.
	Measures SetChange
	// MeasureChanges lists the measures (by id) in both whose perspective
	// or status changed, sorted by id. Where an assessment lists one
	// measure more than once, its first reference in Entry order counts.
	MeasureChanges  []MeasureChange
	OwnerDepartment *TextChange
	Rationale       *TextChange
}

// LevelChange is a rank that changed from From to To; either may be nil
// (not rated).
type LevelChange struct {
	From *int
	To   *int
}

// SetChange lists the ids B has and A lacks (Added) and the ids A has and B
// lacks (Removed), each sorted; nil when there are none.
type SetChange struct {
	Added   []string
	Removed []string
}

// TextChange is a text that changed from From to To.
type TextChange struct {
	From string
	To   string
}

// MeasureChange is a measure that both analyses apply to an incident but
// with a different perspective or status.
type MeasureChange struct {
	ID   string
	From MeasureRef
	To   MeasureRef
}

// Diff returns what changed from analysis a to analysis b, aligned on
// incident ids, with quadratic-weighted kappa for agreement. It does not
// modify a or b, and the result shares no memory with them.
func Diff(a, b Analysis) AnalysisDiff {
	x, y := index(a), index(b)
	d := AnalysisDiff{
		Pair:    pairOf(x, y, Quadratic),
		Added:   minus(y.incidents, x.incidents),
		Removed: minus(x.incidents, y.incidents),
	}
	xa, ya := both(x, y)
	for k := range xa {
		if c, changed := incidentDiff(xa[k], ya[k]); changed {
			d.Changed = append(d.Changed, c)
		}
	}
	return d
}

// incidentDiff returns how the assessment of one incident changed from x to
// y, and whether anything changed.
func incidentDiff(x, y *assessed) (IncidentDiff, bool) {
	a, b := &x.entry, &y.entry
	c := IncidentDiff{
		Incident:        x.incident,
		Axis1:           levelChange(a.Axis1, b.Axis1),
		Axis2:           levelChange(a.Axis2, b.Axis2),
		Category:        levelChange(a.Category, b.Category),
		Threats:         setChange(a.Threats, b.Threats),
		Assets:          setChange(a.Assets, b.Assets),
		Measures:        setChange(x.measureIDs, y.measureIDs),
		MeasureChanges:  measureChanges(a.Measures, b.Measures),
		OwnerDepartment: textChange(a.OwnerDepartment, b.OwnerDepartment),
		Rationale:       textChange(a.Rationale, b.Rationale),
	}
	changed := c.Axis1 != nil || c.Axis2 != nil || c.Category != nil ||
		!c.Threats.empty() || !c.Assets.empty() || !c.Measures.empty() ||
		len(c.MeasureChanges) > 0 || c.OwnerDepartment != nil || c.Rationale != nil
	return c, changed
}

// levelChange returns the change from rank a to rank b, or nil when they
// are equal.
func levelChange(a, b *int) *LevelChange {
	if equalPtr(a, b) {
		return nil
	}
	return &LevelChange{From: clonePtr(a), To: clonePtr(b)}
}

// setChange returns the change from sorted set a to sorted set b.
func setChange(a, b []string) SetChange {
	return SetChange{Added: minus(b, a), Removed: minus(a, b)}
}

// empty reports whether the change adds and removes nothing.
func (c SetChange) empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0
}

// textChange returns the change from text a to text b, or nil when they are
// equal.
func textChange(a, b string) *TextChange {
	if a == b {
		return nil
	}
	return &TextChange{From: a, To: b}
}

// measureChanges returns the measures in both sorted lists a and b whose
// first reference differs, sorted by id.
func measureChanges(a, b []MeasureRef) []MeasureChange {
	var out []MeasureChange
	for _, from := range firstByID(a) {
		i, found := slices.BinarySearchFunc(b, from.ID, func(m MeasureRef, id string) int {
			return cmp.Compare(m.ID, id)
		})
		if found && b[i] != from {
			out = append(out, MeasureChange{ID: from.ID, From: from, To: b[i]})
		}
	}
	return out
}

// firstByID returns the first reference to each measure in the sorted list
// ms.
func firstByID(ms []MeasureRef) []MeasureRef {
	return slices.CompactFunc(slices.Clone(ms), func(a, b MeasureRef) bool { return a.ID == b.ID })
}
