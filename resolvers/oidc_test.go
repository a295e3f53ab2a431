package resolvers_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/gorilla/websocket"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
	"github.com/ssfgraph/ssfgraph/oidc"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

const (
	testIssuer   = "https://sso.example/realms/ssf"
	testAudience = "ssfgraph"
)

// signingKey is a private key of the test issuer, with its key id.
type signingKey struct {
	kid string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

func newRSAKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid, jose.RS256, k}
}

func newECKey(t *testing.T, kid string) signingKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid, jose.ES256, k}
}

func newEdKey(t *testing.T, kid string) signingKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid, jose.EdDSA, k}
}

// jwks returns the public JWKS of keys.
func jwks(t *testing.T, keys ...signingKey) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.key.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign returns claims as a compact JWT signed with k.
func (k signingKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.key, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// jwksServer serves a JWKS over TLS, counting the fetches; set replaces it.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T, body []byte) *jwksServer {
	s := &jwksServer{body: body}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		b := s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(body []byte) {
	s.mu.Lock()
	s.body = body
	s.mu.Unlock()
}

// oidcEnv is a server whose single sign-on trusts the keys of a JWKS
// served over https, with an organization for the tokens to name.
type oidcEnv struct {
	*testEnv
	jwks    *jwksServer
	rsa, ec signingKey
	org     string
}

func newOIDCEnv(t *testing.T, mod func(*oidc.Config)) *oidcEnv {
	t.Helper()
	e := &oidcEnv{rsa: newRSAKey(t, "rsa-1"), ec: newECKey(t, "ec-1")}
	e.jwks = newJWKSServer(t, jwks(t, e.rsa, e.ec))
	db := neo4jtest.Open(t)
	cfg := oidc.Config{Issuer: testIssuer, Audience: testAudience, JWKS: e.jwks.URL + "/keys", Orgs: db,
		HTTPClient: e.jwks.Client()} // no leeway
	if mod != nil {
		mod(&cfg)
	}
	v, err := oidc.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.testEnv = newEnv(t, resolvers.Options{Store: db, JWT: v})
	e.org = e.org0(t)
	return e
}

func (e *oidcEnv) org0(t *testing.T) string { return e.testEnv.org(t, "sso-org", "energy") }

// claims returns valid claims for user of the env's organization with
// role, expiring in an hour.
func (e *oidcEnv) claims(user string, role model.Role) map[string]any {
	now := time.Now()
	return map[string]any{"iss": testIssuer, "aud": []string{"account", testAudience}, "sub": e.p + user,
		"org": e.org, "role": string(role), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": e.p + user + "-jti"}
}

// with returns a copy of c with the given claims set (nil deletes).
func with(c map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestJWTBearerReadsAndWritesAsItsClaims(t *testing.T) {
	e := newOIDCEnv(t, nil)
	token := e.rsa.sign(t, e.claims("alice", model.RoleAnalyst))

	var v struct {
		Viewer struct {
			UserID, Role string
			Organization struct{ ID, Sector string }
		}
	}
	e.must(t, token, `{ viewer { userId role organization { id sector } } }`, nil, &v)
	if v.Viewer.UserID != e.p+"alice" || v.Viewer.Role != "analyst" || v.Viewer.Organization.ID != e.org || v.Viewer.Organization.Sector != "energy" {
		t.Errorf("viewer = %+v", v.Viewer)
	}

	// An analyst JWT writes for its organization, and the audit trail
	// names the claim's user and a jwt: token id.
	target, analysis := e.p+"target", e.p+"analysis"
	e.must(t, token, ppCreateTarget, map[string]any{"in": map[string]any{"id": target, "name": "Boiler", "sector": "energy"}}, nil)
	e.must(t, token, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "SSO", visibility: PRIVATE}) { id } }`,
		map[string]any{"id": analysis, "t": target}, nil)
	admin := e.token(t, e.org, model.RoleOrgAdmin)
	evs := e.auditLog(t, admin, map[string]any{"op": "neo4j.CreateAnalysis"})
	if len(evs) != 1 {
		t.Fatalf("audit events of createAnalysis: %+v", evs)
	}
	if ev := evs[0]; ev.UserID != e.p+"alice" || ev.OrganizationID != e.org || ev.Role != "analyst" ||
		!strings.HasPrefix(ev.TokenID, "jwt:") || len(ev.TokenID) != 4+16 || strings.Contains(token, strings.TrimPrefix(ev.TokenID, "jwt:")) {
		t.Errorf("audit event = %+v", ev)
	}

	// A viewer JWT of the same organization may not write.
	viewer := e.ec.sign(t, e.claims("bob", model.RoleViewer))
	r := e.do(t, viewer, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "No", visibility: PRIVATE}) { id } }`,
		map[string]any{"id": e.p + "no", "t": target})
	if r.code() != "FORBIDDEN" {
		t.Errorf("viewer JWT createAnalysis: %+v, want FORBIDDEN", r.Errors)
	}
	// A roles list counts its most trusted known role; ES256 works too.
	multi := e.ec.sign(t, with(e.claims("carol", ""), "role", nil, "roles", []string{"offline_access", "viewer", "analyst"}))
	e.must(t, multi, `{ viewer { role } }`, nil, &v)
	if v.Viewer.Role != "analyst" {
		t.Errorf("roles [offline_access viewer analyst] = %s, want analyst", v.Viewer.Role)
	}
	// The store's own tokens still work beside JWTs.
	e.must(t, admin, viewerQuery, nil, nil)
}

