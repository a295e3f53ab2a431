package model

import (
	"context"
	"slices"
)

// Role is what a bearer token lets its user do.
type Role string

// Roles, from least to most trusted. An admin may do anything; a curator
// edits shared catalogs and scales; an org-admin manages their
// organization; an analyst writes their organization's analyses; a viewer
// reads.
const (
	RoleViewer   Role = "viewer"
	RoleAnalyst  Role = "analyst"
	RoleOrgAdmin Role = "org-admin"
	RoleCurator  Role = "curator"
	RoleAdmin    Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleViewer, RoleAnalyst, RoleOrgAdmin, RoleCurator, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Principal is the caller of a request, as its bearer token says.
type Principal struct {
	UserID         string
	OrganizationID string
	// Sector is the organization's sector, for sharing by sector.
	Sector string
	Role   Role
	// TokenID identifies the bearer token (the first 16 hex digits of its
	// hash; never the token itself), or is empty when unknown.
	TokenID string
}

// Is reports whether p holds one of roles; an admin holds every role.
func (p *Principal) Is(roles ...Role) bool {
	return p != nil && (p.Role == RoleAdmin || slices.Contains(roles, p.Role))
}

// Writes reports whether p may write for organization org: an analyst or
// org-admin of it, or an admin.
func (p *Principal) Writes(org string) bool {
	return p != nil && (p.Role == RoleAdmin || p.OrganizationID == org && (p.Role == RoleAnalyst || p.Role == RoleOrgAdmin))
}

type principalKey struct{}

// WithPrincipal returns a context that carries p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller in ctx, or nil for an anonymous caller.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Require returns the caller in ctx when they hold one of roles (any role
// when none is named). It returns EUNAUTHENTICATED for an anonymous caller
// and EFORBIDDEN for a caller without the role.
func Require(ctx context.Context, roles ...Role) (*Principal, error) {
	p := PrincipalFrom(ctx)
	if p == nil {
		return nil, Errorf(EUNAUTHENTICATED, "this needs a bearer token (Authorization: Bearer …)")
	}
	if len(roles) > 0 && !p.Is(roles...) {
		return nil, Errorf(EFORBIDDEN, "this needs the role %s; the token has %s", joinRoles(roles), p.Role)
	}
	return p, nil
}

// RequireWriter returns the caller when they may write for organization
// org (see Principal.Writes), else EUNAUTHENTICATED or EFORBIDDEN.
func RequireWriter(ctx context.Context, org string) (*Principal, error) {
	p, err := Require(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Writes(org) {
		return nil, Errorf(EFORBIDDEN, "only analysts and org-admins of organization %s may change this", org)
	}
	return p, nil
}

func joinRoles(roles []Role) string {
	s := ""
	for i, r := range roles {
		if i > 0 {
			s += " or "
		}
		s += string(r)
	}
	return s
}

// TokenService issues and checks bearer tokens.
// Its methods are safe for concurrent use.
type TokenService interface {
	// Authenticate returns the principal a token stands for. It returns
	// EUNAUTHENTICATED for an unknown or revoked token.
	Authenticate(ctx context.Context, token string) (*Principal, error)
	// CreateToken issues a new token for user (created if missing) acting
	// for organization org (which must exist) with role, and returns it.
	// Only a hash is stored. It returns EINVALID for an unknown role and
	// ENOTFOUND for an unknown organization.
	CreateToken(ctx context.Context, user, org string, role Role) (string, error)
}
