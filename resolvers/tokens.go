package resolvers

import (
	"context"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// tokens lists the tokens of organization org for its org-admins and
// admins; without org, an org-admin gets their own organization's and an
// admin every token.
func (r *queryResolver) tokens(ctx context.Context, org *string) ([]*model.APIToken, error) {
	p, err := model.Require(ctx)
	if err != nil {
		return nil, err
	}
	id := ""
	switch {
	case org != nil:
		id = *org
	case p.Role != model.RoleAdmin:
		id = p.OrganizationID
	}
	if id != "" || p.Role != model.RoleAdmin {
		if _, err := requireOrgAdmin(ctx, id); err != nil {
			return nil, err
		}
	}
	return r.Store.ListTokens(ctx, id)
}

// revokeToken revokes token id for an org-admin of its organization or an
// admin (anyone else gets NOT_FOUND, as for a missing token: only they may
// see it). Once it commits, committed forgets it and closes its websockets
// in this process and, over the Changes bus, in the others (without a bus,
// they notice within a second: see tokenCacheTTL and socketSweepInterval).
func (r *mutationResolver) revokeToken(ctx context.Context, id string) (*model.APIToken, error) {
	if _, err := model.Require(ctx); err != nil {
		return nil, err
	}
	t, err := r.Store.FindToken(ctx, id)
	if err != nil {
		return nil, err
	}
	if !t.ReadableBy(model.PrincipalFrom(ctx)) {
		return nil, model.NotFound("id", "token", id) // as FindToken answers a missing one
	}
	return r.Store.RevokeToken(ctx, id) // committed forgets it, here and in the other processes
}

// tokenOrganization, tokenRevoked and tokenExpired resolve ApiToken fields.
func tokenOrganization(ctx context.Context, t *model.APIToken) (*model.Organization, error) {
	return loadNode[model.Organization](ctx, ref(ctx, t, func(t *model.APIToken) string { return t.OrganizationID }))
}

func tokenRevoked(t *model.APIToken) bool { return t.RevokedAt != nil }

func tokenExpired(t *model.APIToken) bool { return t.Expired(time.Now()) }
