package dataload_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ssfgraph/ssfgraph/internal/dataload"
)

// assessment and target stand for model types: an assessment refers to an
// incident and to an analysis by id.
type assessment struct{ id, incident, analysis string }

type target struct{ id string }

func incidentOf(a *assessment) (string, bool) { return a.incident, a.incident != "" }
func analysisOf(a *assessment) (string, bool) { return a.analysis, true }

// field is what gqlgen's FieldContext tells the resolver side: the object
// whose field is being resolved and the field.
type field struct {
	parent any
	name   string
}

type fieldKey struct{}

// resolving puts in ctx that the field name of parent is being resolved.
func resolving(ctx context.Context, parent any, name string) context.Context {
	return context.WithValue(ctx, fieldKey{}, field{parent, name})
}

// fieldOf is the resolving function of the tests' Siblings.
func fieldOf(ctx context.Context) (any, string) {
	f, _ := ctx.Value(fieldKey{}).(field)
	return f.parent, f.name
}

// assessments returns n assessments, of incidents i00, i01, … and of two
// analyses.
func assessments(n int) []*assessment {
	out := make([]*assessment, n)
	for i := range out {
		out[i] = &assessment{id: fmt.Sprintf("s%02d", i), incident: fmt.Sprintf("i%02d", i), analysis: fmt.Sprintf("a%d", i%2)}
	}
	return out
}

// newSiblings returns a loader over a fake store and an empty Siblings.
func newSiblings() (*store, *dataload.Loader[string, string], *dataload.Siblings) {
	st := &store{}
	return st, dataload.New(st.fetch, dataload.Limits{}), dataload.NewSiblings(fieldOf)
}

// wantOneFetch checks that st was asked once, for n keys.
func wantOneFetch(t *testing.T, st *store, n int) {
	t.Helper()
	if got := st.batches(); len(got) != 1 || len(got[0]) != n {
		t.Errorf("fetches %v, want one of %d keys", got, n)
	}
}

// together resolves field of every parent at the same time, and waits.
func together(t *testing.T, s *dataload.Siblings, l *dataload.Loader[string, string], parents []*assessment, name string, key func(*assessment) (string, bool)) {
	t.Helper()
	var wg sync.WaitGroup
	for _, p := range parents {
		wg.Go(func() {
			if _, err := dataload.LoadFor(resolving(t.Context(), p, name), s, l, p, key); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// staggered resolves field of each parent in turn, starting one every
// 10 ms (ten times the idle window), and waits for all. reported gives the
// object the resolver side reports for the i-th parent.
func staggered(t *testing.T, s *dataload.Siblings, l *dataload.Loader[string, string], parents []*assessment, name string, key func(*assessment) (string, bool), reported func(i int) any) {
	t.Helper()
	var wg sync.WaitGroup
	for i, p := range parents {
		wg.Go(func() {
			ctx := resolving(t.Context(), reported(i), name)
			k, _ := key(p)
			if v, err := dataload.LoadFor(ctx, s, l, p, key); err != nil || v != "v:"+k {
				t.Errorf("LoadFor(%s) = %q, %v; want %q", p.id, v, err, "v:"+k)
			}
		})
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
}

func TestPrefetchMakesStaggeredSiblingsOneFetch(t *testing.T) {
	const n = 8
	for _, tt := range []struct {
		name    string
		group   bool
		report  func(parents []*assessment, values []assessment, i int) any
		fetches int
	}{
		// gqlgen's FieldContext holds a list of pointers' element as **T.
		{"PointerList", true, func(ps []*assessment, _ []assessment, i int) any { return &ps[i] }, 1},
		{"Object", true, func(ps []*assessment, _ []assessment, i int) any { return ps[i] }, 1},
		{"NoGroup", false, func(ps []*assessment, _ []assessment, i int) any { return ps[i] }, n},
		{"NoField", true, func([]*assessment, []assessment, int) any { return nil }, n},
		// A resolver's object is not the group's member: no prefetch.
		{"OtherObject", true, func(_ []*assessment, vs []assessment, i int) any { return &vs[(i+1)%n] }, n},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st, l, s := newSiblings()
				parents := assessments(n)
				values := make([]assessment, n)
				for i, p := range parents {
					values[i] = *p
				}
				if tt.group {
					dataload.Group(s, parents)
				}
				staggered(t, s, l, parents, "Assessment.incident", incidentOf, func(i int) any { return tt.report(parents, values, i) })
				if got := st.batches(); len(got) != tt.fetches {
					t.Errorf("fetches %v, want %d", got, tt.fetches)
				}
			})
		})
	}
}

// TestPrefetchListOfValues covers a list of values: gqlgen hands the
// resolver a pointer to a copy of the element, and its FieldContext a
// pointer to the element itself, which is the group's member.
func TestPrefetchListOfValues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, l, s := newSiblings()
		values := make([]assessment, 8)
		members := make([]*assessment, len(values))
		copies := make([]*assessment, len(values))
		for i, p := range assessments(len(values)) {
			values[i] = *p
			members[i] = &values[i]
			c := *p
			copies[i] = &c
		}
		dataload.Group(s, members)
		staggered(t, s, l, copies, "ComparisonEntry.incident", incidentOf, func(i int) any { return &values[i] })
		wantOneFetch(t, st, len(values))
	})
}

