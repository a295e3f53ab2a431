package compare_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/ssfgraph/ssfgraph/compare"
)

// m returns a measure reference.
func m(id, perspective, status string) compare.MeasureRef {
	return compare.MeasureRef{ID: id, Perspective: perspective, Status: status}
}

// handMade returns three analyses of one target, deliberately not in id
// order:
//
//	      I1 (axis1,axis2,cat)  I2            I3          I4
//	A1    3,2,2 M1 M2 IT        1,1,1 M3 OT   2,4,3 M1    -
//	A2    3,2,2 M1 M2 IT        4,1,3 M4 Ops  -           2,-,- M5 M7
//	A3    3,2,2 M1 M2 IT        2,3,2 M3 OT   2,4,3 M1 M6 -
func handMade() []compare.Analysis {
	a1 := compare.Analysis{ID: "A1", Organization: "OrgA", Assessments: []compare.Assessment{
		{Incident: "I1", Axis1: i(3), Axis2: i(2), Category: i(2), Threats: []string{"T1", "T2"}, Assets: []string{"X1"},
			Measures: []compare.MeasureRef{m("M1", "P1", "implemented"), m("M2", "P3", "planned")}, OwnerDepartment: "IT", Rationale: "ra1"},
		{Incident: "I2", Axis1: i(1), Axis2: i(1), Category: i(1), Threats: []string{"T3"},
			Measures: []compare.MeasureRef{m("M3", "P2", "implemented")}, OwnerDepartment: "OT"},
		{Incident: "I3", Axis1: i(2), Axis2: i(4), Category: i(3), Threats: []string{"T1"},
			Measures: []compare.MeasureRef{m("M1", "P1", "implemented")}, OwnerDepartment: "IT"},
	}}
	a2 := compare.Analysis{ID: "A2", Organization: "OrgB", Assessments: []compare.Assessment{
		{Incident: "I4", Axis1: i(2), Measures: []compare.MeasureRef{m("M7", "", "planned"), m("M5", "P3", "planned")}},
		{Incident: "I1", Axis1: i(3), Axis2: i(2), Category: i(2), Threats: []string{"T2", "T1", "T2"}, Assets: []string{"X1"},
			Measures: []compare.MeasureRef{m("M2", "P3", "planned"), m("M1", "P1", "implemented")}, OwnerDepartment: "IT", Rationale: "rb1"},
		{Incident: "I2", Axis1: i(4), Axis2: i(1), Category: i(3), Threats: []string{"T3"},
			Measures: []compare.MeasureRef{m("M4", "P4", "implemented")}, OwnerDepartment: "Ops"},
	}}
	a3 := compare.Analysis{ID: "A3", Organization: "OrgC", Assessments: []compare.Assessment{
		{Incident: "I3", Axis1: i(2), Axis2: i(4), Category: i(3), Threats: []string{"T1"},
			Measures: []compare.MeasureRef{m("M6", "P2", "planned"), m("M1", "P1", "implemented")}, OwnerDepartment: "IT"},
		{Incident: "I2", Axis1: i(2), Axis2: i(3), Category: i(2), Threats: []string{"T3"},
			Measures: []compare.MeasureRef{m("M3", "P2", "implemented")}, OwnerDepartment: "OT"},
		{Incident: "I1", Axis1: i(3), Axis2: i(2), Category: i(2), Threats: []string{"T1", "T2"}, Assets: []string{"X1"},
			Measures: []compare.MeasureRef{m("M1", "P1", "implemented"), m("M2", "P3", "planned")}, OwnerDepartment: "IT", Rationale: "rc1"},
	}}
	return []compare.Analysis{a3, a1, a2}
}

// spreadString formats a Spread as "N:min..max/range", or "0" when empty.
func spreadString(s compare.Spread) string {
	if s.N == 0 {
		if s.Min != nil || s.Max != nil || s.Range != nil {
			return "0 with values"
		}
		return "0"
	}
	return fmt.Sprintf("%d:%d..%d/%d", s.N, *s.Min, *s.Max, *s.Range)
}