func TestJWTBearerRefusals(t *testing.T) {
	e := newOIDCEnv(t, func(c *oidc.Config) { c.RefreshInterval = time.Hour }) // an unknown kid fetches nothing more
	good := e.claims("alice", model.RoleAnalyst)
	now := time.Now()
	valid := e.rsa.sign(t, good)
	parts := strings.Split(valid, ".")
	stranger := newRSAKey(t, "rsa-1") // same kid, other key
	unknown := newRSAKey(t, "rsa-9")
	pubDER, _ := x509.MarshalPKIXPublicKey(e.rsa.key.Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hmacWith := func(secret []byte) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithHeader("kid", "rsa-1"))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(s).Claims(good).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	adminPayload, _ := json.Marshal(with(good, "role", "admin"))

	for _, tt := range []struct {
		name, token, want string
	}{
		{"WrongIssuer", e.rsa.sign(t, with(good, "iss", "https://evil.example")), "wrong issuer"},
		{"WrongAudience", e.rsa.sign(t, with(good, "aud", "other-app")), "wrong audience"},
		{"Expired", e.rsa.sign(t, with(good, "exp", now.Add(-time.Minute).Unix())), "expired at"},
		{"NoExpiry", e.rsa.sign(t, with(good, "exp", nil)), "no expiry"},
		{"NotYetValid", e.rsa.sign(t, with(good, "nbf", now.Add(time.Hour).Unix())), "not valid yet"},
		{"IssuedInTheFuture", e.rsa.sign(t, with(good, "iat", now.Add(time.Hour).Unix())), "issued in the future"},
		{"UnknownKid", unknown.sign(t, good), `unknown key "rsa-9"`},
		{"OtherKeySameKid", stranger.sign(t, good), "bad signature"},
		{"AlgNone", b64(`{"alg":"none","kid":"rsa-1"}`) + "." + parts[1] + ".", `"none", which this server does not accept`},
		{"AlgNoneWithSignature", b64(`{"alg":"none","kid":"rsa-1"}`) + "." + parts[1] + "." + parts[2], `"none", which this server does not accept`},
		{"HS256WithPublicKeyPEM", hmacWith(pubPEM), `"HS256", which this server does not accept`},
		{"HS256WithPublicKeyDER", hmacWith(pubDER), `"HS256", which this server does not accept`},
		{"TamperedPayload", parts[0] + "." + base64.RawURLEncoding.EncodeToString(adminPayload) + "." + parts[2], "bad signature"},
		{"TamperedSignature", parts[0] + "." + parts[1] + "." + b64("not a signature"), "bad signature"},
		{"UnknownRole", e.rsa.sign(t, with(good, "role", "root")), `unknown role "root"`},
		{"NoRole", e.rsa.sign(t, with(good, "role", nil)), "no role claim"},
		{"UnknownOrganization", e.rsa.sign(t, with(good, "org", e.p+"nowhere")), "unknown organization"},
		{"NoUser", e.rsa.sign(t, with(good, "sub", nil)), `no user claim "sub"`},
		{"GarbageHeader", b64("not json") + "." + parts[1] + "." + parts[2], "malformed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, r := postAs(t, e.srv, tt.token, viewerQuery, nil)
			if status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" || !strings.Contains(r.Errors[0].Message, tt.want) {
				t.Fatalf("HTTP %d %+v, want 401 UNAUTHENTICATED saying %q", status, r.Errors, tt.want)
			}
			if msg := r.Errors[0].Message; strings.Contains(msg, parts[1]) || strings.Contains(msg, tt.token) {
				t.Errorf("the message echoes the token: %s", msg)
			}
			// A websocket's connection_init refuses it alike.
			_, err := wsclient.Dial(t.Context(), e.srv.URL+"/graphql", wsclient.TransportWS, map[string]any{"Authorization": "Bearer " + tt.token})
			if err == nil || !strings.Contains(err.Error(), "4401") {
				t.Errorf("websocket with the token: %v, want a 4401 close", err)
			}
		})
	}
	if n := e.jwks.fetches.Load(); n != 1 {
		t.Errorf("the JWKS was fetched %d times, want once (at start; unknown kids wait for the refresh interval)", n)
	}
	e.must(t, valid, viewerQuery, nil, nil) // the good one still passes
}

