package compare_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/ssfgraph/ssfgraph/compare"
)

// f returns a pointer to v, for reliability data.
func f(v float64) *float64 { return &v }

// i returns a pointer to v, for ranks.
func i(v int) *int { return &v }

// checkValue fails t unless s has a value within 0.0005 of want (three
// decimals).
func checkValue(t *testing.T, name string, s compare.Stat, want float64) {
	t.Helper()
	checkNear(t, name, s, want, 0.0005)
}

// checkNear fails t unless s has a value within tol of want.
func checkNear(t *testing.T, name string, s compare.Stat, want, tol float64) {
	t.Helper()
	if s.Value == nil {
		t.Errorf("%s = nil (%s), want %.6f", name, s.Reason, want)
		return
	}
	if math.Abs(*s.Value-want) > tol {
		t.Errorf("%s = %.6f, want %.6f", name, *s.Value, want)
	}
}

// checkUndefined fails t unless s has no value and the given reason.
func checkUndefined(t *testing.T, name string, s compare.Stat, reason string) {
	t.Helper()
	if s.Value != nil {
		t.Errorf("%s = %v, want nil (%s)", name, *s.Value, reason)
		return
	}
	if s.Reason != reason {
		t.Errorf("%s reason = %q, want %q", name, s.Reason, reason)
	}
}

// show formats a Stat for error messages and equality checks.
func show(s compare.Stat) string {
	if s.Value == nil {
		return fmt.Sprintf("nil(%s) n=%d", s.Reason, s.N)
	}
	return fmt.Sprintf("%v n=%d", *s.Value, s.N)
}
