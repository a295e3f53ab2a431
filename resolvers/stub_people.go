package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Stubs for the people mutations: replace this file with resolvers/people.go.

func (r *mutationResolver) createOrganization(ctx context.Context, input model.OrganizationInput) (*model.Organization, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateOrganization is not implemented yet")
}

func (r *mutationResolver) updateOrganization(ctx context.Context, id string, input model.OrganizationInput) (*model.Organization, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateOrganization is not implemented yet")
}

func (r *mutationResolver) deleteOrganization(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteOrganization is not implemented yet")
}

func (r *mutationResolver) createDepartment(ctx context.Context, input model.DepartmentInput) (*model.Department, error) {
	return nil, model.Errorf(model.EINTERNAL, "CreateDepartment is not implemented yet")
}

func (r *mutationResolver) updateDepartment(ctx context.Context, id string, name string) (*model.Department, error) {
	return nil, model.Errorf(model.EINTERNAL, "UpdateDepartment is not implemented yet")
}

func (r *mutationResolver) deleteDepartment(ctx context.Context, id string, cascade *bool) (string, error) {
	return "", model.Errorf(model.EINTERNAL, "DeleteDepartment is not implemented yet")
}
