package compare_test

import (
	"reflect"
	"testing"

	"github.com/ssfgraph/ssfgraph/compare"
)

func TestDiffOrganizations(t *testing.T) {
	analyses := handMade()
	a1, a2 := analyses[1], analyses[2]
	d := compare.Diff(a1, a2)
	if d.A != "A1" || d.B != "A2" {
		t.Errorf("A, B = %s, %s; want A1, A2", d.A, d.B)
	}
	if !reflect.DeepEqual(d.Added, []string{"I4"}) || !reflect.DeepEqual(d.Removed, []string{"I3"}) {
		t.Errorf("Added %v, Removed %v; want [I4], [I3]", d.Added, d.Removed)
	}
	want := []compare.IncidentDiff{
		{Incident: "I1", Rationale: &compare.TextChange{From: "ra1", To: "rb1"}},
		{
			Incident:        "I2",
			Axis1:           &compare.LevelChange{From: i(1), To: i(4)},
			Category:        &compare.LevelChange{From: i(1), To: i(3)},
			Measures:        compare.SetChange{Added: []string{"M4"}, Removed: []string{"M3"}},
			OwnerDepartment: &compare.TextChange{From: "OT", To: "Ops"},
		},
	}
	if !reflect.DeepEqual(d.Changed, want) {
		t.Errorf("Changed = %+v\nwant %+v", d.Changed, want)
	}
	c := compare.Compare(analyses, compare.Options{})
	if !reflect.DeepEqual(d.Pair, c.Pairs[0]) {
		t.Errorf("Diff pair = %+v\nCompare pair = %+v", d.Pair, c.Pairs[0])
	}
}

func TestDiffVersions(t *testing.T) {
	v1 := compare.Analysis{ID: "v1", Organization: "OrgA", Assessments: []compare.Assessment{
		{Incident: "I1", Axis1: i(2), Axis2: i(3), Threats: []string{"T1"}, Assets: []string{"X1"},
			Measures: []compare.MeasureRef{m("M1", "P1", "planned"), m("M2", "P2", "implemented")}},
		{Incident: "I2", Axis1: i(1), Axis2: i(1), Threats: []string{"T1"}},
	}}
	v2 := compare.Analysis{ID: "v2", Organization: "OrgA", Assessments: []compare.Assessment{
		{Incident: "I2", Axis1: i(1), Axis2: i(1), Threats: []string{"T1"}},
		{Incident: "I1", Axis2: i(3), Threats: []string{"T2", "T1"},
			Measures: []compare.MeasureRef{m("M3", "P4", "planned"), m("M1", "P1", "implemented")}},
	}}
	d := compare.Diff(v1, v2)
	want := compare.AnalysisDiff{
		Pair: d.Pair,
		Changed: []compare.IncidentDiff{{
			Incident: "I1",
			Axis1:    &compare.LevelChange{From: i(2)},
			Threats:  compare.SetChange{Added: []string{"T2"}},
			Assets:   compare.SetChange{Removed: []string{"X1"}},
			Measures: compare.SetChange{Added: []string{"M3"}, Removed: []string{"M2"}},
			MeasureChanges: []compare.MeasureChange{
				{ID: "M1", From: m("M1", "P1", "planned"), To: m("M1", "P1", "implemented")}},
		}},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Diff = %+v\nwant %+v", d, want)
	}
	for _, tt := range []struct {
		name string
		got  float64
		want float64
	}{
		{"Incidents", d.Incidents, 1},
		{"Threats", d.Threats, 1.0 / 2},
		{"Assets", d.Assets, 0},
		{"Measures", d.Measures, 1.0 / 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("Jaccard = %v, want %v", tt.got, tt.want)
			}
		})
	}
	// Axis 1 is rated by both only on I2: one pair is too few for kappa.
	checkUndefined(t, "axis-1 kappa", d.Axis1.Kappa, compare.ReasonTooFew)
	checkNear(t, "axis-1 percent", d.Axis1.Percent, 1, 0)
	// Axis 2 agrees on (3,3) and (1,1).
	checkNear(t, "axis-2 kappa", d.Axis2.Kappa, 1, 0)
}

func TestDiffIdentical(t *testing.T) {
	a := handMade()[0]
	d := compare.Diff(a, a)
	if d.Added != nil || d.Removed != nil || d.Changed != nil {
		t.Errorf("Diff(a, a) = added %v, removed %v, changed %+v; want nothing", d.Added, d.Removed, d.Changed)
	}
	checkNear(t, "axis-1 kappa", d.Axis1.Kappa, 1, 0)
}

func TestDiffEmpty(t *testing.T) {
	d := compare.Diff(compare.Analysis{ID: "x"}, compare.Analysis{ID: "y"})
	if d.Incidents != 1 || d.Measures != 1 {
		t.Errorf("Jaccard of two empty analyses = %v, %v; want 1 (documented)", d.Incidents, d.Measures)
	}
	checkUndefined(t, "kappa", d.Axis1.Kappa, compare.ReasonTooFew)
	checkUndefined(t, "percent", d.Axis1.Percent, compare.ReasonNoPairs)
}
