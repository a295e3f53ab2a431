package oidc

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// maxUserIDLength caps the user claim, which the audit trail records.
const maxUserIDLength = 200

// claim returns the value of claim name in claims: the claim itself, or,
// when there is none and name has dots, the value at that path through
// nested objects ("realm_access.roles").
func claim(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	if !strings.Contains(name, ".") {
		return nil, false
	}
	var cur any = claims
	for part := range strings.SplitSeq(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// roleMapping reads the role from a token's claims.
type roleMapping struct {
	claim    string // the claim named by the configuration
	fallback string // read when claim is absent ("roles" for the default "role")
}

// role returns the role the claims give: claim's value, a role name or a
// list of strings of which the most trusted role counts (other entries,
// such as an identity provider's own roles, are ignored). It returns
// EUNAUTHENTICATED when there is no such claim or it names no known role.
func (m roleMapping) role(claims map[string]any) (model.Role, error) {
	name := m.claim
	v, ok := claim(claims, name)
	if !ok && m.fallback != "" {
		name = m.fallback
		v, ok = claim(claims, name)
	}
	if !ok {
		return "", unauthenticated("has no role claim %q", m.claim)
	}
	switch v := v.(type) {
	case string:
		if r := model.Role(v); r.Valid() {
			return r, nil
		}
		return "", unauthenticated("has an unknown role %q in claim %q (want one of %s)", model.Truncate(v, 40), name, roleNames())
	case []any:
		best := -1
		for _, e := range v {
			s, _ := e.(string)
			for i, r := range model.Roles { // least to most trusted
				if string(r) == s && i > best {
					best = i
				}
			}
		}
		if best < 0 {
			return "", unauthenticated("names no known role in claim %q (want one of %s)", name, roleNames())
		}
		return model.Roles[best], nil
	}
	return "", unauthenticated("has a role claim %q that is neither a string nor a list", name)
}

func roleNames() string {
	s := make([]string, len(model.Roles))
	for i, r := range model.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// mapClaims returns the principal the claims name, without its sector,
// token id and expiry: the user claim (1 to 200 printable characters), the
// organization claim (a valid id; whether it exists is checked after) and
// the role (see roleMapping.role).
func (v *Verifier) mapClaims(claims map[string]any) (*model.Principal, error) {
	user, err := stringClaim(claims, v.cfg.UserClaim, "user")
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(user) > maxUserIDLength || strings.ContainsFunc(user, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return nil, unauthenticated("has a user claim %q that is not 1 to %d printable characters", v.cfg.UserClaim, maxUserIDLength)
	}
	org, err := stringClaim(claims, v.cfg.OrgClaim, "organization")
	if err != nil {
		return nil, err
	}
	if model.ValidID("org", org) != nil {
		return nil, unauthenticated("names an unknown organization %q", model.Truncate(org, 60))
	}
	role, err := v.roles.role(claims)
	if err != nil {
		return nil, err
	}
	return &model.Principal{UserID: user, OrganizationID: org, Role: role}, nil
}

// stringClaim returns claim name, which must be a non-empty valid UTF-8
// string; what names the claim in messages.
func stringClaim(claims map[string]any, name, what string) (string, error) {
	v, ok := claim(claims, name)
	if !ok {
		return "", unauthenticated("has no %s claim %q", what, name)
	}
	s, ok := v.(string)
	if !ok || s == "" || !utf8.ValidString(s) {
		return "", unauthenticated("has a %s claim %q that is not a non-empty string", what, name)
	}
	return s, nil
}