// TestPrefetchMakesConcurrentSiblingsOneFetch resolves a field of 100
// siblings at once. In "SlowQueuing", reading the last member's key takes
// 5 ms (five idle windows): the other siblings must wait for the keys to be
// queued rather than start a batch of their own.
func TestPrefetchMakesConcurrentSiblingsOneFetch(t *testing.T) {
	for _, tt := range []struct {
		name string
		key  func(last *assessment) func(*assessment) (string, bool)
	}{
		{"Fast", func(*assessment) func(*assessment) (string, bool) { return incidentOf }},
		{"SlowQueuing", func(last *assessment) func(*assessment) (string, bool) {
			return func(a *assessment) (string, bool) {
				if a == last {
					time.Sleep(5 * time.Millisecond)
				}
				return incidentOf(a)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st, l, s := newSiblings()
				parents := assessments(100)
				dataload.Group(s, parents)
				together(t, s, l, parents, "Assessment.incident", tt.key(parents[len(parents)-1]))
				wantOneFetch(t, st, len(parents))
			})
		})
	}
}

func TestPrefetchEachFieldSeparately(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, l, s := newSiblings()
		parents := assessments(6)
		dataload.Group(s, parents)
		self := func(i int) any { return parents[i] }
		staggered(t, s, l, parents, "Assessment.incident", incidentOf, self)
		staggered(t, s, l, parents, "Assessment.analysis", analysisOf, self)
		want := [][]string{{"a0", "a1"}, {"i00", "i01", "i02", "i03", "i04", "i05"}}
		if got := st.batches(); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("fetches %v, want %v", got, want)
		}
	})
}

// TestPrefetchQueuesWhichSiblings checks which keys one load queues.
func TestPrefetchQueuesWhichSiblings(t *testing.T) {
	parents := assessments(4)
	for _, tt := range []struct {
		name   string
		groups [][]any
		want   []string
	}{
		{"SkipsOtherTypes", [][]any{{parents[0], &target{id: "t0"}, parents[1], &target{id: "t1"}, parents[2]}}, []string{"i00", "i01", "i02"}},
		{"FirstGroupKept", [][]any{{parents[0], parents[1]}, {parents[1], parents[2], parents[3]}}, []string{"i00", "i01"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st, l, s := newSiblings()
				for _, g := range tt.groups {
					dataload.Group(s, g)
				}
				ctx := resolving(t.Context(), parents[1], "Assessment.incident")
				if _, err := dataload.LoadFor(ctx, s, l, parents[1], incidentOf); err != nil {
					t.Fatal(err)
				}
				if got := st.batches(); len(got) != 1 || !slices.Equal(got[0], tt.want) {
					t.Errorf("fetches %v, want one of %v", got, tt.want)
				}
			})
		})
	}
}

func TestLoadForWithoutKey(t *testing.T) {
	_, l, s := newSiblings()
	if _, err := dataload.LoadFor(t.Context(), s, l, &assessment{}, incidentOf); err != dataload.ErrNotFound {
		t.Errorf("LoadFor without a key: %v, want ErrNotFound", err)
	}
}

// TestGroupFetchResults checks that the objects a wrapped fetch returns
// are siblings: resolving a field of each, at staggered times, fetches
// once.
func TestGroupFetchResults(t *testing.T) {
	byID := map[string]*assessment{}
	for _, a := range assessments(6) {
		byID[a.id] = a
	}
	ids := slices.Sorted(maps.Keys(byID))
	for _, tt := range []struct {
		name string
		load func(s *dataload.Siblings) func(ctx context.Context, id string) (*assessment, error)
	}{
		{"Values", func(s *dataload.Siblings) func(context.Context, string) (*assessment, error) {
			l := dataload.New(dataload.GroupValues(s, func(_ context.Context, ids []string) (map[string]*assessment, error) {
				m := map[string]*assessment{}
				for _, id := range ids {
					m[id] = byID[id]
				}
				return m, nil
			}), dataload.Limits{})
			return l.Load
		}},
		{"Lists", func(s *dataload.Siblings) func(context.Context, string) (*assessment, error) {
			l := dataload.New(dataload.GroupLists(s, func(_ context.Context, ids []string) (map[string][]*assessment, error) {
				m := map[string][]*assessment{}
				for _, id := range ids {
					m[id] = []*assessment{byID[id]}
				}
				return m, nil
			}), dataload.Limits{})
			return func(ctx context.Context, id string) (*assessment, error) {
				as, err := l.Load(ctx, id)
				if err != nil {
					return nil, err
				}
				return as[0], nil
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := dataload.NewSiblings(fieldOf)
				load := tt.load(s)
				var wg sync.WaitGroup
				parents := make([]*assessment, len(ids))
				for i, id := range ids {
					wg.Go(func() {
						a, err := load(t.Context(), id)
						if err != nil {
							t.Error(err)
						}
						parents[i] = a
					})
				}
				wg.Wait()
				st := &store{}
				incidents := dataload.New(st.fetch, dataload.Limits{})
				staggered(t, s, incidents, parents, "Assessment.incident", incidentOf, func(i int) any { return parents[i] })
				wantOneFetch(t, st, len(parents))
			})
		})
	}
}
