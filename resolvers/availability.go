package resolvers

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// availability remembers that Neo4j is down, so that requests fail at once
// with UNAVAILABLE instead of waiting for the driver's retries. It learns
// it from /readyz and from a request that failed with EUNAVAILABLE (which
// starts one readiness check in the background). While Neo4j is down, at
// most one request every probeEvery is let through to check again, with a
// deadline of probeTimeout; the others are refused at once. No goroutine
// outlives a check.
type availability struct {
	store    model.Store
	log      *slog.Logger
	down     atomic.Bool
	checking atomic.Bool
	mu       sync.Mutex
	last     time.Time // of the last check
}

const (
	probeEvery   = 500 * time.Millisecond
	probeTimeout = time.Second
)

// observe records the outcome of a readiness check.
func (a *availability) observe(err error) {
	a.mu.Lock()
	a.last = time.Now()
	a.mu.Unlock()
	if err == nil {
		if a.down.Swap(false) {
			a.log.Info("Neo4j answers again")
		}
		return
	}
	if !a.down.Swap(true) {
		a.log.Warn("Neo4j is unavailable; requests fail fast until it answers", "err", err)
	}
}

// check runs one readiness check unless one is under way; it reports
// whether it ran.
func (a *availability) check(ctx context.Context) bool {
	if !a.checking.CompareAndSwap(false, true) {
		return false
	}
	defer a.checking.Store(false)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), probeTimeout)
	defer cancel()
	a.observe(a.store.Ready(ctx))
	return true
}

// suspect checks readiness in the background: a request failed as if
// Neo4j were down.
func (a *availability) suspect() {
	if !a.down.Load() {
		go a.check(context.Background())
	}
}

// middleware answers 503 with Retry-After and a GraphQL error coded
// UNAVAILABLE while Neo4j is known to be down, checking again first when
// the last check is older than probeEvery.
func (a *availability) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.down.Load() {
			a.mu.Lock()
			due := time.Since(a.last) >= probeEvery
			a.mu.Unlock()
			if due {
				a.check(r.Context())
			}
		}
		if a.down.Load() {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, graphql.Response{Errors: gqlerror.List{{
				Message: "Neo4j is unavailable; retry shortly", Extensions: map[string]any{"code": extCodes[model.EUNAVAILABLE]},
			}}})
			return
		}
		next.ServeHTTP(w, r)
	})
}
