package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// requireOrgAdmin returns the caller when they are an org-admin of
// organization org or an admin, else EUNAUTHENTICATED or EFORBIDDEN.
func requireOrgAdmin(ctx context.Context, org string) (*model.Principal, error) {
	p, err := model.Require(ctx)
	if err != nil {
		return nil, err
	}
	if p.Role != model.RoleAdmin && (p.Role != model.RoleOrgAdmin || p.OrganizationID != org) {
		return nil, model.Errorf(model.EFORBIDDEN, "only org-admins of organization %s and admins may change this", org)
	}
	return p, nil
}

// cascadeOf reads an optional cascade argument (default false).
func cascadeOf(cascade *bool) bool { return cascade != nil && *cascade }

func (r *mutationResolver) createOrganization(ctx context.Context, input model.OrganizationInput) (*model.Organization, error) {
	if _, err := model.Require(ctx, model.RoleAdmin); err != nil {
		return nil, err
	}
	return r.Store.CreateOrganization(ctx, input)
}

func (r *mutationResolver) updateOrganization(ctx context.Context, id string, input model.OrganizationInput) (*model.Organization, error) {
	if _, err := requireOrgAdmin(ctx, id); err != nil {
		return nil, err
	}
	return r.Store.UpdateOrganization(ctx, id, input)
}

func (r *mutationResolver) deleteOrganization(ctx context.Context, id string, cascade *bool) (string, error) {
	if _, err := model.Require(ctx, model.RoleAdmin); err != nil {
		return "", err
	}
	if err := r.Store.DeleteOrganization(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}

func (r *mutationResolver) createDepartment(ctx context.Context, input model.DepartmentInput) (*model.Department, error) {
	if _, err := requireOrgAdmin(ctx, input.OrganizationID); err != nil {
		return nil, err
	}
	return r.Store.CreateDepartment(ctx, input)
}

// departmentForAdmin loads department id and checks that the caller is an
// org-admin of its organization or an admin.
func departmentForAdmin(ctx context.Context, id string) (*model.Department, error) {
	if _, err := model.Require(ctx); err != nil {
		return nil, err
	}
	d, err := loadNode[model.Department](ctx, id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, model.FieldErrorf(model.ENOTFOUND, "id", "no department %q", id)
	}
	if _, err := requireOrgAdmin(ctx, d.OrganizationID); err != nil {
		return nil, err
	}
	return d, nil
}

func (r *mutationResolver) updateDepartment(ctx context.Context, id string, name string) (*model.Department, error) {
	if _, err := departmentForAdmin(ctx, id); err != nil {
		return nil, err
	}
	return r.Store.UpdateDepartment(ctx, id, name)
}

func (r *mutationResolver) deleteDepartment(ctx context.Context, id string, cascade *bool) (string, error) {
	if _, err := departmentForAdmin(ctx, id); err != nil {
		return "", err
	}
	if err := r.Store.DeleteDepartment(ctx, id, cascadeOf(cascade)); err != nil {
		return "", err
	}
	return id, nil
}
