package resolvers

import (
	"context"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/time/rate"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/transport"
)

// Error codes of the rate and connection limits.
const (
	CodeRateLimited          = "RATE_LIMITED"
	CodeTooManyConnections   = "TOO_MANY_CONNECTIONS"
	CodeTooManySubscriptions = "TOO_MANY_SUBSCRIPTIONS"
)

// RateLimits are the per-client limits of NewHandler. A zero field turns
// its limit off (so tests that send many requests need not set them);
// `ssfgraph serve` sets them all from its flags.
type RateLimits struct {
	// PerIP and PerToken are the sustained requests per second from one
	// client address and for one Authorization header value; PerIPBurst
	// and PerTokenBurst the bursts above it. Every request to /graphql
	// counts, websocket upgrades and requests with a wrong token included,
	// so wrong-token guesses cost at most PerIP Neo4j reads a second.
	PerIP, PerToken           rate.Limit
	PerIPBurst, PerTokenBurst int
	// WebsocketsPerIP, WebsocketsPerToken and Websockets cap the open
	// websockets from one address, of one token (checked at
	// connection_init) and in the whole server.
	WebsocketsPerIP, WebsocketsPerToken, Websockets int
	// SubscriptionsPerConnection caps the running subscriptions of one
	// websocket.
	SubscriptionsPerConnection int
}

// clientIP returns the host of r's remote address. Behind a proxy every
// request shares the proxy's address; the proxy should then rate limit.
func clientIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// limiterSet is a token bucket per key. It forgets keys idle for ten
// minutes once it holds more than maxKeys, so memory stays bounded.
type limiterSet struct {
	limit rate.Limit
	burst int
	mu    sync.Mutex
	m     map[string]*keyedLimiter
}

type keyedLimiter struct {
	l    *rate.Limiter
	seen time.Time
}

const maxLimiterKeys = 10000

func newLimiterSet(limit rate.Limit, burst int) *limiterSet {
	if limit <= 0 {
		return nil
	}
	return &limiterSet{limit: limit, burst: max(burst, 1), m: map[string]*keyedLimiter{}}
}

// allow takes n tokens of key's bucket. When there are not enough it
// takes none and returns false and how long until there are.
func (s *limiterSet) allow(key string, now time.Time, n int) (bool, time.Duration) {
	if s == nil {
		return true, 0
	}
	s.mu.Lock()
	k := s.m[key]
	if k == nil {
		if len(s.m) >= maxLimiterKeys {
			for key, v := range s.m {
				if now.Sub(v.seen) > 10*time.Minute {
					delete(s.m, key)
				}
			}
		}
		k = &keyedLimiter{l: rate.NewLimiter(s.limit, s.burst)}
		s.m[key] = k
	}
	k.seen = now
	s.mu.Unlock()
	r := k.l.ReserveN(now, n)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// rateLimit answers 429 with Retry-After and a GraphQL error coded
// RATE_LIMITED when the client's address or its Authorization header has
// no request left, before anything reads the body or checks the token.
func rateLimit(l RateLimits, next http.Handler) http.Handler {
	perIP, perToken := newLimiterSet(l.PerIP, l.PerIPBurst), newLimiterSet(l.PerToken, l.PerTokenBurst)
	if perIP == nil && perToken == nil {
		return next
	}
	// take takes n requests of r's address and token.
	take := func(w http.ResponseWriter, r *http.Request, n int) bool {
		now := time.Now()
		ok, wait := perIP.allow(clientIP(r), now, n)
		what := "this address"
		if auth := r.Header.Get("Authorization"); ok && auth != "" {
			ok, wait = perToken.allow(auth, now, n)
			what = "this token"
		}
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			writeJSON(w, http.StatusTooManyRequests, graphql.Response{Errors: gqlerror.List{limitError(CodeRateLimited,
				"too many requests from %s; retry after %d s", what, max(secs, 1))}})
		}
		return ok
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if take(w, r, 1) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), rateTakeKey{}, take)))
		}
	})
}

// rateTakeKey keys, in a request's context, rateLimit's function that
// takes more requests of the same client.
type rateTakeKey struct{}

