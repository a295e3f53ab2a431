package oidc

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// claimsOf decodes a JSON object as the verifier does.
func claimsOf(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMapClaims(t *testing.T) {
	def := Config{}.withDefaults()
	custom := def
	custom.UserClaim, custom.OrgClaim, custom.RoleClaim = "email", "https://ssf.example/org", "realm_access.roles"
	for _, tt := range []struct {
		name    string
		cfg     Config
		claims  string
		want    model.Principal
		wantErr string // in the message of EUNAUTHENTICATED
	}{
		{"Defaults", def, `{"sub":"alice","org":"acme","role":"analyst"}`,
			model.Principal{UserID: "alice", OrganizationID: "acme", Role: model.RoleAnalyst}, ""},
		{"RolesListFallback", def, `{"sub":"bob","org":"acme","roles":["offline_access","viewer","org-admin","analyst"]}`,
			model.Principal{UserID: "bob", OrganizationID: "acme", Role: model.RoleOrgAdmin}, ""},
		{"RoleWinsOverRoles", def, `{"sub":"bob","org":"acme","role":"viewer","roles":["admin"]}`,
			model.Principal{UserID: "bob", OrganizationID: "acme", Role: model.RoleViewer}, ""},
		{"CustomClaimsAndPath", custom, `{"email":"carol@acme.example","https://ssf.example/org":"acme","realm_access":{"roles":["uma_authorization","curator"]}}`,
			model.Principal{UserID: "carol@acme.example", OrganizationID: "acme", Role: model.RoleCurator}, ""},
		{"NoUser", def, `{"org":"acme","role":"analyst"}`, model.Principal{}, `no user claim "sub"`},
		{"UserNotString", def, `{"sub":42,"org":"acme","role":"analyst"}`, model.Principal{}, `user claim "sub" that is not a non-empty string`},
		{"UserControlChars", def, `{"sub":"a\nb","org":"acme","role":"analyst"}`, model.Principal{}, "printable"},
		{"UserTooLong", def, `{"sub":"` + strings.Repeat("u", 201) + `","org":"acme","role":"analyst"}`, model.Principal{}, "printable"},
		{"NoOrg", def, `{"sub":"alice","role":"analyst"}`, model.Principal{}, `no organization claim "org"`},
		{"BadOrgID", def, `{"sub":"alice","org":"a b","role":"analyst"}`, model.Principal{}, `unknown organization "a b"`},
		{"NoRole", def, `{"sub":"alice","org":"acme"}`, model.Principal{}, `no role claim "role"`},
		{"UnknownRole", def, `{"sub":"alice","org":"acme","role":"superuser"}`, model.Principal{}, `unknown role "superuser"`},
		{"RoleCase", def, `{"sub":"alice","org":"acme","role":"Admin"}`, model.Principal{}, `unknown role "Admin"`},
		{"NoKnownRoleInList", def, `{"sub":"alice","org":"acme","roles":["offline_access"]}`, model.Principal{}, `no known role in claim "roles"`},
		{"RoleNumber", def, `{"sub":"alice","org":"acme","role":1}`, model.Principal{}, "neither a string nor a list"},
		{"CustomRoleNoFallback", custom, `{"email":"c","https://ssf.example/org":"acme","roles":["admin"]}`, model.Principal{}, `no role claim "realm_access.roles"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := &Verifier{cfg: tt.cfg, roles: roleMapping{claim: tt.cfg.RoleClaim}}
			if tt.cfg.RoleClaim == DefaultRoleClaim {
				v.roles.fallback = "roles"
			}
			p, err := v.mapClaims(claimsOf(t, tt.claims))
			if tt.wantErr != "" {
				if model.ErrorCode(err) != model.EUNAUTHENTICATED || !strings.Contains(model.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("mapClaims = %+v, %v; want EUNAUTHENTICATED saying %q", p, err, tt.wantErr)
				}
				return
			}
			if err != nil || *p != tt.want {
				t.Fatalf("mapClaims = %+v, %v; want %+v", p, err, tt.want)
			}
		})
	}
}

func TestLooksLikeJWT(t *testing.T) {
	for tok, want := range map[string]bool{
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln": true,
		"a.b.c":         true,
		"ssf_abc-DEF_1": false, // ssfgraph's own
		"a.b":           false,
		"a..c":          false,
		"a.b.":          true, // alg none: refused by Authenticate, saying so
		".b.c":          false,
		"a.b.c.d.e":     false, // a JWE
		"a.b+/.c":       false,
		"a.b.c=":        false,
	} {
		if got := LooksLikeJWT(tok); got != want {
			t.Errorf("LooksLikeJWT(%q) = %v, want %v", tok, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Issuer: "https://idp", Audience: "ssfgraph", JWKS: "keys.json", Orgs: noOrgs{}}
	if err := ok.validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*Config){
		"NoIssuer":   func(c *Config) { c.Issuer = "" },
		"NoAudience": func(c *Config) { c.Audience = "" },
		"NoJWKS":     func(c *Config) { c.JWKS = "" },
		"PlainHTTP":  func(c *Config) { c.JWKS = "http://idp/keys" },
		"None":       func(c *Config) { c.Algorithms = []string{"RS256", "none"} },
	} {
		c := ok
		mod(&c)
		if err := c.validate(); err == nil {
			t.Errorf("%s: validate() = nil, want an error", name)
		}
	}
}

type noOrgs struct{ Organizations }