// With HS256 allowed, a token signed with the RSA public key as an HMAC
// secret is still refused: a key is used only for its own algorithm family.
func TestJWTAlgorithmConfusionWithHMACAllowed(t *testing.T) {
	e := newOIDCEnv(t, func(c *oidc.Config) { c.Algorithms = []string{"RS256", "HS256"} })
	pubDER, _ := x509.MarshalPKIXPublicKey(e.rsa.key.Public())
	for _, secret := range [][]byte{pubDER, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})} {
		for kid, want := range map[string]string{"rsa-1": `signed with HS256, which its key "rsa-1" is not for`, "": "signed with HS256, for which the JWKS has no key"} {
			opts := &jose.SignerOptions{}
			if kid != "" {
				opts = opts.WithHeader("kid", kid)
			}
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, opts)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.Signed(s).Claims(e.claims("mallory", model.RoleAdmin)).Serialize()
			if err != nil {
				t.Fatal(err)
			}
			if err := e.refusedWith(t, tok, want); err != nil {
				t.Error(err)
			}
		}
	}
	e.must(t, e.rsa.sign(t, e.claims("alice", model.RoleViewer)), viewerQuery, nil, nil)
}

func TestJWTKeyRotation(t *testing.T) {
	const interval = time.Second
	e := newOIDCEnv(t, func(c *oidc.Config) { c.RefreshInterval = interval })
	started := time.Now()
	rotated := newECKey(t, "ec-2")
	token := rotated.sign(t, e.claims("alice", model.RoleViewer))

	// Within the refresh interval of the start's fetch, a new kid is not
	// fetched: the JWKS is not read on every unknown kid.
	if err := e.refusedWith(t, token, `unknown key "ec-2"`); err != nil {
		t.Fatal(err)
	}
	if n := e.jwks.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	e.jwks.set(jwks(t, e.ec, rotated)) // the issuer rotates: rsa-1 retired, ec-2 added
	time.Sleep(time.Until(started.Add(interval + 50*time.Millisecond)))
	e.must(t, token, viewerQuery, nil, nil) // fetched again for ec-2
	if n := e.jwks.fetches.Load(); n != 2 {
		t.Errorf("%d fetches after the rotation, want 2", n)
	}
	// Another unknown kid right after is refused without a fetch.
	if err := e.refusedWith(t, newECKey(t, "ec-3").sign(t, e.claims("bob", model.RoleViewer)), `unknown key "ec-3"`); err != nil {
		t.Error(err)
	}
	if n := e.jwks.fetches.Load(); n != 2 {
		t.Errorf("%d fetches after an unknown kid within the interval, want 2", n)
	}
	// The retired key no longer verifies.
	if err := e.refusedWith(t, e.rsa.sign(t, e.claims("carol", model.RoleViewer)), `unknown key "rsa-1"`); err != nil {
		t.Error(err)
	}
}