func TestCompareAnalysesOrderAndPerspectives(t *testing.T) {
	c := compare.Compare(handMade(), compare.Options{})
	want := []compare.AnalysisSummary{
		{ID: "A1", Organization: "OrgA", Incidents: 3, Perspectives: []compare.PerspectiveCount{
			{"P1", 1}, {"P2", 1}, {"P3", 1}, {"P4", 0}}},
		{ID: "A2", Organization: "OrgB", Incidents: 3, Perspectives: []compare.PerspectiveCount{
			{"P1", 1}, {"P2", 0}, {"P3", 2}, {"P4", 1}, {"", 1}}},
		{ID: "A3", Organization: "OrgC", Incidents: 3, Perspectives: []compare.PerspectiveCount{
			{"P1", 1}, {"P2", 2}, {"P3", 1}, {"P4", 0}}},
	}
	if !reflect.DeepEqual(c.Analyses, want) {
		t.Errorf("Analyses = %+v\nwant %+v", c.Analyses, want)
	}
}

func TestCompareIncidentRows(t *testing.T) {
	c := compare.Compare(handMade(), compare.Options{})
	var ids []string
	for _, row := range c.Incidents {
		ids = append(ids, row.Incident)
	}
	if want := []string{"I1", "I2", "I3", "I4"}; !slices.Equal(ids, want) {
		t.Fatalf("incidents = %v, want %v", ids, want)
	}
	for k, tt := range []struct {
		name                   string
		foundBy, missedBy      []string
		axis1, axis2, category string
		differs                compare.Divergence
	}{
		{"I1", []string{"A1", "A2", "A3"}, nil, "3:3..3/0", "3:2..2/0", "3:2..2/0", compare.Divergence{}},
		{"I2", []string{"A1", "A2", "A3"}, nil, "3:1..4/3", "3:1..3/2", "3:1..3/2",
			compare.Divergence{Axis1: true, Axis2: true, Category: true, Measures: true, Owner: true}},
		{"I3", []string{"A1", "A3"}, []string{"A2"}, "2:2..2/0", "2:4..4/0", "2:3..3/0", compare.Divergence{Measures: true}},
		{"I4", []string{"A2"}, []string{"A1", "A3"}, "1:2..2/0", "0", "0", compare.Divergence{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			row := c.Incidents[k]
			if !slices.Equal(row.FoundBy, tt.foundBy) || !slices.Equal(row.MissedBy, tt.missedBy) {
				t.Errorf("found by %v, missed by %v; want %v, %v", row.FoundBy, row.MissedBy, tt.foundBy, tt.missedBy)
			}
			if len(row.Entries) != len(tt.foundBy) {
				t.Fatalf("%d entries, want %d", len(row.Entries), len(tt.foundBy))
			}
			for e, entry := range row.Entries {
				if entry.Analysis != tt.foundBy[e] {
					t.Errorf("entry %d is of %s, want %s", e, entry.Analysis, tt.foundBy[e])
				}
			}
			got := [3]string{spreadString(row.Axis1), spreadString(row.Axis2), spreadString(row.Category)}
			if want := [3]string{tt.axis1, tt.axis2, tt.category}; got != want {
				t.Errorf("spreads = %v, want %v", got, want)
			}
			if row.Differs != tt.differs {
				t.Errorf("Differs = %+v, want %+v", row.Differs, tt.differs)
			}
			if want := tt.differs != (compare.Divergence{}); row.Divergent != want {
				t.Errorf("Divergent = %v, want %v", row.Divergent, want)
			}
		})
	}
}

func TestCompareEntriesNormalized(t *testing.T) {
	c := compare.Compare(handMade(), compare.Options{})
	got := c.Incidents[0].Entries[1] // I1 as A2 assessed it
	want := compare.Entry{
		Incident: "I1", Analysis: "A2", Organization: "OrgB", Axis1: i(3), Axis2: i(2), Category: i(2),
		Threats: []string{"T1", "T2"}, Assets: []string{"X1"},
		Measures:        []compare.MeasureRef{m("M1", "P1", "implemented"), m("M2", "P3", "planned")},
		OwnerDepartment: "IT", Rationale: "rb1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entry = %+v\nwant %+v", got, want)
	}
}

