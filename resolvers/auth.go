package resolvers

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/oidc"
)

// tokenCacheTTL bounds how long a checked token is trusted without asking
// Neo4j again. A token revoked through this process stops working at once
// (revokeToken drops it from the cache); one revoked elsewhere (the CLI,
// another replica) stops working within tokenCacheTTL.
const tokenCacheTTL = 500 * time.Millisecond

// socketSweepInterval is how often open websockets are checked: those of
// expired tokens are closed, and Neo4j is asked (one statement for all
// sockets) which of their tokens were revoked by another process.
const socketSweepInterval = 250 * time.Millisecond

// Websocket close codes and reasons for sockets whose token stopped
// working (graphql-transport-ws uses 4401 for Unauthorized).
const (
	closeUnauthorized = 4401
	reasonRevoked     = "token revoked"
	reasonExpired     = "token expired"
)

// BearerVerifier turns bearer tokens that are not ssfgraph's own into
// principals. Authenticate returns EUNAUTHENTICATED, saying why, for a
// token it refuses; a principal's TokenID starts with
// model.JWTTokenIDPrefix. It is safe for concurrent use.
type BearerVerifier interface {
	Authenticate(ctx context.Context, token string) (*model.Principal, error)
}

// authenticator turns bearer tokens into principals, caching each answer
// briefly so that a busy client costs one round trip per TTL, not per
// request, and keeps the open websockets of each token so that revoking
// or expiring the token closes them.
type authenticator struct {
	tokens model.TokenService
	jwt    BearerVerifier // nil without single sign-on
	log    *slog.Logger
	mu     sync.Mutex
	cache  map[string]cachedPrincipal
	// unavailable, if set, is told when the token store is unavailable.
	unavailable func()

	sockets  map[*socket]struct{} // guarded by mu
	sweeping bool                 // a sweep goroutine runs; guarded by mu
}

type cachedPrincipal struct {
	p       *model.Principal
	expires time.Time
}

// socket is an open websocket or HTTP stream that carries a token.
type socket struct {
	p      *model.Principal
	conn   *gorillaConn // nil for a stream
	cancel context.CancelCauseFunc
}

// close closes the socket with 4401 and reason; a stream ends with an
// UNAUTHENTICATED error that gives the reason.
func (s *socket) close(reason string) {
	if s.conn != nil {
		s.conn.closeWith(closeUnauthorized, reason)
	}
	s.cancel(model.Errorf(model.EUNAUTHENTICATED, "%s", reason)) // the subscriptions end, and the socket closes
}

func newAuthenticator(tokens model.TokenService, jwt BearerVerifier, log *slog.Logger) *authenticator {
	return &authenticator{tokens: tokens, jwt: jwt, log: log, cache: map[string]cachedPrincipal{}, sockets: map[*socket]struct{}{}}
}

// authenticate returns the principal for an Authorization header value
// ("Bearer …"), nil for an empty one, or EUNAUTHENTICATED.
func (a *authenticator) authenticate(ctx context.Context, header string) (*model.Principal, error) {
	if header == "" {
		return nil, nil
	}
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || token == "" {
		return nil, model.Errorf(model.EUNAUTHENTICATED, "the Authorization header must be 'Bearer <token>'")
	}
	now := time.Now()
	a.mu.Lock()
	c, hit := a.cache[token]
	a.mu.Unlock()
	if hit && now.Before(c.expires) {
		return c.p, nil
	}
	var p *model.Principal
	var err error
	if a.jwt != nil && oidc.LooksLikeJWT(token) {
		p, err = a.jwt.Authenticate(ctx, token)
	} else {
		p, err = a.tokens.Authenticate(ctx, token)
	}
	if err != nil {
		return nil, err
	}
	expires := now.Add(tokenCacheTTL)
	if !p.ExpiresAt.IsZero() && p.ExpiresAt.Before(expires) {
		expires = p.ExpiresAt // never trusted past its expiry
	}
	a.mu.Lock()
	if len(a.cache) > 10000 { // bound memory: drop everything, it refills
		clear(a.cache)
	}
	a.cache[token] = cachedPrincipal{p: p, expires: expires}
	a.mu.Unlock()
	return p, nil
}

// revoked forgets the token with id tokenID and closes its websockets at
// once; revokeToken calls it after the revocation has committed.
func (a *authenticator) revoked(tokenID string) {
	var closing []*socket
	a.mu.Lock()
	for k, c := range a.cache {
		if c.p.TokenID == tokenID {
			delete(a.cache, k)
		}
	}
	for s := range a.sockets {
		if s.p.TokenID == tokenID {
			closing = append(closing, s)
		}
	}
	a.mu.Unlock()
	for _, s := range closing {
		s.close(reasonRevoked)
	}
}

