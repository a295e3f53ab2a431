package model

import (
	"context"
	"slices"
	"time"
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
	// TokenID is the id of the bearer token (see APIToken.ID: the first 16
	// hex digits of its hash, never the token itself), for the audit trail
	// and for closing what the token opened when it is revoked; empty when
	// unknown. For a JWT of the site's single sign-on it is
	// JWTTokenIDPrefix followed by 16 hex digits (package oidc).
	TokenID string
	// ExpiresAt is when the token expires; zero for never.
	ExpiresAt time.Time
}

// JWTTokenIDPrefix starts the TokenID of a principal that a JWT stands
// for. Such a token is not in the store: it cannot be revoked there, and
// stops working when it expires.
const JWTTokenIDPrefix = "jwt:"

// Is reports whether p holds one of roles; an admin holds every role.
func (p *Principal) Is(roles ...Role) bool {
	return p != nil && (p.Role == RoleAdmin || slices.Contains(roles, p.Role))
}

// Writes reports whether p may write for organization org: an analyst or
// org-admin of it, or an admin.
func (p *Principal) Writes(org string) bool {
	return p != nil && (p.Role == RoleAdmin || p.OrganizationID == org && (p.Role == RoleAnalyst || p.Role == RoleOrgAdmin))
}

// EditsShared reports whether p may change a shared node owned by
// organization ownerOrg ("" for one nobody owns): a target, its assets and
// its incidents, which analyses of every organization rate, and a catalog
// entry (threat, measure, guideline and its clauses, and the links and
// mappings that start from them), which every organization's coverage and
// due-care reports read. Analysts and org-admins of the owning
// organization, curators and admins may; a node without an owner (loaded
// by an operator, or from before owners) only curators and admins. This is
// the one statement of the rule: the target, asset, incident and catalog
// mutations and importDocument apply it (RequireEditor).
func (p *Principal) EditsShared(ownerOrg string) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case RoleAdmin, RoleCurator:
		return true
	case RoleAnalyst, RoleOrgAdmin:
		return ownerOrg != "" && p.OrganizationID == ownerOrg
	}
	return false
}

// RequireTargetEditor returns the caller when they may change target t
// (see Principal.EditsShared), else EUNAUTHENTICATED or EFORBIDDEN.
func RequireTargetEditor(ctx context.Context, t *Target) (*Principal, error) {
	return RequireEditor(ctx, "target "+t.ID, ", its assets and its incidents", t.OwnerID)
}

// RequireEditor returns the caller when they may change the shared node
// that what names ("threat T-1"), owned by the organization *owner (nil or
// "" for none; see Principal.EditsShared), else EUNAUTHENTICATED or
// EFORBIDDEN saying who may. also ends the message's "may change it" (", its
// assets and its incidents").
func RequireEditor(ctx context.Context, what, also string, owner *string) (*Principal, error) {
	p, err := Require(ctx)
	if err != nil {
		return nil, err
	}
	org := ""
	if owner != nil {
		org = *owner
	}
	if !p.EditsShared(org) {
		if org == "" {
			return nil, Errorf(EFORBIDDEN, "%s has no owner organization: only curators and admins may change it%s", what, also)
		}
		return nil, Errorf(EFORBIDDEN, "only analysts and org-admins of organization %s (which owns %s), curators and admins may change it%s", org, what, also)
	}
	return p, nil
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

// APIToken is a bearer token as an administrator sees it: everything but
// its secret, which is shown only once, when it is created.
type APIToken struct {
	// ID names the token in lists and revocations: the first 16 hex digits
	// of the SHA-256 of its secret (which alone is stored, in full).
	ID             string
	UserID         string
	OrganizationID string
	Role           Role
	CreatedAt      time.Time
	// ExpiresAt is when the token stops working; nil for never.
	ExpiresAt *time.Time
	// RevokedAt is when the token was revoked; nil while it is not.
	RevokedAt *time.Time
}

// Expired reports whether the token has expired at now.
func (t *APIToken) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// ReadableBy reports whether p may see token t (list or revoke it): an
// org-admin of its organization, or an admin.
func (t *APIToken) ReadableBy(p *Principal) bool {
	return p != nil && (p.Role == RoleAdmin || p.Role == RoleOrgAdmin && p.OrganizationID == t.OrganizationID)
}

// TokenService issues, checks, lists and revokes bearer tokens.
// Its methods are safe for concurrent use.
type TokenService interface {
	// Authenticate returns the principal a token stands for. It returns
	// EUNAUTHENTICATED for an unknown, revoked or expired token, saying
	// which.
	Authenticate(ctx context.Context, token string) (*Principal, error)
	// CreateToken issues a new token for user (created if missing) acting
	// for organization org (which must exist) with role, and returns it.
	// It never expires. Only a hash is stored. It returns EINVALID for an
	// unknown role and ENOTFOUND for an unknown organization.
	CreateToken(ctx context.Context, user, org string, role Role) (string, error)
	// CreateExpiringToken is CreateToken for a token that expires ttl after
	// now (never when ttl is zero); it returns EINVALID for a negative ttl.
	CreateExpiringToken(ctx context.Context, user, org string, role Role, ttl time.Duration) (string, error)
	// FindToken returns the token with the given id, or ENOTFOUND.
	FindToken(ctx context.Context, id string) (*APIToken, error)
	// ListTokens returns the tokens of organization org ("" for every
	// organization), newest first, revoked and expired ones included.
	ListTokens(ctx context.Context, org string) ([]*APIToken, error)
	// RevokeToken revokes the token with the given id and returns it as
	// revoked; revoking a revoked token changes nothing. It returns
	// ENOTFOUND when there is no such token.
	RevokeToken(ctx context.Context, id string) (*APIToken, error)
	// RevokedTokens returns which of the token ids given are revoked (or
	// gone), in one round trip, for closing their websockets.
	RevokedTokens(ctx context.Context, ids []string) ([]string, error)
}