func TestComparePartial(t *testing.T) {
	c := compare.Compare(handMade(), compare.Options{})
	want := []compare.Coverage{
		{Incident: "I3", FoundBy: []string{"A1", "A3"}, MissedBy: []string{"A2"}},
		{Incident: "I4", FoundBy: []string{"A2"}, MissedBy: []string{"A1", "A3"}},
	}
	if !reflect.DeepEqual(c.Partial, want) {
		t.Errorf("Partial = %+v\nwant %+v", c.Partial, want)
	}
}

func TestCompareAlpha(t *testing.T) {
	// Exact values from an independent computation with fractions over the
	// rank tables in handMade's comment.
	for _, tt := range []struct {
		metric                 compare.Metric
		axis1, axis2, category float64
	}{
		{compare.Ordinal, 31.0 / 304, 227.0 / 416, 51.0 / 160},
		{compare.Interval, -1.0 / 48, 51.0 / 79, 1.0 / 4},
		{compare.Nominal, 23.0 / 44, 16.0 / 23, 17.0 / 38},
	} {
		t.Run(tt.metric.String(), func(t *testing.T) {
			a := compare.Compare(handMade(), compare.Options{Metric: tt.metric}).Alpha
			if a.Metric != tt.metric {
				t.Errorf("Metric = %v, want %v", a.Metric, tt.metric)
			}
			checkNear(t, "axis 1", a.Axis1, tt.axis1, 1e-12)
			checkNear(t, "axis 2", a.Axis2, tt.axis2, 1e-12)
			checkNear(t, "category", a.Category, tt.category, 1e-12)
		})
	}
}

func TestComparePairs(t *testing.T) {
	c := compare.Compare(handMade(), compare.Options{})
	for k, tt := range []struct {
		a, b                         string
		incidents, threats, measures float64
		kappa1, percent1             float64
	}{
		// A1-A2 share I1 (3,3) and I2 (1,4): kappa 1 - 2·9/14.
		{"A1", "A2", 2.0 / 4, 1, 2.0 / 6, -2.0 / 7, 1.0 / 2},
		// A1-A3 share I1 (3,3), I2 (1,2), I3 (2,2): kappa 1 - 3·1/9.
		{"A1", "A3", 1, 1, 3.0 / 4, 2.0 / 3, 2.0 / 3},
		// A2-A3 share I1 (3,3), I2 (4,2): kappa 1 - 2·4/6.
		{"A2", "A3", 2.0 / 4, 1, 2.0 / 7, -1.0 / 3, 1.0 / 2},
	} {
		t.Run(tt.a+"-"+tt.b, func(t *testing.T) {
			p := c.Pairs[k]
			if p.A != tt.a || p.B != tt.b {
				t.Fatalf("pair %d = %s-%s, want %s-%s", k, p.A, p.B, tt.a, tt.b)
			}
			if p.Incidents != tt.incidents || p.Threats != tt.threats || p.Measures != tt.measures || p.Assets != 1 {
				t.Errorf("Jaccard incidents, threats, measures, assets = %v, %v, %v, %v; want %v, %v, %v, 1",
					p.Incidents, p.Threats, p.Measures, p.Assets, tt.incidents, tt.threats, tt.measures)
			}
			checkNear(t, "axis-1 kappa", p.Axis1.Kappa, tt.kappa1, 1e-12)
			checkNear(t, "axis-1 percent", p.Axis1.Percent, tt.percent1, 1e-12)
		})
	}
	if len(c.Pairs) != 3 {
		t.Errorf("%d pairs, want 3", len(c.Pairs))
	}
	// A1-A2 category: (2,2) and (1,3), kappa 1 - 2·4/6; axis 2 agrees.
	checkNear(t, "A1-A2 category kappa", c.Pairs[0].Category.Kappa, -1.0/3, 1e-12)
	checkNear(t, "A1-A2 axis-2 kappa", c.Pairs[0].Axis2.Kappa, 1, 1e-12)
}

