package compare_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ssfgraph/ssfgraph/compare"
)

func TestJaccard(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, b []string
		want float64
	}{
		{"Same", []string{"x"}, []string{"x"}, 1},
		{"OneOfThree", []string{"x", "y"}, []string{"y", "z"}, 1.0 / 3},
		{"Disjoint", []string{"x"}, []string{"y"}, 0},
		{"BothEmpty", nil, []string{}, 1},
		{"OneEmpty", nil, []string{"x"}, 0},
		{"DuplicatesIgnored", []string{"x", "x", "y"}, []string{"y", "x"}, 1},
		{"OrderIgnored", []string{"c", "a", "b"}, []string{"b", "d", "a"}, 2.0 / 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := compare.Jaccard(tt.a, tt.b); got != tt.want {
				t.Errorf("Jaccard() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestJaccardProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	randomSet := func() []string {
		s := make([]string, r.IntN(8))
		for k := range s {
			s[k] = fmt.Sprint("id", r.IntN(10))
		}
		return s
	}
	for range 2000 {
		a, b := randomSet(), randomSet()
		ab := compare.Jaccard(a, b)
		if ba := compare.Jaccard(b, a); ab != ba {
			t.Fatalf("Jaccard(%v, %v) = %v, reversed %v", a, b, ab, ba)
		}
		if ab < 0 || ab > 1 {
			t.Fatalf("Jaccard(%v, %v) = %v, outside [0, 1]", a, b, ab)
		}
		if self := compare.Jaccard(a, a); self != 1 {
			t.Fatalf("Jaccard(%v, itself) = %v, want 1", a, self)
		}
		shuffled := append([]string(nil), a...)
		r.Shuffle(len(shuffled), func(x, y int) { shuffled[x], shuffled[y] = shuffled[y], shuffled[x] })
		if got := compare.Jaccard(shuffled, b); got != ab {
			t.Fatalf("reordering changed Jaccard from %v to %v", ab, got)
		}
	}
}
