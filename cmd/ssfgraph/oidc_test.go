package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// TestServeWithSingleSignOn runs serve configured through the environment
// with a JWKS file: a JWT of the issuer reads as its claims, one for
// another audience is refused, and ssfgraph's own tokens still work.
func TestServeWithSingleSignOn(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, set, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSFGRAPH_OIDC_ISSUER", "https://sso.example")
	t.Setenv("SSFGRAPH_OIDC_AUDIENCE", "ssfgraph")
	t.Setenv("SSFGRAPH_OIDC_JWKS", path)
	t.Setenv("SSFGRAPH_OIDC_ORG_CLAIM", "tenant")
	t.Setenv("SSFGRAPH_OIDC_ROLE_CLAIM", "realm_access.roles")
	var cfg Config
	fs, envs := cfg.flagSet("serve", io.Discard, true)
	if err := cfg.parse(fs, envs, []string{"--addr", "127.0.0.1:0", "--neo4j-uri", neo4jtest.URI(), "--oidc-user-claim", "email"}); err != nil {
		t.Fatal(err)
	}
	cfg.Neo4jPassword = os.Getenv("NEO4J_PASSWORD")
	m := NewMain(cfg, cfg.logger(io.Discard))
	if err := m.Run(t.Context()); err != nil {
		_ = m.Close()
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	org := neo4jtest.Org(t, neo4jtest.Prefix(t)+"sso", "energy")

	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := func(aud string) string {
		tok, err := jwt.Signed(signer).Claims(map[string]any{
			"iss": "https://sso.example", "aud": aud, "email": "erin@" + org + ".example", "tenant": org,
			"realm_access": map[string]any{"roles": []string{"default-roles", "analyst"}}, "exp": time.Now().Add(time.Hour).Unix(),
		}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	viewer := func(bearer string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, m.URL()+"/graphql", strings.NewReader(`{"query":"{ viewer { userId role organization { id sector } } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := viewer(token("ssfgraph"))
	want := `{"data":{"viewer":{"userId":"erin@` + org + `.example","role":"analyst","organization":{"id":"` + org + `","sector":"energy"}}}}`
	if code != http.StatusOK || strings.TrimSpace(body) != want {
		t.Errorf("viewer as the JWT: %d %s, want %s", code, body, want)
	}
	if code, body := viewer(token("another-app")); code != http.StatusUnauthorized || !strings.Contains(body, "wrong audience") {
		t.Errorf("viewer as a JWT for another audience: %d %s", code, body)
	}
	own := neo4jtest.Token(t, m.DB, org, "viewer")
	if code, body := viewer(own); code != http.StatusOK || !strings.Contains(body, `"role":"viewer"`) {
		t.Errorf("viewer as an ssfgraph token: %d %s", code, body)
	}
}