func TestCompareWeightsOption(t *testing.T) {
	p := compare.Compare(handMade(), compare.Options{Weights: compare.Unweighted}).Pairs[1] // A1-A3
	// Pairs (3,3), (1,2), (2,2): p_o = 2/3, p_e = 1/3·0 + 1/3·2/3 + 1/3·1/3 = 1/3.
	checkNear(t, "unweighted kappa", p.Axis1.Kappa, 0.5, 1e-12)
}

func TestCompareHotspots(t *testing.T) {
	c := compare.Compare(handMade(), compare.Options{})
	// I2: axis-1 range 3 of 3, axis-2 range 2 of 3, measures {M3},{M4},{M3}
	// mean Jaccard 1/3. I3: measures {M1},{M1,M6} Jaccard 1/2.
	want := []compare.Hotspot{
		{Incident: "I2", Score: 1 + 2.0/3 + 2.0/3, Axis1: 1, Axis2: 2.0 / 3, Measures: 2.0 / 3},
		{Incident: "I3", Score: 0.5, Measures: 0.5},
	}
	if len(c.Hotspots) != len(want) {
		t.Fatalf("Hotspots = %+v, want %+v", c.Hotspots, want)
	}
	for k, h := range c.Hotspots {
		w := want[k]
		if h.Incident != w.Incident || !near(h.Score, w.Score) || !near(h.Axis1, w.Axis1) ||
			!near(h.Axis2, w.Axis2) || !near(h.Measures, w.Measures) {
			t.Errorf("hotspot %d = %+v, want %+v", k, h, w)
		}
	}
}

// near reports whether a and b agree to 1e-12.
func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestCompareHotspotTiesByIncident(t *testing.T) {
	a := compare.Analysis{ID: "B1", Assessments: []compare.Assessment{
		{Incident: "Z", Axis1: i(1)}, {Incident: "Y", Axis1: i(1)}, {Incident: "X", Axis1: i(1)}}}
	b := compare.Analysis{ID: "B2", Assessments: []compare.Assessment{
		{Incident: "Z", Axis1: i(2)}, {Incident: "Y", Axis1: i(2)}, {Incident: "X", Axis1: i(1)}}}
	c := compare.Compare([]compare.Analysis{a, b}, compare.Options{})
	var got []string
	for _, h := range c.Hotspots {
		got = append(got, fmt.Sprintf("%s=%v", h.Incident, h.Score))
	}
	if want := []string{"Y=1", "Z=1"}; !slices.Equal(got, want) {
		t.Errorf("hotspots = %v, want %v", got, want)
	}
}

func TestCompareEdgeCases(t *testing.T) {
	for _, tt := range []struct {
		name     string
		analyses []compare.Analysis
		reason   string
		rows     int
	}{
		{"NoAnalyses", nil, compare.ReasonTooFew, 0},
		{"OneAnalysis", []compare.Analysis{handMade()[0]}, compare.ReasonTooFew, 3},
		{"NoVariation", []compare.Analysis{
			{ID: "A", Assessments: []compare.Assessment{
				{Incident: "I", Axis1: i(2), Axis2: i(2), Category: i(2)}, {Incident: "J", Axis1: i(2), Axis2: i(2), Category: i(2)}}},
			{ID: "B", Assessments: []compare.Assessment{
				{Incident: "J", Axis1: i(2), Axis2: i(2), Category: i(2)}, {Incident: "I", Axis1: i(2), Axis2: i(2), Category: i(2)}}},
		}, compare.ReasonNoVariation, 2},
		{"NothingRated", []compare.Analysis{
			{ID: "A", Assessments: []compare.Assessment{{Incident: "I"}}},
			{ID: "B", Assessments: []compare.Assessment{{Incident: "I"}}},
		}, compare.ReasonTooFew, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := compare.Compare(tt.analyses, compare.Options{})
			checkUndefined(t, "axis-1 alpha", c.Alpha.Axis1, tt.reason)
			checkUndefined(t, "axis-2 alpha", c.Alpha.Axis2, tt.reason)
			checkUndefined(t, "category alpha", c.Alpha.Category, tt.reason)
			if len(c.Incidents) != tt.rows {
				t.Errorf("%d rows, want %d", len(c.Incidents), tt.rows)
			}
			if len(c.Hotspots) != 0 || len(c.Partial) != 0 {
				t.Errorf("hotspots %v, partial %v; want none", c.Hotspots, c.Partial)
			}
			for _, p := range c.Pairs {
				checkUndefined(t, "kappa", p.Axis1.Kappa, tt.reason)
			}
		})
	}
}

