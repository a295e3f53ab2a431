package dataload_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ssfgraph/ssfgraph/internal/dataload"
)

// store is a fake Fetch: it answers "v:"+key for every key that does not
// start with "missing", records each call, and may block or fail.
type store struct {
	mu    sync.Mutex
	calls [][]string
	ctxs  []context.Context

	release chan struct{} // if set, each fetch waits for it to be closed
	err     error         // if set, each fetch fails with it
	panics  bool          // if set, each fetch panics
}

func (s *store) fetch(ctx context.Context, keys []string) (map[string]string, error) {
	s.mu.Lock()
	s.calls = append(s.calls, slices.Clone(keys))
	s.ctxs = append(s.ctxs, ctx)
	s.mu.Unlock()
	if s.release != nil {
		<-s.release
	}
	if s.panics {
		panic("boom")
	}
	if s.err != nil {
		return nil, s.err
	}
	m := map[string]string{}
	for _, k := range keys {
		if !strings.HasPrefix(k, "missing") {
			m[k] = "v:" + k
		}
	}
	return m, nil
}

// batches returns the keys of each fetch so far, each sorted, in the
// order of their first keys.
func (s *store) batches() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]string, len(s.calls))
	for i, c := range s.calls {
		out[i] = slices.Sorted(slices.Values(c))
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// keys returns "k00", "k01", … up to n keys.
func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("k%02d", i)
	}
	return out
}

// mustLoad loads key and checks that it gets "v:"+key.
func mustLoad(t *testing.T, l *dataload.Loader[string, string], ctx context.Context, key string) {
	t.Helper()
	if v, err := l.Load(ctx, key); err != nil || v != "v:"+key {
		t.Errorf("Load(%q) = %q, %v; want %q, nil", key, v, err, "v:"+key)
	}
}

func TestConcurrentLoadsMakeOneFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &store{}
		l := dataload.New(s.fetch, dataload.Limits{})
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Go(func() { mustLoad(t, l, t.Context(), keys(50)[i%50]) }) // each key four times
		}
		wg.Wait()
		if got, want := s.batches(), [][]string{keys(50)}; !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("fetches %v, want %v", got, want)
		}
	})
}

func TestBatchClosesWhenIdleOrAtMaxWait(t *testing.T) {
	for _, tt := range []struct {
		name    string
		every   time.Duration // between the starts of the loads
		n       int
		batches []int // the number of keys of each fetch
	}{
		{"Together", 0, 10, []int{10}},
		{"WithinIdle", 500 * time.Microsecond, 10, []int{10}},
		{"BeyondIdle", 2 * time.Millisecond, 4, []int{1, 1, 1, 1}},
		// Keys come at 0, 0.4, …, 24.8 ms, then 25.2 ms: the first batch
		// closes at 25 ms however busy it is.
		{"MaxWait", 400 * time.Microsecond, 100, []int{63, 37}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &store{}
				l := dataload.New(s.fetch, dataload.Limits{})
				var wg sync.WaitGroup
				for _, k := range keys(tt.n) {
					wg.Go(func() { mustLoad(t, l, t.Context(), k) })
					time.Sleep(tt.every)
				}
				wg.Wait()
				var sizes []int
				for _, b := range s.batches() {
					sizes = append(sizes, len(b))
				}
				if !slices.Equal(sizes, tt.batches) {
					t.Errorf("fetched batches of %v keys, want %v", sizes, tt.batches)
				}
			})
		})
	}
}

func TestKeysBeyondMaxKeysSplit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &store{}
		l := dataload.New(s.fetch, dataload.Limits{MaxKeys: 3})
		ks := keys(7)
		l.Prime(t.Context(), ks...)
		for _, k := range ks {
			mustLoad(t, l, t.Context(), k)
		}
		want := [][]string{ks[0:3], ks[3:6], ks[6:7]}
		if got := s.batches(); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("fetches %v, want %v", got, want)
		}
	})
}

func TestFetchErrorReachesEveryWaiter(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    *store
		want func(error) bool
	}{
		{"Error", &store{err: errBoom}, func(err error) bool { return errors.Is(err, errBoom) }},
		{"Panic", &store{panics: true}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "fetch panicked: boom") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := dataload.New(tt.s.fetch, dataload.Limits{})
				var wg sync.WaitGroup
				for _, k := range keys(10) {
					wg.Go(func() {
						if _, err := l.Load(t.Context(), k); !tt.want(err) {
							t.Errorf("Load(%q) error = %v", k, err)
						}
					})
				}
				wg.Wait()
				if _, err := l.Load(t.Context(), "k00"); !tt.want(err) { // the error is cached
					t.Errorf("second Load error = %v", err)
				}
				if n := len(tt.s.batches()); n != 1 {
					t.Errorf("%d fetches, want 1", n)
				}
			})
		})
	}
}

var errBoom = errors.New("boom")

func TestMissingKeyIsNotFoundForItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &store{}
		l := dataload.New(s.fetch, dataload.Limits{})
		l.Prime(t.Context(), "missing", "k00")
		if v, err := l.Load(t.Context(), "missing"); !errors.Is(err, dataload.ErrNotFound) || v != "" {
			t.Errorf("Load(missing) = %q, %v; want \"\", ErrNotFound", v, err)
		}
		mustLoad(t, l, t.Context(), "k00")
	})
}

func TestCachedKeyDoesNotFetchAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &store{}
		l := dataload.New(s.fetch, dataload.Limits{})
		mustLoad(t, l, t.Context(), "k00")
		l.Prime(t.Context(), "k00")
		mustLoad(t, l, t.Context(), "k00")
		if n := len(s.batches()); n != 1 {
			t.Errorf("%d fetches, want 1", n)
		}
	})
}

func TestClear(t *testing.T) {
	t.Run("Cached", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := &store{}
			l := dataload.New(s.fetch, dataload.Limits{})
			mustLoad(t, l, t.Context(), "k00")
			l.Clear("k00")
			mustLoad(t, l, t.Context(), "k00")
			if n := len(s.batches()); n != 2 {
				t.Errorf("%d fetches, want 2 (Clear refetches)", n)
			}
		})
	})
	t.Run("Pending", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := &store{}
			l := dataload.New(s.fetch, dataload.Limits{})
			l.Prime(t.Context(), "k00")
			l.Clear("k00") // its fetch has not started: it will read after the Clear
			mustLoad(t, l, t.Context(), "k00")
			if got := s.batches(); len(got) != 1 || len(got[0]) != 1 {
				t.Errorf("fetches %v, want one of k00", got)
			}
		})
	})
	t.Run("InFlight", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := &store{release: make(chan struct{})}
			l := dataload.New(s.fetch, dataload.Limits{})
			var wg sync.WaitGroup
			wg.Go(func() { mustLoad(t, l, t.Context(), "k00") }) // the old fetch's answer
			time.Sleep(time.Second)                              // the fetch has started and blocks
			l.Clear("k00")
			wg.Go(func() { mustLoad(t, l, t.Context(), "k00") })
			time.Sleep(time.Second)
			close(s.release)
			wg.Wait()
			if n := len(s.batches()); n != 2 {
				t.Errorf("%d fetches, want 2 (a Load after Clear does not wait for the old fetch)", n)
			}
		})
	})
}

func TestPut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &store{release: make(chan struct{})}
		l := dataload.New(s.fetch, dataload.Limits{})
		var wg sync.WaitGroup
		wg.Go(func() { mustLoad(t, l, t.Context(), "k00") })
		time.Sleep(time.Second) // the fetch has started and blocks
		l.Put("k00", "put")     // in flight: ignored
		close(s.release)
		wg.Wait()
		mustLoad(t, l, t.Context(), "k00")
		l.Put("k00", "put") // cached: ignored
		mustLoad(t, l, t.Context(), "k00")

		l.Put("k01", "put") // new: cached without a fetch
		if v, err := l.Load(t.Context(), "k01"); v != "put" || err != nil {
			t.Errorf("Load(k01) = %q, %v; want put, nil", v, err)
		}
		if n := len(s.batches()); n != 1 {
			t.Errorf("%d fetches, want 1", n)
		}
	})
}

type ctxKey struct{}

func TestCancelledWaiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &store{release: make(chan struct{})}
		l := dataload.New(s.fetch, dataload.Limits{})
		deadline := time.Now().Add(time.Hour)
		first, cancel := context.WithDeadline(context.WithValue(t.Context(), ctxKey{}, "op"), deadline)
		defer cancel()

		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := l.Load(first, "k00"); err != context.Canceled {
				t.Errorf("cancelled Load error = %v, want context.Canceled", err)
			}
		})
		time.Sleep(100 * time.Microsecond) // the first Load starts the batch
		for _, k := range keys(5)[1:] {
			wg.Go(func() { mustLoad(t, l, t.Context(), k) })
		}
		time.Sleep(time.Second) // the fetch has started and blocks
		cancel()
		synctest.Wait() // the cancelled Load has returned
		s.mu.Lock()
		ctx := s.ctxs[0]
		s.mu.Unlock()
		if err := ctx.Err(); err != nil {
			t.Errorf("the fetch's context ended with its first waiter: %v", err)
		}
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("the fetch's deadline = %v, %v; want the first Load's, %v", d, ok, deadline)
		}
		if v := ctx.Value(ctxKey{}); v != "op" {
			t.Errorf("the fetch's context lacks the first Load's values: %v", v)
		}
		close(s.release)
		wg.Wait()
		mustLoad(t, l, t.Context(), "k00") // fetched for the waiter that left, and cached
		if _, err := l.Load(first, "k05"); err != context.Canceled {
			t.Errorf("Load with a done context = %v, want context.Canceled", err)
		}
		if n := len(s.batches()); n != 1 {
			t.Errorf("%d fetches, want 1", n)
		}
	})
}