// middleware puts the caller's principal in the request context, or
// answers 401 with a GraphQL error coded UNAUTHENTICATED for a bad token.
// A websocket upgrade gets a slot in its context where GorillaWS leaves
// the connection, so that websocketInit can close it later.
func (a *authenticator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			code := "UNAUTHENTICATED"
			status := http.StatusUnauthorized
			if model.ErrorCode(err) != model.EUNAUTHENTICATED {
				code, status = extCodes[model.ErrorCode(err)], http.StatusServiceUnavailable
				if a.unavailable != nil && model.ErrorCode(err) == model.EUNAVAILABLE {
					a.unavailable()
				}
			}
			writeJSON(w, status, graphql.Response{Errors: gqlerror.List{{
				Message: model.ErrorMessage(err), Extensions: map[string]any{"code": code},
			}}})
			return
		}
		if p != nil {
			r = r.WithContext(model.WithPrincipal(r.Context(), p))
		}
		if websocket.IsWebSocketUpgrade(r) {
			r = r.WithContext(context.WithValue(r.Context(), connSlotKey{}, new(connSlot)))
		}
		next.ServeHTTP(w, r)
	})
}

// connSlot is where GorillaWS.Accept leaves the connection it accepted for
// the request whose context holds the slot.
type connSlot struct{ conn atomic.Pointer[gorillaConn] }

type connSlotKey struct{}

// websocketInit checks the token in a websocket's connection_init payload
// ("Authorization": "Bearer …") and closes the socket with 4401 when it is
// bad. Without one the token of the upgrade request's Authorization
// header stands, if any, else the socket is anonymous. A socket with a token
// is kept until it closes, and closed with 4401 when its token is revoked
// or expires.
func (a *authenticator) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	p, err := a.authenticate(ctx, payload.Authorization())
	if err != nil {
		return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeUnauthorized), "Unauthorized"), nil, err
	}
	if p == nil {
		// The upgrade request's own Authorization header, if any (see
		// middleware), stands.
		if p = model.PrincipalFrom(ctx); p == nil {
			return ctx, nil, nil
		}
	}
	return a.watch(ctx, p), nil, nil
}

// watch keeps the websocket or stream whose context is ctx, carrying the
// token of p, until ctx ends, and returns the context that ends it when
// the token is revoked or expires (see sweep).
func (a *authenticator) watch(ctx context.Context, p *model.Principal) context.Context {
	// The request's context ends when the connection's handler returns.
	ctx, cancel := context.WithCancelCause(model.WithPrincipal(ctx, p))
	s := &socket{p: p, cancel: cancel}
	if slot, ok := ctx.Value(connSlotKey{}).(*connSlot); ok {
		s.conn = slot.conn.Load()
	}
	a.mu.Lock()
	a.sockets[s] = struct{}{}
	if !a.sweeping {
		a.sweeping = true
		go a.sweep()
	}
	a.mu.Unlock()
	context.AfterFunc(ctx, func() {
		a.mu.Lock()
		delete(a.sockets, s)
		a.mu.Unlock()
	})
	return ctx
}

// sweep runs while websockets with tokens are open: every
// socketSweepInterval it closes those whose token has expired and asks the
// store which of the others' tokens were revoked (by any process), closing
// theirs. It returns when no such socket is left.
func (a *authenticator) sweep() {
	t := time.NewTicker(socketSweepInterval)
	defer t.Stop()
	failing := false
	for range t.C {
		now := time.Now()
		open := map[string][]*socket{}
		var expired []*socket
		a.mu.Lock()
		if len(a.sockets) == 0 {
			a.sweeping = false
			a.mu.Unlock()
			return
		}
		for s := range a.sockets {
			if !s.p.ExpiresAt.IsZero() && !now.Before(s.p.ExpiresAt) {
				expired = append(expired, s)
			} else if !strings.HasPrefix(s.p.TokenID, model.JWTTokenIDPrefix) { // a JWT is not in the store
				open[s.p.TokenID] = append(open[s.p.TokenID], s)
			}
		}
		a.mu.Unlock()
		for _, s := range expired {
			s.close(reasonExpired)
		}
		if len(open) == 0 {
			continue
		}
		ids := make([]string, 0, len(open))
		for id := range open {
			ids = append(ids, id)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		revoked, err := a.tokens.RevokedTokens(ctx, ids)
		cancel()
		if err != nil {
			if !failing { // once per outage, not every tick
				a.log.Warn("checking the tokens of open websockets", "err", err)
			}
			failing = true
			continue
		}
		failing = false
		for _, id := range revoked {
			for _, s := range open[id] {
				s.close(reasonRevoked)
			}
		}
	}
}