func TestCompareDuplicateIncidentUsesFirst(t *testing.T) {
	a := compare.Analysis{ID: "A", Assessments: []compare.Assessment{
		{Incident: "I", Axis1: i(1)}, {Incident: "I", Axis1: i(4)}}}
	c := compare.Compare([]compare.Analysis{a}, compare.Options{})
	if len(c.Incidents) != 1 || len(c.Incidents[0].Entries) != 1 || *c.Incidents[0].Entries[0].Axis1 != 1 {
		t.Errorf("rows = %+v, want one row with axis 1 = 1", c.Incidents)
	}
}

func TestCompareDoesNotShareInput(t *testing.T) {
	in := handMade()
	c := compare.Compare(in, compare.Options{})
	*in[1].Assessments[0].Axis1 = 99
	in[1].Assessments[0].Threats[0] = "changed"
	e := c.Incidents[0].Entries[0] // I1 as A1 assessed it
	if *e.Axis1 != 3 || e.Threats[0] != "T1" {
		t.Errorf("changing the input changed the result: %+v", e)
	}
}

// randomAnalyses returns between two and five analyses of one target with
// random incidents, ranks (some missing), threats, assets and measures.
func randomAnalyses(r *rand.Rand) []compare.Analysis {
	n := 2 + r.IntN(4)
	out := make([]compare.Analysis, n)
	for k := range out {
		out[k] = compare.Analysis{ID: fmt.Sprint("A", k), Organization: fmt.Sprint("Org", r.IntN(3))}
		for inc := range 12 {
			if r.IntN(4) == 0 {
				continue
			}
			out[k].Assessments = append(out[k].Assessments, randomAssessment(r, fmt.Sprint("I", inc)))
		}
	}
	return out
}

// randomAssessment returns an assessment of incident with random content.
func randomAssessment(r *rand.Rand, incident string) compare.Assessment {
	rank := func() *int {
		if r.IntN(8) == 0 {
			return nil
		}
		return i(1 + r.IntN(4))
	}
	ids := func(prefix string, pool, most int) []string {
		out := make([]string, r.IntN(most+1))
		for k := range out {
			out[k] = fmt.Sprint(prefix, r.IntN(pool))
		}
		return out
	}
	as := compare.Assessment{
		Incident: incident, Axis1: rank(), Axis2: rank(), Category: rank(),
		Threats: ids("T", 6, 3), Assets: ids("X", 4, 2),
		OwnerDepartment: fmt.Sprint("D", r.IntN(2)), Rationale: fmt.Sprint("because ", r.IntN(3)),
	}
	for range r.IntN(4) {
		as.Measures = append(as.Measures, m(fmt.Sprint("M", r.IntN(8)), fmt.Sprint("P", 1+r.IntN(4)), "implemented"))
	}
	return as
}

// shuffled returns a deep copy of analyses with the analyses, their
// assessments and every id list in a random order.
func shuffled(r *rand.Rand, analyses []compare.Analysis) []compare.Analysis {
	out := make([]compare.Analysis, len(analyses))
	for k, a := range analyses {
		a.Assessments = slices.Clone(a.Assessments)
		for x := range a.Assessments {
			as := &a.Assessments[x]
			as.Threats = shuffle(r, as.Threats)
			as.Assets = shuffle(r, as.Assets)
			as.Measures = shuffle(r, as.Measures)
		}
		a.Assessments = shuffle(r, a.Assessments)
		out[k] = a
	}
	return shuffle(r, out)
}

