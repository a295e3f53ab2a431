package resolvers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/oidc"
	"github.com/ssfgraph/ssfgraph/transport"
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

// Close reasons (with 4401 Unauthorized) of websockets whose token stopped
// working.
const (
	reasonRevoked = "token revoked"
	reasonExpired = "token expired"
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
	cancel context.CancelCauseFunc // of the connection's or stream's context
}

// close closes the socket with 4401 and reason; a stream ends with an
// UNAUTHENTICATED error that gives the reason.
func (s *socket) close(reason string) {
	s.cancel(&transport.CloseError{Code: transport.CloseUnauthorized, Reason: reason, Err: model.Errorf(model.EUNAUTHENTICATED, "%s", reason)})
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

// initPayloadShapes names the shapes of a connection_init payload that
// carry a token, for the reasons of refusals (a close reason holds 123
// bytes: each refusal's own words get 43).
const initPayloadShapes = `use {"Authorization":"Bearer …"} or {"headers":{"Authorization":"Bearer …"}}`

// tokenLikeKey matches the keys of a connection_init payload (or of its
// headers) that look as if they carried a credential.
var tokenLikeKey = regexp.MustCompile(`(?i)token|auth|bearer|jwt|api[-_]?key|secret|passw|credential|session|cookie`)

// initAuthorization is the one rule for where a websocket's
// connection_init payload carries its token: the value of
// {"Authorization": …} or {"headers": {"Authorization": …}}, the key in any
// case, as the Authorization header would carry it ("Bearer <token>"). It
// returns "" when the payload carries none (a missing, null or empty
// value). Anything else that looks like a token (another key such as token
// or authToken, a value that is not a string, headers that are not an
// object, two different values) is an error whose message names the
// accepted shapes: such a client must not end up anonymous unawares.
func initAuthorization(payload map[string]any) (string, error) {
	var found []string
	check := func(where string, m map[string]any) error {
		for k, v := range m {
			switch {
			case strings.EqualFold(k, "authorization"):
				switch v := v.(type) {
				case nil:
				case string:
					if v != "" {
						found = append(found, v)
					}
				default:
					return fmt.Errorf("%s%s is not a string; %s", where, k, initPayloadShapes)
				}
			case where == "" && k == "headers": // below
			case tokenLikeKey.MatchString(k):
				return fmt.Errorf("%s%.14q is not supported; %s", where, k, initPayloadShapes)
			}
		}
		return nil
	}
	if err := check("", payload); err != nil {
		return "", err
	}
	switch h := payload["headers"].(type) {
	case nil:
	case map[string]any:
		if err := check("headers.", h); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("headers is not an object; %s", initPayloadShapes)
	}
	for _, v := range found {
		if v != found[0] {
			return "", fmt.Errorf("two different Authorization values; %s", initPayloadShapes)
		}
	}
	if len(found) == 0 {
		return "", nil
	}
	return found[0], nil
}

// websocketInit checks the token of a websocket's connection_init payload
// (initAuthorization) and refuses the connection with 4403 Forbidden when
// the payload's shape is not accepted, with 4401 Unauthorized when the
// token is bad. Without a token in the payload the token of the upgrade
// request's Authorization header stands, if any, else the socket is
// anonymous. A socket with a token is kept until it closes, and closed
// with 4401 when its token is revoked or expires.
func (a *authenticator) websocketInit(ctx context.Context, payload map[string]any) (context.Context, error) {
	header, err := initAuthorization(payload)
	if err != nil {
		return ctx, &transport.CloseError{Code: transport.CloseForbidden, Reason: err.Error()}
	}
	p, err := a.authenticate(ctx, header)
	if err != nil {
		if model.ErrorCode(err) == model.EUNAUTHENTICATED {
			return ctx, &transport.CloseError{Code: transport.CloseUnauthorized, Reason: model.ErrorMessage(err)}
		}
		if a.unavailable != nil && model.ErrorCode(err) == model.EUNAVAILABLE {
			a.unavailable()
		}
		return ctx, &transport.CloseError{Code: transport.CloseInternalServerError, Reason: model.ErrorMessage(err)}
	}
	if p == nil {
		// The upgrade request's own Authorization header, if any (see
		// middleware), stands.
		if p = model.PrincipalFrom(ctx); p == nil {
			return ctx, nil
		}
	}
	return a.watch(ctx, p), nil
}

// watch keeps the websocket or stream whose context is ctx, carrying the
// token of p, until ctx ends, and returns the context that ends it when
// the token is revoked or expires (see sweep).
func (a *authenticator) watch(ctx context.Context, p *model.Principal) context.Context {
	// The connection's (or stream's) context ends when it closes.
	ctx, cancel := context.WithCancelCause(model.WithPrincipal(ctx, p))
	s := &socket{p: p, cancel: cancel}
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