func TestJWKSFromFile(t *testing.T) {
	db := neo4jtest.Open(t)
	ed, ec := newEdKey(t, "ed-1"), newECKey(t, "ec-1")
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, jwks(t, ed, ec), 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := oidc.New(t.Context(), oidc.Config{Issuer: testIssuer, Audience: testAudience, JWKS: path, Orgs: db,
		OrgClaim: "tenant", RoleClaim: "groups"})
	if err != nil {
		t.Fatal(err)
	}
	e := &oidcEnv{testEnv: newEnv(t, resolvers.Options{Store: db, JWT: v})}
	e.org = e.org0(t)
	for _, k := range []signingKey{ed, ec} {
		c := with(e.claims("dave", ""), "role", nil, "org", nil, "tenant", e.org, "groups", []string{"org-admin", "viewer"})
		var got struct{ Viewer struct{ UserID, Role string } }
		e.must(t, k.sign(t, c), `{ viewer { userId role } }`, nil, &got)
		if got.Viewer.UserID != e.p+"dave" || got.Viewer.Role != "org-admin" {
			t.Errorf("%s: viewer = %+v", k.alg, got.Viewer)
		}
	}
	if _, err := oidc.New(t.Context(), oidc.Config{Issuer: testIssuer, Audience: testAudience, JWKS: path + ".missing", Orgs: db}); err == nil {
		t.Error("New with a missing JWKS file succeeded")
	}
}

func TestExpiringJWTClosesItsWebsocket(t *testing.T) {
	e := newOIDCEnv(t, nil)
	exp := time.Now().Truncate(time.Second).Add(2 * time.Second) // exp has whole seconds
	token := e.rsa.sign(t, with(e.claims("alice", model.RoleViewer), "exp", exp.Unix()))
	socks := map[string]*wsclient.Client{}
	for _, proto := range []string{wsclient.TransportWS, wsclient.LegacyWS} {
		socks[proto] = e.subscribe(t.Context(), t, proto, token, `subscription { feedbackAdded { id } }`, nil)
	}
	for proto, c := range socks {
		ctx, cancel := context.WithDeadline(t.Context(), exp.Add(time.Second))
		closedWith(t, ctx, c, "token expired")
		cancel()
		if time.Now().Before(exp) {
			t.Errorf("%s: closed before the token expired", proto)
		}
	}
	// A socket of a JWT that lives on is not closed by the sweep (which
	// asks the store only about its own tokens).
	long := e.rsa.sign(t, e.claims("bob", model.RoleViewer))
	c := e.subscribe(t.Context(), t, wsclient.TransportWS, long, `subscription { feedbackAdded { id } }`, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 800*time.Millisecond)
	defer cancel()
	for {
		m, err := c.Next(ctx)
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				t.Fatalf("the long-lived JWT's socket closed: %v", err)
			}
			break // the deadline: still open
		}
		if m.Type == "error" || m.Type == "connection_error" {
			t.Fatalf("got %s %s", m.Type, m.Payload)
		}
	}
}