// shuffle returns a copy of xs in a random order.
func shuffle[T any](r *rand.Rand, xs []T) []T {
	out := slices.Clone(xs)
	r.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	return out
}

func TestCompareOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 300 {
		analyses := randomAnalyses(r)
		opts := compare.Options{Metric: compare.Metric(r.IntN(3)), Weights: compare.Weights(r.IntN(3))}
		want := compare.Compare(analyses, opts)
		got := compare.Compare(shuffled(r, analyses), opts)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("reordering the input changed the comparison:\n got %+v\nwant %+v", got, want)
		}
	}
}

func TestComparePairsSymmetric(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for range 300 {
		analyses := randomAnalyses(r)
		for _, p := range compare.Compare(analyses, compare.Options{}).Pairs {
			a, b := find(analyses, p.A), find(analyses, p.B)
			ab := compare.Diff(a, b).Pair
			ba := compare.Diff(b, a).Pair
			ba.A, ba.B = ba.B, ba.A
			if !reflect.DeepEqual(ab, ba) {
				t.Fatalf("Diff(a,b) pair %+v differs from Diff(b,a) pair %+v", ab, ba)
			}
			if !reflect.DeepEqual(ab, p) {
				t.Fatalf("Diff pair %+v differs from Compare pair %+v", ab, p)
			}
		}
	}
}

// find returns the analysis with the given id.
func find(analyses []compare.Analysis, id string) compare.Analysis {
	for _, a := range analyses {
		if a.ID == id {
			return a
		}
	}
	panic("no analysis " + id)
}

func TestCompareIdenticalAnalyses(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	perfect := 0
	for range 300 {
		base := randomAnalyses(r)[0]
		copies := make([]compare.Analysis, 2+r.IntN(3))
		for k := range copies {
			copies[k] = base
			copies[k].ID = fmt.Sprint("C", k)
		}
		c := compare.Compare(copies, compare.Options{})
		checkPerfect(t, "axis-1 alpha", c.Alpha.Axis1)
		if c.Alpha.Axis1.Value != nil {
			perfect++
		}
		checkPerfect(t, "axis-2 alpha", c.Alpha.Axis2)
		checkPerfect(t, "category alpha", c.Alpha.Category)
		for _, p := range c.Pairs {
			checkPerfect(t, "axis-1 kappa", p.Axis1.Kappa)
			checkPerfect(t, "category kappa", p.Category.Kappa)
			if p.Incidents != 1 || p.Threats != 1 || p.Assets != 1 || p.Measures != 1 {
				t.Fatalf("identical analyses have Jaccard below 1: %+v", p)
			}
			if p.Axis1.Percent.Value != nil && *p.Axis1.Percent.Value != 1 {
				t.Fatalf("identical analyses have percent agreement %s", show(p.Axis1.Percent))
			}
		}
		for _, row := range c.Incidents {
			if row.Divergent {
				t.Fatalf("identical analyses diverge on %s: %+v", row.Incident, row.Differs)
			}
		}
		if len(c.Hotspots) != 0 || len(c.Partial) != 0 {
			t.Fatalf("identical analyses have hotspots %v, partial %v", c.Hotspots, c.Partial)
		}
	}
	if perfect < 250 {
		t.Errorf("alpha was 1 in only %d of 300 cases; the property is barely tested", perfect)
	}
}

// checkPerfect fails t unless s is exactly 1 or undefined for lack of data
// or variation.
func checkPerfect(t *testing.T, name string, s compare.Stat) {
	t.Helper()
	switch {
	case s.Value != nil && *s.Value == 1:
	case s.Value == nil && (s.Reason == compare.ReasonNoVariation || s.Reason == compare.ReasonTooFew):
	default:
		t.Fatalf("%s = %s, want 1 or undefined", name, show(s))
	}
}
