package model

import "encoding/json"

// AsSubmitted is what a submitted assessment rated, as it was when its
// analysis was submitted: its incident, threats and assets and the
// measures of its treatments. These are shared nodes that their editors
// may change later (see Principal.EditsShared and the catalog mutations);
// a submitted analysis keeps showing these values, and
// Assessment.changedSinceSubmission says whether the shared nodes differ
// now (node(id) reads their current values). A draft has none: it reads
// the shared nodes as they are.
type AsSubmitted struct {
	Incident *Incident
	Threats  []*Threat
	Assets   []*Asset
	Measures []*Measure
}

// Measure returns the measure with the given id as submitted, or nil.
func (s *AsSubmitted) Measure(id string) *Measure {
	for _, m := range s.Measures {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Differs reports whether the current shared nodes differ from s in any
// field the assessment shows: incident is the current incident, and
// threats, assets and measures hold the current nodes (one per id s names;
// a missing one counts as a change).
func (s *AsSubmitted) Differs(incident *Incident, threats []*Threat, assets []*Asset, measures []*Measure) bool {
	if !sameJSON(s.Incident, incident) {
		return true
	}
	return !sameByID(s.Threats, threats, func(t *Threat) string { return t.ID }) ||
		!sameByID(s.Assets, assets, func(x *Asset) string { return x.ID }) ||
		!sameByID(s.Measures, measures, func(m *Measure) string { return m.ID })
}

// sameByID reports whether every node of was has an equal node in now.
func sameByID[T any](was, now []*T, id func(*T) string) bool {
	byID := make(map[string]*T, len(now))
	for _, n := range now {
		if n != nil {
			byID[id(n)] = n
		}
	}
	for _, w := range was {
		if !sameJSON(w, byID[id(w)]) {
			return false
		}
	}
	return true
}

// sameJSON reports whether a and b encode alike (both nil counts as alike).
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
