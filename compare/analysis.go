package compare

import (
	"cmp"
	"slices"
)

// Analysis is one organization's analysis of a target, as compare sees it.
// ID should be unique among the analyses compared together: results are
// ordered and keyed by it.
type Analysis struct {
	ID           string
	Organization string
	Assessments  []Assessment
}

// Assessment is an analysis's judgment of one incident. Incident is the
// shared incident id that aligns assessments of different analyses. An
// analysis holds at most one assessment per incident; if it holds more,
// only the first is used.
type Assessment struct {
	// ID is the assessment's own id, passed on to its Entry (compare does
	// not read it); empty when unknown.
	ID string
	// Submitted is passed to its Entry untouched (compare does not read
	// it): what a submitted assessment rated, as the caller keeps it.
	Submitted any
	Incident  string
	// Axis1 is the rank of the axis-1 (recoverability) level, or nil when
	// the incident was not rated on axis 1.
	Axis1 *int
	// Axis2 is the rank of the axis-2 (economic impact) level, or nil when
	// the incident was not rated on axis 2.
	Axis2 *int
	// Category is the rank of the category the ratings give, or nil.
	Category        *int
	Threats         []string // ids of the threats that cause the incident
	Assets          []string // ids of the assets it happens through
	Measures        []MeasureRef
	OwnerDepartment string
	Rationale       string
}

// MeasureRef is a measure applied to an assessment's incident: Perspective
// is its axis-3 perspective code ("P1" to "P4") and Status its treatment
// status (such as "planned", "implemented" or "verified").
type MeasureRef struct {
	ID          string
	Perspective string
	Status      string
}

// Entry is one analysis's assessment of one incident as the results show
// it. Threats and Assets are sorted and without duplicates; Measures are
// sorted by ID, then Perspective, then Status, without exact duplicates.
// The rank pointers are copies: changing the input later does not change
// an Entry.
type Entry struct {
	// Assessment is the id of the assessment it shows (Assessment.ID),
	// Submitted its Assessment.Submitted and Incident its incident.
	Assessment      string
	Submitted       any
	Incident        string
	Analysis        string
	Organization    string
	Axis1           *int
	Axis2           *int
	Category        *int
	Threats         []string
	Assets          []string
	Measures        []MeasureRef
	OwnerDepartment string
	Rationale       string
}

// indexed is an analysis prepared for comparison: its assessments
// normalized and sorted by incident id.
type indexed struct {
	id, org   string
	incidents []string   // sorted ids of the assessed incidents
	assessed  []assessed // assessed[k] is the assessment of incidents[k]
	threats   []string   // sorted union over all assessments
	assets    []string
	measures  []string
}

// assessed is one normalized assessment of an incident, with the sorted
// ids of its measures.
type assessed struct {
	incident   string
	entry      Entry
	measureIDs []string
}

// index prepares a for comparison.
func index(a Analysis) *indexed {
	first := firstPerIncident(a.Assessments)
	n := len(first)
	x := &indexed{id: a.ID, org: a.Organization, incidents: make([]string, n), assessed: make([]assessed, n)}
	threats, assets, measures := make([][]string, n), make([][]string, n), make([][]string, n)
	ranks := make([]int, 3*n) // the entries' copies of their ranks, in one allocation
	for k, pos := range first {
		as := a.Assessments[pos]
		e := newEntry(a, as, ranks[3*k:3*k+3:3*k+3])
		ids := measureIDs(&e)
		x.incidents[k] = as.Incident
		x.assessed[k] = assessed{incident: as.Incident, entry: e, measureIDs: ids}
		threats[k], assets[k], measures[k] = e.Threats, e.Assets, ids
	}
	x.threats = union(threats...)
	x.assets = union(assets...)
	x.measures = union(measures...)
	return x
}

// firstPerIncident returns the positions in as of the first assessment of
// each incident, ordered by incident id.
func firstPerIncident(as []Assessment) []int {
	order := make([]int, len(as))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Compare(as[i].Incident, as[j].Incident)
	})
	return slices.CompactFunc(order, func(i, j int) bool {
		return as[i].Incident == as[j].Incident
	})
}

// both returns the assessments of the incidents both x and y assessed, in
// incident order: xa[k] and ya[k] are of the same incident.
func both(x, y *indexed) (xa, ya []*assessed) {
	most := min(len(x.incidents), len(y.incidents))
	xa, ya = make([]*assessed, 0, most), make([]*assessed, 0, most)
	i, j := 0, 0
	for i < len(x.incidents) && j < len(y.incidents) {
		switch {
		case x.incidents[i] < y.incidents[j]:
			i++
		case x.incidents[i] > y.incidents[j]:
			j++
		default:
			xa = append(xa, &x.assessed[i])
			ya = append(ya, &y.assessed[j])
			i++
			j++
		}
	}
	return xa, ya
}

// newEntry normalizes assessment as of analysis a, copying its ranks into
// ranks (three ints).
func newEntry(a Analysis, as Assessment, ranks []int) Entry {
	return Entry{
		Assessment:      as.ID,
		Submitted:       as.Submitted,
		Incident:        as.Incident,
		Analysis:        a.ID,
		Organization:    a.Organization,
		Axis1:           copyInto(&ranks[0], as.Axis1),
		Axis2:           copyInto(&ranks[1], as.Axis2),
		Category:        copyInto(&ranks[2], as.Category),
		Threats:         sortedSet(as.Threats),
		Assets:          sortedSet(as.Assets),
		Measures:        sortedMeasures(as.Measures),
		OwnerDepartment: as.OwnerDepartment,
		Rationale:       as.Rationale,
	}
}

// measureIDs returns the distinct ids of e's measures in ascending order.
func measureIDs(e *Entry) []string {
	var ids []string
	for _, m := range e.Measures {
		ids = append(ids, m.ID)
	}
	return slices.Compact(ids) // e.Measures is sorted by ID
}

// sortedMeasures returns ms sorted by ID, Perspective and Status, without
// exact duplicates, in a new slice, or nil when ms is empty.
func sortedMeasures(ms []MeasureRef) []MeasureRef {
	if len(ms) == 0 {
		return nil
	}
	out := slices.Clone(ms)
	slices.SortFunc(out, compareMeasures)
	return slices.Compact(out)
}

// compareMeasures orders measure references by ID, Perspective and Status.
func compareMeasures(a, b MeasureRef) int {
	return cmp.Or(
		cmp.Compare(a.ID, b.ID),
		cmp.Compare(a.Perspective, b.Perspective),
		cmp.Compare(a.Status, b.Status),
	)
}

// clonePtr returns a pointer to a copy of *p, or nil when p is nil.
func clonePtr(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// copyInto returns dst holding a copy of *p, or nil when p is nil.
func copyInto(dst, p *int) *int {
	if p == nil {
		return nil
	}
	*dst = *p
	return dst
}

// equalPtr reports whether p and q are both nil or point to equal values.
func equalPtr(p, q *int) bool {
	if p == nil || q == nil {
		return p == q
	}
	return *p == *q
}

// rank returns the rank an entry gave on one scale (axis 1, axis 2 or the
// category), or nil.
type rank func(e *Entry) *int

// The three rank scales an Entry carries.
var (
	axis1Rank    rank = func(e *Entry) *int { return e.Axis1 }
	axis2Rank    rank = func(e *Entry) *int { return e.Axis2 }
	categoryRank rank = func(e *Entry) *int { return e.Category }
)