// admitBatch is transport.HTTP's AdmitBatch: a batch of n operations
// counts as n requests (the first was taken by rateLimit).
func admitBatch(w http.ResponseWriter, r *http.Request, n int) bool {
	take, ok := r.Context().Value(rateTakeKey{}).(func(http.ResponseWriter, *http.Request, int) bool)
	return !ok || n <= 1 || take(w, r, n-1)
}

// connLimits counts open websockets in the whole server, per address and
// per token, and running subscriptions per connection.
type connLimits struct {
	l     RateLimits
	total atomic.Int64
	mu    sync.Mutex
	ip    map[string]int
	token map[string]int
}

func newConnLimits(l RateLimits) *connLimits {
	return &connLimits{l: l, ip: map[string]int{}, token: map[string]int{}}
}

// acquire adds one to m[key] unless that would pass limit (0: no limit).
func (c *connLimits) acquire(m map[string]int, key string, limit int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if limit > 0 && m[key] >= limit {
		return false
	}
	m[key]++
	return true
}

func (c *connLimits) release(m map[string]int, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m[key]--; m[key] <= 0 {
		delete(m, key)
	}
}

// middleware refuses a websocket upgrade, or a request that may be answered
// by a stream (transport.MayStream), over the server-wide ceiling (503)
// or over the per-address cap (429), with a GraphQL error coded
// TOO_MANY_CONNECTIONS, before upgrading. gqlgen serves a websocket inside
// ServeHTTP, so a connection counts until ServeHTTP returns.
func (c *connLimits) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") && !transport.MayStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		refuse := func(status int, format string, args ...any) {
			writeJSON(w, status, graphql.Response{Errors: gqlerror.List{limitError(CodeTooManyConnections, format, args...)}})
		}
		if n := c.total.Add(1); c.l.Websockets > 0 && n > int64(c.l.Websockets) {
			c.total.Add(-1)
			refuse(http.StatusServiceUnavailable, "the server has %d open websockets and streams, its limit", c.l.Websockets)
			return
		}
		defer c.total.Add(-1)
		ip := clientIP(r)
		if !c.acquire(c.ip, ip, c.l.WebsocketsPerIP) {
			refuse(http.StatusTooManyRequests, "this address has %d open websockets and streams, the limit", c.l.WebsocketsPerIP)
			return
		}
		defer c.release(c.ip, ip)
		next.ServeHTTP(w, r)
	})
}

// subscriptionCounter is the count of one connection's running
// subscriptions, in the connection's context.
type subscriptionCounter struct{ n atomic.Int64 }

type subscriptionCounterKey struct{}

// websocketInit counts the connection against its token's cap (refusing
// it with 4429 and TOO_MANY_CONNECTIONS when over it; released when the
// connection ends) and gives it a subscription counter. The token is that
// of the principal in ctx (from connection_init or the upgrade request).
func (c *connLimits) websocketInit(ctx context.Context) (context.Context, error) {
	if p := model.PrincipalFrom(ctx); p != nil && p.TokenID != "" {
		if !c.acquire(c.token, p.TokenID, c.l.WebsocketsPerToken) {
			err := limitError(CodeTooManyConnections, "this token has %d open websockets and streams, the limit", c.l.WebsocketsPerToken)
			return ctx, &transport.CloseError{Code: transport.CloseTooManyInitRequests, Reason: CodeTooManyConnections + ": " + err.Message, Err: err}
		}
		context.AfterFunc(ctx, func() { c.release(c.token, p.TokenID) })
	}
	return context.WithValue(ctx, subscriptionCounterKey{}, &subscriptionCounter{}), nil
}

// aroundOperations refuses a subscription beyond the connection's cap with
// an error coded TOO_MANY_SUBSCRIPTIONS; the subscription counts until its
// context ends (complete, or the connection closes).
func (c *connLimits) aroundOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	cnt, _ := ctx.Value(subscriptionCounterKey{}).(*subscriptionCounter)
	if cnt == nil || c.l.SubscriptionsPerConnection <= 0 || oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	if cnt.n.Add(1) > int64(c.l.SubscriptionsPerConnection) {
		cnt.n.Add(-1)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{limitError(CodeTooManySubscriptions,
			"this connection runs %d subscriptions, the limit", c.l.SubscriptionsPerConnection)}})
	}
	context.AfterFunc(ctx, func() { cnt.n.Add(-1) })
	return next(ctx)
}
