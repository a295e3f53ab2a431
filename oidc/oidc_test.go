package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/oidc"
)

func TestJWKSFetchIsBounded(t *testing.T) {
	db := neo4jtest.Open(t)
	big := `{"keys":[` + strings.Repeat(" ", 2<<20) + `]}`
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"TooLarge", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(big)) }, "larger than 1048576 bytes"},
		{"NotFound", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "HTTP 404"},
		{"Redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://127.0.0.1:1/keys", http.StatusFound)
		}, "HTTP 302"},
		{"NotAKeySet", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`<html>`)) }, "not a JSON Web Key Set"},
		{"NoSigningKey", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"keys":[]}`)) }, "holds no signing key"},
		{"Slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, "deadline exceeded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(tt.handler)
			defer srv.Close()
			start := time.Now()
			_, err := oidc.New(t.Context(), oidc.Config{Issuer: "https://sso.example", Audience: "ssfgraph", JWKS: srv.URL + "/keys",
				Orgs: db, HTTPClient: srv.Client(), FetchTimeout: 300 * time.Millisecond})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error saying %q", err, tt.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("New took %s", d)
			}
		})
	}
}

// countingOrgs counts the store's lookups of organizations.
type countingOrgs struct {
	*neo4j.DB
	calls atomic.Int32
}

func (c *countingOrgs) Nodes(ctx context.Context, ids []string) (map[string]model.Node, error) {
	c.calls.Add(1)
	return c.DB.Nodes(ctx, ids)
}

func TestOrganizationLookupsAreBatchedAndBrief(t *testing.T) {
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t)
	orgs := &countingOrgs{DB: db}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k", Algorithm: "ES256"}}})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(set) }))
	defer srv.Close()
	v, err := oidc.New(t.Context(), oidc.Config{Issuer: "https://sso.example", Audience: "ssfgraph", JWKS: srv.URL, Orgs: orgs, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := func(user, org string) string {
		tok, err := jwt.Signed(signer).Claims(map[string]any{"iss": "https://sso.example", "aud": "ssfgraph", "sub": user, "org": org,
			"role": "viewer", "exp": time.Now().Add(time.Hour).Unix()}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	a, b := neo4jtest.Org(t, p+"a", "energy"), neo4jtest.Org(t, p+"b", "water")
	tokens := make([]string, 20)
	for i := range tokens {
		tokens[i] = token(p+"u"+string(rune('a'+i)), []string{a, b}[i%2])
	}

	// Twenty concurrent checks of two organizations: batched into far
	// fewer lookups than checks.
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Go(func() {
			pr, err := v.Authenticate(t.Context(), tok)
			if err != nil {
				t.Error(err)
				return
			}
			if want := map[string]string{a: "energy", b: "water"}[pr.OrganizationID]; pr.Sector != want || pr.OrganizationID != []string{a, b}[i%2] {
				t.Errorf("principal %+v", pr)
			}
		})
	}
	wg.Wait()
	if n := orgs.calls.Load(); n < 1 || n > 5 {
		t.Errorf("%d organization lookups for 20 concurrent checks, want 1 to 5", n)
	}

	// An organization deleted in the store stops working within the
	// cache's half second.
	if _, err := v.Authenticate(t.Context(), tokens[0]); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteOrganization(t.Context(), a, true); err != nil {
		t.Fatal(err)
	}
	tstest.WaitFor(t, time.Second, func() error {
		_, err := v.Authenticate(t.Context(), tokens[0])
		if model.ErrorCode(err) != model.EUNAUTHENTICATED || !strings.Contains(model.ErrorMessage(err), "unknown organization") {
			return err
		}
		return nil
	})
}
