package neo4j

import "testing"

func TestDependents(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		counts []any
		want   string
	}{
		{"None", []any{int64(0), "assessment", int64(0), "coverage line"}, ""},
		{"One", []any{int64(1), "assessment", int64(0), "coverage line"}, "1 assessment"},
		{"Two", []any{int64(3), "assessment", int64(1), "coverage line"}, "3 assessments and 1 coverage line"},
		{"Three", []any{int64(2), "sub-clause", int64(1), "mapping", int64(0), "measure link", int64(4), "coverage line"}, "2 sub-clauses, 1 mapping and 4 coverage lines"},
		{"Irregular", []any{int64(2), "analysis|analyses"}, "2 analyses"},
		{"Qualified", []any{int64(2), "treatment|treatments", "in submitted analyses"}, "2 treatments in submitted analyses"},
		{"QualifiedNone", []any{int64(0), "treatment", "in submitted analyses"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := dependents(tt.counts...); got != tt.want {
				t.Errorf("dependents(%v) = %q, want %q", tt.counts, got, tt.want)
			}
		})
	}
}
