package resolvers

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// tokenCacheTTL bounds how long a checked token is trusted without asking
// Neo4j again; a revoked token stops working within it.
const tokenCacheTTL = 30 * time.Second

// authenticator turns bearer tokens into principals, caching each answer
// briefly so that a busy client costs one round trip per TTL, not per
// request.
type authenticator struct {
	tokens model.TokenService
	mu     sync.Mutex
	cache  map[string]cachedPrincipal
	// unavailable, if set, is told when the token store is unavailable.
	unavailable func()
}

type cachedPrincipal struct {
	p       *model.Principal
	expires time.Time
}

func newAuthenticator(tokens model.TokenService) *authenticator {
	return &authenticator{tokens: tokens, cache: map[string]cachedPrincipal{}}
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
	p, err := a.tokens.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.cache) > 10000 { // bound memory: drop everything, it refills
		clear(a.cache)
	}
	a.cache[token] = cachedPrincipal{p: p, expires: now.Add(tokenCacheTTL)}
	a.mu.Unlock()
	return p, nil
}

// middleware puts the caller's principal in the request context, or
// answers 401 with a GraphQL error coded UNAUTHENTICATED for a bad token.
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
		next.ServeHTTP(w, r)
	})
}

// websocketInit checks the token in a websocket's connection_init payload
// ("Authorization": "Bearer …") and closes the socket with 4401 when it is
// bad. Without a token the socket stays anonymous.
func (a *authenticator) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	p, err := a.authenticate(ctx, payload.Authorization())
	if err != nil {
		return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, 4401), "Unauthorized"), nil, err
	}
	if p != nil {
		ctx = model.WithPrincipal(ctx, p)
	}
	return ctx, nil, nil
}
