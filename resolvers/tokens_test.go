package resolvers_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// tokenID returns the public id of token (model.APIToken.ID).
func tokenID(token string) string {
	return sha256Hex(token)[:16]
}

const viewerQuery = `{ viewer { userId } }`

// refusedWith returns nil when a request as token is refused with
// UNAUTHENTICATED and a message containing want.
func (e *testEnv) refusedWith(t *testing.T, token, want string) error {
	t.Helper()
	r := e.do(t, token, viewerQuery, nil)
	if r.code() != "UNAUTHENTICATED" || !strings.Contains(r.Errors[0].Message, want) {
		return fmt.Errorf("viewer as the token: %+v, want UNAUTHENTICATED saying %q", r.Errors, want)
	}
	return nil
}

// closedWith reads from c until the server closes it, and fails unless it
// closes with code 4401 and reason within ctx.
func closedWith(t *testing.T, ctx context.Context, c *wsclient.Client, reason string) {
	t.Helper()
	for {
		m, err := c.Next(ctx)
		if err == nil {
			if m.Type == "next" || m.Type == "data" {
				t.Fatalf("got %s %s before the close", m.Type, m.Payload)
			}
			continue // complete, ka
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4401 || ce.Text != reason {
			t.Fatalf("socket ended with %v, want close 4401 %q", err, reason)
		}
		return
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	org := e.org(t, "org", "home")
	// Long enough to be used once on a loaded machine, short enough to wait for.
	short, err := e.db.CreateExpiringToken(t.Context(), e.p+"short", org, model.RoleAnalyst, 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	long, err := e.db.CreateExpiringToken(t.Context(), e.p+"long", org, model.RoleAnalyst, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e.must(t, short, viewerQuery, nil, nil) // works (and is cached) until it expires
	tstest.WaitFor(t, 4*time.Second, func() error { return e.refusedWith(t, short, "expired at") })
	e.must(t, long, viewerQuery, nil, nil)

	if _, err := e.db.CreateExpiringToken(t.Context(), e.p+"neg", org, model.RoleAnalyst, -time.Second); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("negative ttl: %v, want EINVALID", err)
	}

	var got struct {
		Tokens []struct {
			ID, UserID       string
			ExpiresAt        *time.Time
			Expired, Revoked bool
			Organization     struct{ ID string }
		}
	}
	admin := e.token(t, org, model.RoleOrgAdmin)
	e.must(t, admin, `query($o: ID) { tokens(organizationId: $o) { id userId expiresAt expired revoked organization { id } } }`, map[string]any{"o": org}, &got)
	want := map[string]string{tokenID(short): "expired", tokenID(long): "valid", tokenID(admin): "never"}
	for _, tk := range got.Tokens {
		w, ok := want[tk.ID]
		if !ok {
			t.Errorf("unexpected token %+v", tk)
			continue
		}
		delete(want, tk.ID)
		state := "valid"
		switch {
		case tk.ExpiresAt == nil:
			state = "never"
		case tk.Expired:
			state = "expired"
		}
		if state != w || tk.Revoked || tk.Organization.ID != org {
			t.Errorf("token %s (%s): %s %+v, want %s", tk.ID, tk.UserID, state, tk, w)
		}
	}
	if len(want) > 0 {
		t.Errorf("tokens not listed: %v", want)
	}
}

func TestRevokedTokenIsRefusedWithinASecond(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	org := e.org(t, "org", "home")
	admin := e.token(t, org, model.RoleOrgAdmin)

	// Revoked through this server: refused on the next request.
	here := e.token(t, org, model.RoleAnalyst)
	e.must(t, here, viewerQuery, nil, nil) // cached
	var rev struct {
		RevokeToken struct {
			ID        string
			Revoked   bool
			RevokedAt *time.Time
		}
	}
	e.must(t, admin, `mutation($id: ID!) { revokeToken(id: $id) { id revoked revokedAt } }`, map[string]any{"id": tokenID(here)}, &rev)
	if rev.RevokeToken.ID != tokenID(here) || !rev.RevokeToken.Revoked || rev.RevokeToken.RevokedAt == nil {
		t.Errorf("revokeToken = %+v", rev.RevokeToken)
	}
	if err := e.refusedWith(t, here, "revoked"); err != nil {
		t.Error("right after revokeToken:", err)
	}

	// Revoked by another process (the CLI, another replica): within a second.
	elsewhere := e.token(t, org, model.RoleAnalyst)
	e.must(t, elsewhere, viewerQuery, nil, nil) // cached
	if _, err := e.db.RevokeToken(t.Context(), tokenID(elsewhere)); err != nil {
		t.Fatal(err)
	}
	tstest.WaitFor(t, time.Second, func() error { return e.refusedWith(t, elsewhere, "revoked") })
	e.must(t, admin, viewerQuery, nil, nil) // the others still work
}

func TestRevokedTokenClosesItsWebsockets(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	org := e.org(t, "org", "home")
	admin := e.token(t, org, model.RoleOrgAdmin)
	const sub = `subscription { feedbackAdded { id } }`

	for _, tt := range []struct {
		name   string
		revoke func(t *testing.T, token string)
	}{
		{"ThroughThisServer", func(t *testing.T, token string) {
			e.must(t, admin, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": tokenID(token)}, nil)
		}},
		{"ByAnotherProcess", func(t *testing.T, token string) {
			if _, err := e.db.RevokeToken(t.Context(), tokenID(token)); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, proto := range []string{wsclient.TransportWS, wsclient.LegacyWS} {
				token := e.token(t, org, model.RoleViewer)
				c := e.subscribe(t.Context(), t, proto, token, sub, nil)
				other := e.subscribe(t.Context(), t, proto, admin, sub, nil)
				tt.revoke(t, token)
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				closedWith(t, ctx, c, "token revoked")
				cancel()

				// The admin's socket stays open.
				ctx, cancel = context.WithTimeout(t.Context(), 700*time.Millisecond)
				for {
					m, err := other.Next(ctx)
					if err != nil {
						var ce *websocket.CloseError
						if errors.As(err, &ce) {
							t.Fatalf("%s: the admin's socket closed too: %v", proto, err)
						}
						break // the deadline: still open
					}
					if m.Type == "connection_error" || m.Type == "error" {
						t.Fatalf("%s: admin socket got %s %s", proto, m.Type, m.Payload)
					}
				}
				cancel()
			}
		})
	}
}

// A socket whose token came in the upgrade request's Authorization header
// (not in connection_init) is closed alike.
func TestRevokedHeaderTokenClosesItsWebsocket(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	org := e.org(t, "org", "home")
	token := e.token(t, org, model.RoleViewer)
	d := websocket.Dialer{Subprotocols: []string{wsclient.TransportWS}}
	conn, _, err := d.DialContext(t.Context(), "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/graphql", http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatal(err)
	}
	c := &wsclient.Client{Conn: conn, Protocol: wsclient.TransportWS}
	t.Cleanup(func() { c.Close() })
	if err := conn.WriteJSON(map[string]any{"type": "connection_init"}); err != nil {
		t.Fatal(err)
	}
	if m, err := c.Next(t.Context()); err != nil || m.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v, %v", m, err)
	}
	if err := c.Subscribe("sub", `subscription { feedbackAdded { id } }`, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.RevokeToken(t.Context(), tokenID(token)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	closedWith(t, ctx, c, "token revoked")
}

func TestExpiringTokenClosesItsWebsocket(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	org := e.org(t, "org", "home")
	token, err := e.db.CreateExpiringToken(t.Context(), e.p+"short", org, model.RoleViewer, 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	c := e.subscribe(t.Context(), t, wsclient.TransportWS, token, `subscription { feedbackAdded { id } }`, nil)
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(1500*time.Millisecond+time.Second))
	defer cancel()
	closedWith(t, ctx, c, "token expired")
}

func TestTokenRights(t *testing.T) {
	e := newEnv(t, resolvers.Options{})
	a, b := e.org(t, "a", "home"), e.org(t, "b", "factory")
	ta, tb := e.tokensOf(t, a), e.tokensOf(t, b)
	const revoke = `mutation($id: ID!) { revokeToken(id: $id) { id revoked } }`
	const list = `query($o: ID) { tokens(organizationId: $o) { id organization { id } } }`

	for _, tt := range []struct {
		name, caller string
		victim       string // a token of organization a
		want         string // "" for success
	}{
		{"Anonymous", "", ta[model.RoleAnalyst], "UNAUTHENTICATED"},
		// Only those who may list a token may learn that it exists: to
		// anyone else it is missing (model.APIToken.ReadableBy).
		{"Viewer", ta[model.RoleViewer], ta[model.RoleAnalyst], "NOT_FOUND"},
		{"Analyst", ta[model.RoleAnalyst], ta[model.RoleViewer], "NOT_FOUND"},
		{"Curator", ta[model.RoleCurator], ta[model.RoleViewer], "NOT_FOUND"},
		{"OrgAdminOfAnother", tb[model.RoleOrgAdmin], ta[model.RoleViewer], "NOT_FOUND"},
		{"UnknownID", ta[model.RoleOrgAdmin], "", "NOT_FOUND"},
	} {
		t.Run("Revoke"+tt.name, func(t *testing.T) {
			id := "0123456789abcdef"
			if tt.victim != "" {
				id = tokenID(tt.victim)
			}
			if r := e.do(t, tt.caller, revoke, map[string]any{"id": id}); r.code() != tt.want {
				t.Errorf("revokeToken: %+v, want %s", r.Errors, tt.want)
			}
			if tt.victim != "" {
				e.must(t, tt.victim, viewerQuery, nil, nil) // still works
			}
		})
	}
	t.Run("RevokeOrgAdminOwn", func(t *testing.T) {
		victim := e.token(t, a, model.RoleAnalyst)
		e.must(t, ta[model.RoleOrgAdmin], revoke, map[string]any{"id": tokenID(victim)}, nil)
		tstest.WaitFor(t, time.Second, func() error { return e.refusedWith(t, victim, "revoked") })
	})
	t.Run("RevokeAdminAny", func(t *testing.T) {
		victim := e.token(t, a, model.RoleOrgAdmin)
		e.must(t, tb[model.RoleAdmin], revoke, map[string]any{"id": tokenID(victim)}, nil)
		tstest.WaitFor(t, time.Second, func() error { return e.refusedWith(t, victim, "revoked") })
	})

	for _, tt := range []struct {
		name, caller string
		org          any
		want         string
	}{
		{"Anonymous", "", a, "UNAUTHENTICATED"},
		{"Viewer", ta[model.RoleViewer], a, "FORBIDDEN"},
		{"Analyst", ta[model.RoleAnalyst], nil, "FORBIDDEN"},
		{"OrgAdminOfAnother", tb[model.RoleOrgAdmin], a, "FORBIDDEN"},
		{"OrgAdminOwn", ta[model.RoleOrgAdmin], a, ""},
		{"OrgAdminOwnByDefault", ta[model.RoleOrgAdmin], nil, ""},
		{"AdminAny", tb[model.RoleAdmin], a, ""},
	} {
		t.Run("List"+tt.name, func(t *testing.T) {
			r := e.do(t, tt.caller, list, map[string]any{"o": tt.org})
			if r.code() != tt.want {
				t.Fatalf("tokens: %+v, want %q", r.Errors, tt.want)
			}
			if tt.want != "" {
				return
			}
			var got struct {
				Tokens []struct {
					ID           string
					Organization struct{ ID string }
				}
			}
			r.decode(t, &got)
			ids := map[string]bool{}
			for _, tk := range got.Tokens {
				if tk.Organization.ID != a {
					t.Errorf("listed a token of %s", tk.Organization.ID)
				}
				ids[tk.ID] = true
			}
			for role, tok := range ta {
				if !ids[tokenID(tok)] {
					t.Errorf("the %s token of %s is not listed", role, a)
				}
			}
		})
	}
}
